"""The brief for the Wakil Wali Kota: the city's readiness, recommendations, follow-up,
data completeness and the method note."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators.models import AssessmentPeriod, MethodologyEdition, ScoreSnapshot
from meetings.models import Action
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
from reports.formatting import percent_text, score_text, signed_text
from reports.selectors import (
    ikotan_trend_chart,
    snapshot_path,
    snapshot_scale,
    snapshot_territory,
    snapshot_variables,
    snapshot_weakest,
    variables_chart,
)

PRIORITIES_SHOWN = 3

TEMPLATE = "reports/pdf/city_summary.html"
_PERCENT = Decimal(100)


def variable_rows(variables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The snapshot's variables as plain rows for the PDF tables and the fingerprint."""
    return [
        {
            "code": v["code"],
            "name": v["name"],
            "index": v["index"],
            "scaled": v["category"]["scaled"] if v["category"] else None,
            "band_name": v["category"]["band"] if v["category"] else "",
            "tone": v["category"]["tone"] if v["category"] else None,
            "coverage": None
            if v["coverage"] is None
            else (v["coverage"] * _PERCENT).quantize(Decimal(1)),
            "completeness": None if v.get("completeness") is None else Decimal(v["completeness"]),
        }
        for v in variables
    ]


def _value_or_last(row: dict[str, Any]) -> tuple[int, Decimal]:
    return (0, row["value"]) if row["value"] is not None else (1, Decimal(0))


def territory_annex(kecamatan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Kecamatan weakest first, each followed by its kelurahan weakest first; the kecamatan
    row is the subtotal (its score over its kelurahan). Unscored regions come last."""
    rows: list[dict[str, Any]] = []
    for kec in sorted(kecamatan, key=_value_or_last):
        rows.append(_territory_row(kec, "kecamatan"))
        rows.extend(
            _territory_row(kel, "kelurahan") for kel in sorted(kec["kelurahan"], key=_value_or_last)
        )
    return rows


def _territory_row(region: dict[str, Any], level: str) -> dict[str, Any]:
    return {
        "name": region["name"],
        "level": level,
        "scaled": region["scaled"],
        "band_name": region["band"],
        "tone": region["tone"],
        "completeness": region.get("completeness"),
    }


def city_score_sections(
    *,
    period: AssessmentPeriod,
    edition: MethodologyEdition,
    snapshot: ScoreSnapshot | _Unset | None = UNSET,
) -> dict[str, Any] | None:
    """The key message, the five variables with charts, the weakest indicators and the
    kecamatan/kelurahan table from the period's ScoreSnapshot, or None while no score exists.
    Reads the snapshot like the dashboard does (reports.selectors) so the brief and the
    dashboard show the same numbers. Two queries (trend, region names), plus one for the
    snapshot when it is not given.
    """
    if isinstance(snapshot, _Unset):
        snapshot = score_snapshot(period=period, edition=edition)
    if snapshot is None or not snapshot.detail:
        return None
    detail = snapshot.detail
    scale = snapshot_scale(detail)
    trend = list(
        ScoreSnapshot.objects.filter(region_id=period.city_id, edition=edition)
        .select_related("period")
        .defer("detail")
        .order_by("period__year")
    )
    earlier = [s for s in trend if s.period.year < period.year]
    previous = earlier[-1] if earlier else None
    change = None
    if snapshot.scaled is not None and previous is not None and previous.scaled is not None:
        change = snapshot.scaled - previous.scaled
    category = detail.get("category") or {}
    variables = snapshot_variables(detail, scale)
    territory = territory_annex(snapshot_territory(detail, scale))
    charts = {"variables": variables_chart(variables, scale, chart_id="brief-variables")}
    if len([s for s in trend if s.scaled is not None]) > 1:
        charts["trend"] = ikotan_trend_chart(trend, scale)
    return {
        "key": {
            "ikotan": snapshot.index,
            "scaled": snapshot.scaled,
            "band_name": snapshot.band_name,
            "tone": scale.tone(snapshot.band_order),
            "previous_year": previous.period.year if previous else None,
            "previous_scaled": previous.scaled if previous else None,
            "change": change,
            "next_band": category.get("next_band", ""),
            # Stored as a string in the snapshot; a Decimal is localised in the PDF ("4,36").
            "gap_to_next": None
            if category.get("gap") is None
            else Decimal(category["gap"]).quantize(Decimal("0.01")),
            "missing_variables": list(snapshot.missing_variables),
            "change_text": signed_text(change),
            "previous_final": previous.is_final if previous else None,
        },
        "status": {
            "is_final": snapshot.is_final,
            "completeness": snapshot.completeness,
            "minimum": Decimal(detail["edition"].get("min_completeness", "80")),
            "below_minimum": snapshot.completeness
            < Decimal(detail["edition"].get("min_completeness", "80")),
        },
        "path": [
            {
                "code": p["code"],
                "name": p["name"],
                "gain": p["gain"],
                "responsible": p["responsible"],
            }
            for p in snapshot_path(detail)
        ],
        "points_needed": None
        if detail.get("points_needed") is None
        else Decimal(detail["points_needed"]),
        "variables": variable_rows(variables),
        "weakest": [
            {
                "code": w["code"],
                "name": w["name"],
                "variable": w["variable"],
                "score": w["score"],
                "max_gain": w["max_gain"],
                "enough": w["score_needed"] is not None,
                "responsible": w.get("responsible", []),
            }
            for w in snapshot_weakest(detail)
        ],
        "territory": territory,
        "charts": charts,
        "computed_at": snapshot.computed_at,
        "score_fingerprint": snapshot.fingerprint,
    }


def actions_in_period(period: AssessmentPeriod) -> Q:
    """The actions a period's brief reports: those due in the period's year, and those due
    earlier that are still open (carried over, so an old overdue action is never hidden)."""
    first_day = datetime.date(period.year, 1, 1)
    return Q(city_id=period.city_id) & (
        Q(due_on__year=period.year) | Q(due_on__lt=first_day, status__in=Action.OPEN_STATUSES)
    )


def city_action_sections(
    *, period: AssessmentPeriod, today: datetime.date | None = None
) -> dict[str, Any] | None:
    """Follow-up actions by organisation (done, in progress, overdue) and the overdue list,
    or None when the period has no action. Two queries. Each row carries the latest change
    of its actions so that any edit or progress report changes the brief's fingerprint."""
    today = today or timezone.localdate()
    actions = Action.objects.filter(actions_in_period(period))
    open_ = Q(status__in=Action.OPEN_STATUSES)
    late = open_ & Q(due_on__lt=today)
    rows = list(
        actions.values("owner_id", "owner__name", "owner__short_name")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=Action.Status.DONE)),
            in_progress=Count("id", filter=open_ & Q(due_on__gte=today)),
            overdue=Count("id", filter=late),
            cancelled=Count("id", filter=Q(status=Action.Status.CANCELLED)),
            last_change=Max("updated_at"),
        )
        .order_by("-overdue", "owner__name")
    )
    if not rows:
        return None
    overdue = [
        {
            "id": a.pk,
            "title": a.title,
            "stakeholder": a.owner.short_name or a.owner.name,
            "due": a.due_on,
            "progress": a.progress,
        }
        for a in actions.filter(late)
        .select_related("owner")
        .order_by("due_on", "owner__name", "pk")
    ]
    return {
        "by_stakeholder": [
            {
                "name": r["owner__name"],
                "short_name": r["owner__short_name"],
                "total": r["total"],
                "done": r["done"],
                "in_progress": r["in_progress"],
                "overdue": r["overdue"],
                "cancelled": r["cancelled"],
                "last_change": r["last_change"],
            }
            for r in rows
        ],
        "totals": {
            key: sum(r[key] for r in rows)
            for key in ("total", "done", "in_progress", "overdue", "cancelled")
        },
        "overdue": overdue,
    }


def key_message(
    *,
    facts: dict[str, Any],
    scores: dict[str, Any] | None,
    actions: dict[str, Any] | None,
) -> str:
    """The brief's key message, written from the data: the status and completeness, the
    weakest variable, the biggest gain within reach and the overdue actions."""
    if scores is None or scores["key"]["scaled"] is None:
        return _("IKOTAN periode ini belum dapat dihitung dari data yang telah disetujui.")
    key, status = scores["key"], scores["status"]
    parts = []
    if status["below_minimum"]:
        parts.append(
            _(
                "Data belum lengkap: baru %(pct)s data yang diharapkan disetujui (minimum "
                "%(min)s), sehingga angka berikut belum menggambarkan kesiapan kota."
            )
            % {"pct": percent_text(status["completeness"]), "min": percent_text(status["minimum"])}
        )
    parts.append(
        _("IKOTAN %(city)s %(year)s %(value)s (%(band)s, %(status)s).")
        % {
            "city": facts["city"],
            "year": facts["year"],
            "value": score_text(key["scaled"]),
            "band": key["band_name"],
            "status": _("final") if status["is_final"] else _("sementara"),
        }
    )
    scored = [v for v in scores["variables"] if v["index"] is not None]
    if scored:
        weakest = min(scored, key=lambda v: v["index"])
        parts.append(
            _("Variabel terlemah: %(name)s (%(code)s), indeks %(index)s.")
            % {
                "name": weakest["name"],
                "code": weakest["code"],
                "index": score_text(weakest["index"]),
            }
        )
    if scores["weakest"]:
        lever = scores["weakest"][0]
        text = _("Peluang terbesar: %(code)s %(name)s, yang dapat menaikkan IKOTAN %(gain)s poin")
        text %= {
            "code": lever["code"],
            "name": lever["name"],
            "gain": score_text(lever["max_gain"]),
        }
        if lever["enough"] and key["next_band"]:
            text += _(" — cukup untuk naik ke %(band)s") % {"band": key["next_band"]}
        parts.append(text + ".")
    overdue = actions["totals"]["overdue"] if actions else 0
    if overdue:
        parts.append(
            ngettext("%(n)s tindak lanjut terlambat.", "%(n)s tindak lanjut terlambat.", overdue)
            % {"n": overdue}
        )
    else:
        parts.append(_("Tidak ada tindak lanjut yang terlambat."))
    return " ".join(parts)


def priority_recommendations(
    recommendations: dict[str, Any], scores: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The three recommendations to act on first: those tied to the indicators with the
    largest gain, then the rest in the library's order (weakest variable first)."""
    ranks = {w["code"]: i for i, w in enumerate(scores["weakest"])} if scores else {}
    items = list(enumerate(recommendations["items"]))
    items.sort(key=lambda pair: (ranks.get(pair[1]["indicator"], len(ranks)), pair[0]))
    return [item for _i, item in items[:PRIORITIES_SHOWN]]


def build(*, period: AssessmentPeriod, edition: MethodologyEdition) -> BriefContent:
    snapshot = score_snapshot(period=period, edition=edition)
    standings = variable_standings(period=period, edition=edition, snapshot=snapshot)
    facts = period_facts(period, edition)
    scores = city_score_sections(period=period, edition=edition, snapshot=snapshot)
    recommendations = recommendation_section(city=period.city, standings=standings)
    actions = city_action_sections(period=period)
    data = {
        "facts": facts,
        "scores": scores,
        "recommendations": recommendations,
        "priorities": priority_recommendations(recommendations, scores),
        "key_message": key_message(facts=facts, scores=scores, actions=actions),
        "actions": actions,
        "completeness": data_completeness(period=period),
        "method": method_note(edition),
    }
    fingerprint = fingerprint_of(data)
    context = {**data, "fingerprint": fingerprint, "generated_at": timezone.now()}
    return BriefContent(template=TEMPLATE, context=context, fingerprint=fingerprint)
