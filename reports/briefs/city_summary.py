"""The brief for the Wakil Wali Kota: the city's readiness, recommendations, follow-up,
data completeness and the method note."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from indicators.models import AssessmentPeriod, MethodologyEdition
from reports.briefs.common import (
    BriefContent,
    data_completeness,
    fingerprint_of,
    method_note,
    period_facts,
    variable_standings,
)
from reports.briefs.recommendations import recommendation_section

TEMPLATE = "reports/pdf/city_summary.html"


def city_score_sections(
    *, period: AssessmentPeriod, edition: MethodologyEdition
) -> dict[str, Any] | None:
    """The key message, the five variables with charts, the weakest indicators and the
    kecamatan/kelurahan table, or None while no score exists.

    TO WIRE AFTER THE SCORES MERGE (reports.selectors.dashboard_load works per user; read
    the ScoreSnapshot of (period, edition, city) directly here). Return
    {"key": {"ikotan", "scaled", "band_name", "previous_scaled", "change", "next_band",
             "gap_to_next", "missing_variables"},
     "variables": [{"code", "name", "index", "scaled", "band_name", "coverage"}...],
     "weakest": [{"code", "name", "variable", "score"}...],
     "territory": [{"name", "level", "scaled", "band_name"}...],
     "charts": {"variables": reports.charts.bars_chart(...), "trend": trend_chart(...)},
     "computed_at": snapshot.computed_at, "score_fingerprint": snapshot.fingerprint}.
    templates/reports/pdf/includes/_city_scores.html renders it (block `scores` of
    city_summary.html), only when it is not None.
    """
    return None


def city_action_sections(*, period: AssessmentPeriod) -> dict[str, Any] | None:
    """Follow-up actions by organisation (done, in progress, overdue), or None.

    TO WIRE AFTER THE MEETINGS MERGE: {"by_stakeholder": [{"name", "done", "in_progress",
    "overdue"}...], "overdue": [{"title", "stakeholder", "due"}...]}; rendered by the block
    `actions` of city_summary.html only when it is not None.
    """
    return None


def build(*, period: AssessmentPeriod, edition: MethodologyEdition) -> BriefContent:
    standings = variable_standings(period=period, edition=edition)
    data = {
        "facts": period_facts(period, edition),
        "scores": city_score_sections(period=period, edition=edition),
        "recommendations": recommendation_section(city=period.city, standings=standings),
        "actions": city_action_sections(period=period),
        "completeness": data_completeness(period=period),
        "method": method_note(edition),
    }
    fingerprint = fingerprint_of(data)
    context = {**data, "fingerprint": fingerprint, "generated_at": timezone.now()}
    return BriefContent(template=TEMPLATE, context=context, fingerprint=fingerprint)
