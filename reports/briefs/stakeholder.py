"""The brief for one stakeholder organisation: the variables and indicators it provides,
its own data, the recommendations addressed to it; its scores and actions after the merge."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from indicators.models import (
    AssessmentPeriod,
    Indicator,
    IndicatorValue,
    MethodologyEdition,
    Submission,
)
from kotan.models import Stakeholder
from reports.briefs.common import (
    BriefContent,
    data_completeness,
    fingerprint_of,
    method_note,
    period_facts,
    variable_standings,
)
from reports.briefs.recommendations import recommendation_section

TEMPLATE = "reports/pdf/stakeholder.html"


def responsible_indicators(stakeholder: Stakeholder) -> list[Indicator]:
    return list(
        Indicator.objects.active()
        .filter(responsible=stakeholder)
        .select_related("variable")
        .order_by("variable__order", "order", "code")
    )


def provided_indicators(
    *, period: AssessmentPeriod, stakeholder: Stakeholder, indicators: list[Indicator]
) -> list[dict[str, Any]]:
    """The indicators the organisation is responsible for, grouped by variable, with its own
    value where the indicator is collected per stakeholder (1 query)."""
    own_values = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(
            submission__period=period, submission__stakeholder=stakeholder
        ).select_related("submission")
    }
    groups: dict[str, dict[str, Any]] = {}
    for indicator in indicators:
        group = groups.setdefault(
            indicator.variable.code,
            {"code": indicator.variable.code, "name": indicator.variable.name, "indicators": []},
        )
        value = own_values.get(indicator.pk)
        group["indicators"].append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "level": indicator.get_level_display(),
                "per_stakeholder": indicator.level == Indicator.Level.STAKEHOLDER,
                "weight": indicator.weight,
                "value": None if value is None else value.value,
                "unit": indicator.unit,
                "approved": bool(value and value.submission.status == Submission.Status.APPROVED),
                "status": value.submission.get_status_display() if value else "",
            }
        )
    return list(groups.values())


def stakeholder_score_section(
    *, period: AssessmentPeriod, edition: MethodologyEdition, stakeholder: Stakeholder
) -> dict[str, Any] | None:
    """The scores of the variables this organisation provides, or None while none exists.

    TO WIRE AFTER THE SCORES MERGE: from the period's ScoreSnapshot (city, edition), return
    {"variables": [{"code", "name", "index", "scaled", "band_name", "coverage"}...] for the
    variables of `provided_indicators`, "indicators": [{"code", "score"}...],
    "chart_svg": reports.charts.bars_chart(...)}. The template block `scores` in
    templates/reports/pdf/stakeholder.html renders it only when it is not None.
    """
    return None


def stakeholder_action_section(
    *, period: AssessmentPeriod, stakeholder: Stakeholder
) -> dict[str, Any] | None:
    """The organisation's follow-up actions and their status, or None while none exists.

    TO WIRE AFTER THE MEETINGS MERGE: the actions assigned to `stakeholder` (meetings app's
    selectors), as {"counts": {"done", "in_progress", "overdue"}, "items": [{"title",
    "category", "due", "status", "overdue"}...]}. The template block `actions` renders it
    only when it is not None.
    """
    return None


def build(
    *, period: AssessmentPeriod, edition: MethodologyEdition, stakeholder: Stakeholder
) -> BriefContent:
    standings = variable_standings(period=period, edition=edition)
    indicators = responsible_indicators(stakeholder)
    data = {
        "facts": period_facts(period, edition),
        "stakeholder": {
            "id": stakeholder.pk,
            "name": stakeholder.name,
            "short_name": stakeholder.short_name,
            "kind": stakeholder.get_kind_display(),
        },
        "variables": provided_indicators(
            period=period, stakeholder=stakeholder, indicators=indicators
        ),
        "completeness": data_completeness(period=period, indicators=indicators),
        "recommendations": recommendation_section(
            city=period.city, standings=standings, stakeholder=stakeholder
        ),
        "scores": stakeholder_score_section(
            period=period, edition=edition, stakeholder=stakeholder
        ),
        "actions": stakeholder_action_section(period=period, stakeholder=stakeholder),
        "method": method_note(edition),
    }
    fingerprint = fingerprint_of(data)
    context = {**data, "fingerprint": fingerprint, "generated_at": timezone.now()}
    return BriefContent(template=TEMPLATE, context=context, fingerprint=fingerprint)
