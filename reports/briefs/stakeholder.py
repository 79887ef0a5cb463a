"""The brief for one stakeholder organisation: the variables and indicators it provides,
its own data and scores, its follow-up actions, the recommendations addressed to it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from indicators.models import (
    AssessmentPeriod,
    Indicator,
    IndicatorValue,
    MethodologyEdition,
    ScoreSnapshot,
    Submission,
)
from indicators.scoring.method import indicator_score, to_decimal
from kotan.models import Stakeholder
from meetings.models import Action
from reports.briefs.city_summary import actions_in_period, variable_rows
from reports.briefs.common import (
    UNSET,
    BriefContent,
    _Unset,
    data_completeness,
    fingerprint_of,
    method_note,
    period_facts,
    score_snapshot,
    variable_standings,
)
from reports.briefs.recommendations import recommendation_section
from reports.formatting import value_text
from reports.selectors import snapshot_scale, snapshot_variables, variables_chart

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
                "display": value_text(
                    None if value is None else value.value, kind=indicator.kind, unit=indicator.unit
                ),
                "own_score": None
                if value is None or value.value is None
                else to_decimal(
                    indicator_score(value.value, worst=indicator.worst, best=indicator.best), 2
                ),
                "unit": indicator.unit,
                "approved": bool(value and value.submission.status == Submission.Status.APPROVED),
                "status": value.submission.get_status_display() if value else "",
            }
        )
    return list(groups.values())


def stakeholder_score_section(
    *,
    period: AssessmentPeriod,
    edition: MethodologyEdition,
    stakeholder: Stakeholder,
    indicators: list[Indicator] | None = None,
    snapshot: ScoreSnapshot | _Unset | None = UNSET,
) -> dict[str, Any] | None:
    """The scores of the variables this organisation provides indicators for (the ones it
    influences), and of those indicators, from the period's ScoreSnapshot; None while no
    snapshot exists. No query when `indicators` and `snapshot` are given."""
    if isinstance(snapshot, _Unset):
        snapshot = score_snapshot(period=period, edition=edition)
    if snapshot is None or not snapshot.detail:
        return None
    if indicators is None:
        indicators = responsible_indicators(stakeholder)
    own_codes = {i.code for i in indicators}
    variable_codes = {i.variable.code for i in indicators}
    scale = snapshot_scale(snapshot.detail)
    variables = [
        v for v in snapshot_variables(snapshot.detail, scale) if v["code"] in variable_codes
    ]
    if not variables:
        return None
    return {
        "variables": variable_rows(variables),
        "status": {
            "is_final": snapshot.is_final,
            "completeness": snapshot.completeness,
        },
        "indicators": [
            {
                "code": i["code"],
                "name": i["name"],
                "variable": v["code"],
                "score": None if i["score"] is None else Decimal(i["score"]),
                "units": i["units"],
                "expected": i["expected"],
                "level": i["level"],
            }
            for v in variables
            for i in v["indicators"]
            if i["code"] in own_codes
        ],
        "chart_svg": variables_chart(variables, scale, chart_id="brief-stakeholder-variables"),
        "computed_at": snapshot.computed_at,
        "score_fingerprint": snapshot.fingerprint,
    }


def stakeholder_action_section(
    *, period: AssessmentPeriod, stakeholder: Stakeholder, today: datetime.date | None = None
) -> dict[str, Any] | None:
    """The organisation's follow-up actions of the period (see city_summary.actions_in_period)
    and their status, or None when it has none. One query."""
    today = today or timezone.localdate()
    actions = list(
        Action.objects.filter(actions_in_period(period), owner=stakeholder)
        .select_related("variable", "meeting")
        .order_by("due_on", "pk")
    )
    if not actions:
        return None
    items = [
        {
            "id": a.pk,
            "title": a.title,
            "category": a.get_category_display(),
            "variable": a.variable.code,
            "meeting": a.meeting.title if a.meeting else "",
            "due": a.due_on,
            "status": a.get_status_display(),
            "progress": a.progress,
            "overdue": a.is_overdue(today),
            "updated_at": a.updated_at,
        }
        for a in actions
    ]
    return {
        "counts": {
            "done": sum(a.status == Action.Status.DONE for a in actions),
            "in_progress": sum(a.is_open and not a.is_overdue(today) for a in actions),
            "overdue": sum(a.is_overdue(today) for a in actions),
        },
        "items": items,
    }


def build(
    *, period: AssessmentPeriod, edition: MethodologyEdition, stakeholder: Stakeholder
) -> BriefContent:
    snapshot = score_snapshot(period=period, edition=edition)
    standings = variable_standings(period=period, edition=edition, snapshot=snapshot)
    indicators = responsible_indicators(stakeholder)
    provided = provided_indicators(period=period, stakeholder=stakeholder, indicators=indicators)
    scores = stakeholder_score_section(
        period=period,
        edition=edition,
        stakeholder=stakeholder,
        indicators=indicators,
        snapshot=snapshot,
    )
    if scores is not None:
        # The organisation's own values against the city's, indicator by indicator.
        own = {i["code"]: i for group in provided for i in group["indicators"]}
        for row in scores["indicators"]:
            mine = own.get(row["code"], {})
            row["own_score"] = mine.get("own_score") if mine.get("per_stakeholder") else None
            row["own_display"] = mine.get("display", "—") if mine.get("per_stakeholder") else ""
    data = {
        "facts": period_facts(period, edition),
        "stakeholder": {
            "id": stakeholder.pk,
            "name": stakeholder.name,
            "short_name": stakeholder.short_name,
            "kind": stakeholder.get_kind_display(),
        },
        "variables": provided,
        "completeness": data_completeness(period=period, indicators=indicators),
        "recommendations": recommendation_section(
            city=period.city, standings=standings, stakeholder=stakeholder
        ),
        "scores": scores,
        "actions": stakeholder_action_section(period=period, stakeholder=stakeholder),
        "method": method_note(edition),
    }
    fingerprint = fingerprint_of(data)
    context = {**data, "fingerprint": fingerprint, "generated_at": timezone.now()}
    return BriefContent(template=TEMPLATE, context=context, fingerprint=fingerprint)
