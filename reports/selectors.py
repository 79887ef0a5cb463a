"""Reads for the dashboards. Scores come only from stored snapshots (nothing is recomputed
on a page load), and every function runs a fixed number of queries whatever the number of
periods, kelurahan and values."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators.models import (
    AssessmentPeriod,
    IndicatorValue,
    MethodologyEdition,
    ScoreRecomputeRequest,
    ScoreSnapshot,
)
from indicators.scoring.recompute import snapshot_explained
from kotan.models import Region, User
from meetings.models import Action
from reports.charts import ChartBand, ChartValue, bars_chart, tone_for, trend_chart
from reports.models import Recommendation

WEAKEST_SHOWN = 5


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass
class Choice:
    periods: list[AssessmentPeriod]
    editions: list[MethodologyEdition]
    period: AssessmentPeriod | None
    edition: MethodologyEdition | None

    @property
    def query(self) -> str:
        """The chosen period and edition as a query string for links (never localised)."""
        if self.period is None or self.edition is None:
            return ""
        return f"?{urlencode({'periode': self.period.year, 'edisi': self.edition.pk})}"


def choice_load(*, user: User, year: str | None, edition_id: str | None) -> Choice:
    """The user's city's periods and the editions, and the ones chosen (default: the latest
    period and the default edition). Two queries. An unknown year or edition is a 404."""
    periods = list(AssessmentPeriod.objects.for_user(user).order_by("-year"))
    editions = list(MethodologyEdition.objects.order_by("-is_default", "name"))
    period = periods[0] if periods else None
    if year:
        period = next((p for p in periods if str(p.year) == year), None)
        if period is None:
            raise Http404
    edition = editions[0] if editions else None
    if edition_id:
        edition = next((e for e in editions if str(e.pk) == edition_id), None)
        if edition is None:
            raise Http404
    return Choice(periods=periods, editions=editions, period=period, edition=edition)


@dataclass
class Scale:
    minimum: Decimal
    maximum: Decimal
    bands: list[ChartBand]

    def tone(self, order: int | None) -> int | None:
        return tone_for(order, len(self.bands))


def _scale(detail: dict[str, Any]) -> Scale:
    edition = detail["edition"]
    raw = edition["bands"]
    return Scale(
        minimum=Decimal(edition["scale_min"]),
        maximum=Decimal(edition["scale_max"]),
        bands=[
            ChartBand(
                b["name"],
                Decimal(b["lower"]),
                Decimal(b["upper"]),
                tone_for(b["order"], len(raw)) or 0,
            )
            for b in raw
        ],
    )


def _category(raw: dict[str, Any] | None, scale: Scale) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {
        **raw,
        "scaled": _dec(raw["scaled"]),
        "gap": _dec(raw["gap"]),
        "tone": scale.tone(raw["band_order"]),
    }


@dataclass
class Headline:
    """What the first card says (§3.9): the number, whether it is final, how complete its
    data is, and whether it may be presented as the city's readiness at all."""

    scaled: Decimal | None
    band: str
    tone: int | None
    is_final: bool
    completeness: Decimal
    minimum: Decimal

    @property
    def below_minimum(self) -> bool:
        return self.completeness < self.minimum


@dataclass
class Change:
    """The signed change from the previous period, and whether it compares a provisional
    number with a final one (or two provisional numbers)."""

    value: Decimal
    previous: ScoreSnapshot
    current_final: bool

    @property
    def mixed(self) -> bool:
        return self.current_final != self.previous.is_final


@dataclass
class Dashboard:
    choice: Choice
    snapshot: ScoreSnapshot | None = None
    previous: ScoreSnapshot | None = None
    change: Decimal | None = None
    change_detail: Change | None = None
    headline: Headline | None = None
    pending: ScoreRecomputeRequest | None = None
    trend: list[ScoreSnapshot] = field(default_factory=list)
    tone: int | None = None
    category: dict[str, Any] | None = None
    variables: list[dict[str, Any]] = field(default_factory=list)
    weakest: list[dict[str, Any]] = field(default_factory=list)
    path: list[dict[str, Any]] = field(default_factory=list)
    points_needed: Decimal | None = None
    kecamatan: list[dict[str, Any]] = field(default_factory=list)
    kelurahan: list[dict[str, Any]] = field(default_factory=list)
    weakest_kelurahan: list[dict[str, Any]] = field(default_factory=list)
    strongest_kelurahan: list[dict[str, Any]] = field(default_factory=list)
    sort: str = "nilai"
    descending: bool = False
    completeness: list[dict[str, Any]] = field(default_factory=list)
    variables_svg: str = ""
    trend_svg: str = ""


def _trend(choice: Choice, user: User) -> list[ScoreSnapshot]:
    return list(
        ScoreSnapshot.objects.for_user(user)
        .filter(edition=choice.edition)
        .select_related("period")
        .defer("detail")
        .order_by("period__year")
    )


def _formatter(places: int) -> Callable[[str | None], str]:
    """Format index strings from a snapshot for display. The territory table shows hundreds
    of numbers; `floatformat` in the template made it the slowest part of the dashboard.
    Indices are at most 100, so only the decimal separator is locale-dependent."""
    separator = str(get_format("DECIMAL_SEPARATOR"))
    quantum = Decimal(1).scaleb(-places)

    def fmt(value: str | None) -> str:
        if value is None:
            return "—"
        return str(Decimal(value).quantize(quantum, ROUND_HALF_UP)).replace(".", separator)

    return fmt


def _territory(detail: dict[str, Any], scale: Scale) -> list[dict[str, Any]]:
    """The snapshot's compact territory rows, named from the regions (one query)."""
    two, one = _formatter(2), _formatter(1)
    names = dict(
        # The ids come from a snapshot the caller already fetched for the user.
        Region.objects.unscoped()
        .filter(pk__in=[row[0] for row in detail["territory"]])
        .values_list("pk", "name")
    )
    band_names = {b["order"]: b["name"] for b in detail["edition"]["bands"]}
    codes = [v["code"] for v in detail["variables"]]
    rows = [
        {
            "id": region_id,
            "parent_id": parent_id,
            "name": names.get(region_id, "?"),
            "scaled": two(scaled),
            "value": _dec(scaled),
            "band": band_names.get(band_order, ""),
            "band_order": band_order,
            "tone": scale.tone(band_order),
            "variables": [one(v) for v in variables],
            "cells": [(code, one(v)) for code, v in zip(codes, variables, strict=False)],
            "completeness": _dec(rest[0]) if rest else None,
        }
        for region_id, parent_id, index, scaled, band_order, variables, *rest in detail["territory"]
    ]
    children: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row)
    # A kecamatan's parent is the city, which is not among the territory's regions.
    kecamatan = [r for r in rows if r["parent_id"] not in names]
    for kec in kecamatan:
        kec["kelurahan"] = children.get(kec["id"], [])
        for kel in kec["kelurahan"]:
            kel["kecamatan"] = kec["name"]
    return kecamatan


# Sort keys of the territory table (?urut=…): rows without a score always come last.
TERRITORY_SORTS = ("nama", "nilai", "kategori", "kelengkapan")


def territory_sorted(
    rows: list[dict[str, Any]], *, sort: str, descending: bool
) -> list[dict[str, Any]]:
    """Kelurahan rows sorted for the table. Name ties keep geographic order."""
    if sort == "nama":
        return sorted(rows, key=lambda r: r["name"].casefold(), reverse=descending)
    field_name = {"nilai": "value", "kategori": "band_order", "kelengkapan": "completeness"}[sort]
    scored = [r for r in rows if r[field_name] is not None]
    unscored = [r for r in rows if r[field_name] is None]
    scored.sort(key=lambda r: (r[field_name], r["value"] or 0), reverse=descending)
    return scored + unscored


def _variables(detail: dict[str, Any], scale: Scale) -> list[dict[str, Any]]:
    return [
        {
            **v,
            "index": _dec(v["index"]),
            "coverage": _dec(v["coverage"]),
            "category": _category(v["category"], scale),
        }
        for v in detail["variables"]
    ]


def _headline(snap: ScoreSnapshot, tone: int | None) -> Headline:
    edition = snap.detail.get("edition", {})
    return Headline(
        scaled=snap.scaled,
        band=snap.band_name,
        tone=tone,
        is_final=snap.is_final,
        completeness=snap.completeness,
        minimum=Decimal(edition.get("min_completeness", "80")),
    )


def dashboard_load(
    *,
    user: User,
    year: str | None,
    edition_id: str | None,
    sort: str | None = None,
    descending: bool = False,
) -> Dashboard:
    """The city dashboard in a fixed number of queries: choices (2), trend, the chosen
    snapshot, pending request, region names, and for the weakest indicators their
    recommendations (2) and follow-up actions (1)."""
    board = dashboard_head_load(
        user=user, year=year, edition_id=edition_id, sort=sort, descending=descending
    )
    if board.snapshot is not None:
        dashboard_detail_fill(board)
        follow_ups_attach(user=user, levers=board.weakest, today=timezone.localdate())
    return board


def dashboard_head_load(
    *,
    user: User,
    year: str | None,
    edition_id: str | None,
    sort: str | None = None,
    descending: bool = False,
) -> Dashboard:
    """The dashboard's cheap part: choices (2), trend (1) and pending request (1). The chosen
    snapshot is taken from the trend, without its (large) detail: the caller fills it from
    the cache or with `dashboard_detail_fill`."""
    choice = choice_load(user=user, year=year, edition_id=edition_id)
    board = Dashboard(choice=choice)
    board.sort = sort if sort in TERRITORY_SORTS else "nilai"
    board.descending = descending
    if choice.period is None or choice.edition is None:
        return board
    board.trend = _trend(choice, user)
    board.pending = ScoreRecomputeRequest.objects.filter(period=choice.period).first()
    board.snapshot = next((s for s in board.trend if s.period_id == choice.period.pk), None)
    earlier = [s for s in board.trend if s.period.year < choice.period.year]
    board.previous = earlier[-1] if earlier else None
    snap = board.snapshot
    previous = board.previous
    if snap is not None and snap.scaled is not None and previous and previous.scaled is not None:
        board.change = snap.scaled - previous.scaled
        board.change_detail = Change(board.change, previous, snap.is_final)
    return board


def dashboard_cache_key(board: Dashboard, *, role: str, language: str) -> str:
    """What the snapshot-derived fragments depend on: the city, period, edition, sort order,
    role and language, and every trend snapshot's identity, fingerprints, computed_at and
    status. A recompute (new computed_at or fingerprint) or a lock yields a new key."""
    choice = board.choice
    assert choice.period is not None and choice.edition is not None
    parts = [
        "v1",
        choice.period.city_id,
        choice.period.pk,
        choice.edition.pk,
        choice.edition.name,
        board.sort,
        board.descending,
        role,
        language,
        *(
            (
                s.pk,
                s.period_id,
                s.fingerprint,
                s.method_fingerprint,
                s.computed_at.isoformat(),
                s.is_final,
                s.scaled,
                s.band_order,
            )
            for s in board.trend
        ),
    ]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"reports:dashboard:{choice.period.city_id}:{digest}"


def dashboard_detail_fill(board: Dashboard) -> None:
    """Everything drawn from the chosen snapshot's detail: loads the detail (1 query) and the
    territory's region names (1 query). No follow-ups (they change without a recompute)."""
    snap = board.snapshot
    assert snap is not None
    snap.refresh_from_db(fields=["detail"])
    snapshot_explained(snap)
    scale = _scale(snap.detail)
    board.tone = scale.tone(snap.band_order)
    board.headline = _headline(snap, board.tone)
    board.category = _category(snap.detail["category"], scale)
    board.variables = _variables(snap.detail, scale)
    board.weakest = snapshot_weakest(snap.detail)
    board.path = snapshot_path(snap.detail)
    board.points_needed = _dec(snap.detail.get("points_needed"))
    board.kecamatan = _territory(snap.detail, scale)
    kelurahan = [kel for kec in board.kecamatan for kel in kec["kelurahan"]]
    ranked = territory_sorted(kelurahan, sort="nilai", descending=False)
    scored = [r for r in ranked if r["value"] is not None]
    board.weakest_kelurahan = scored[:WEAKEST_SHOWN]
    # With fewer than ten scored kelurahan the two lists would repeat each other.
    board.strongest_kelurahan = [
        r for r in scored[::-1][:WEAKEST_SHOWN] if r not in board.weakest_kelurahan
    ]
    board.kelurahan = territory_sorted(kelurahan, sort=board.sort, descending=board.descending)
    board.completeness = [
        {**row, "percent": round(100 * row["approved"] / row["expected"]) if row["expected"] else 0}
        for row in snap.detail.get("stakeholders", [])
    ]
    board.variables_svg = variables_chart(board.variables, scale)
    board.trend_svg = ikotan_trend_chart(board.trend, scale)


def snapshot_path(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The fewest indicators to raise for the next category, with who answers for each."""
    return [
        {**step, "score": _dec(step["score"]), "gain": _dec(step["gain"])}
        for step in detail.get("path", [])
    ]


def follow_ups_attach(*, user: User, levers: list[dict[str, Any]], today: datetime.date) -> None:
    """Give each weakest indicator its recommendations (with addressees) and the follow-up
    actions tied to it, with a status summary. Three queries whatever the number."""
    codes = [lever["code"] for lever in levers]
    # One row per recommendation and addressee, in one query (a prefetch would add a
    # second query only when there are recommendations: the count must not depend on data).
    recommendations: dict[str, dict[int, dict[str, Any]]] = {code: {} for code in codes}
    for pk, code, title, addressee in (
        Recommendation.objects.for_user(user)
        .active()
        .filter(indicator__code__in=codes)
        .order_by("order", "id", "addressees__name")
        .values_list("pk", "indicator__code", "title", "addressees__short_name")
    ):
        rec = recommendations[code].setdefault(pk, {"title": title, "addressees": []})
        if addressee:
            rec["addressees"].append(addressee)
    actions: dict[str, list[Action]] = {code: [] for code in codes}
    for action in (
        Action.objects.for_user(user)
        .filter(indicator__code__in=codes)
        .exclude(status=Action.Status.CANCELLED)
        .select_related("indicator", "owner")
        .order_by("due_on", "id")
    ):
        assert action.indicator is not None
        actions[action.indicator.code].append(action)
    for lever in levers:
        own = actions[lever["code"]]
        lever["recommendations"] = list(recommendations[lever["code"]].values())
        lever["actions"] = own
        lever["action_summary"] = action_summary(own, today)


def action_summary(actions: list[Action], today: datetime.date) -> str:
    """E.g. "2 tindak lanjut berjalan, 1 terlambat": overdue actions are counted once, as
    late, whatever their status."""
    late = sum(1 for a in actions if a.is_overdue(today))
    counts = {
        status: sum(1 for a in actions if a.status == status and not a.is_overdue(today))
        for status in (Action.Status.IN_PROGRESS, Action.Status.NOT_STARTED, Action.Status.DONE)
    }
    parts = []
    if counts[Action.Status.IN_PROGRESS]:
        parts.append(
            ngettext(
                "%(n)s tindak lanjut berjalan",
                "%(n)s tindak lanjut berjalan",
                counts[Action.Status.IN_PROGRESS],
            )
            % {"n": counts[Action.Status.IN_PROGRESS]}
        )
    if counts[Action.Status.NOT_STARTED]:
        parts.append(_("%(n)s belum mulai") % {"n": counts[Action.Status.NOT_STARTED]})
    if late:
        parts.append(_("%(n)s terlambat") % {"n": late})
    if counts[Action.Status.DONE]:
        parts.append(_("%(n)s selesai") % {"n": counts[Action.Status.DONE]})
    return ", ".join(parts) if parts else _("Belum ada tindak lanjut")


def variables_chart(
    variables: list[dict[str, Any]], scale: Scale, *, chart_id: str = "chart-variables"
) -> SafeString:
    """The variable indices over the category bands (dashboard and briefs share it)."""
    return bars_chart(
        chart_id=chart_id,
        title=_("Indeks lima variabel terhadap kategori"),
        desc=_("Indeks tiap variabel pada skala edisi; latar berwarna menandai kategori."),
        items=[
            ChartValue(
                v["code"],
                v["category"]["scaled"] if v["category"] else None,
                v["category"]["tone"] if v["category"] else None,
                name=v["name"],
            )
            for v in variables
        ],
        bands=scale.bands,
        scale_min=scale.minimum,
        scale_max=scale.maximum,
    )


def ikotan_trend_chart(trend: list[ScoreSnapshot], scale: Scale) -> SafeString:
    """IKOTAN per period (snapshots with their period loaded), for dashboard and briefs."""
    return trend_chart(
        chart_id="chart-trend",
        title=_("IKOTAN dari periode ke periode"),
        desc=_(
            "Nilai IKOTAN kota tiap tahun pada skala edisi; latar menandai kategori. Titik "
            "berlubang bertanda * adalah angka sementara (periode belum dikunci)."
        ),
        points=[
            ChartValue(
                str(s.period.year),
                s.scaled,
                scale.tone(s.band_order),
                provisional=not s.is_final,
            )
            for s in trend
        ],
        bands=scale.bands,
        scale_min=scale.minimum,
        scale_max=scale.maximum,
    )


def snapshot_scale(detail: dict[str, Any]) -> Scale:
    return _scale(detail)


def snapshot_variables(detail: dict[str, Any], scale: Scale) -> list[dict[str, Any]]:
    """The snapshot's variables with Decimal indices and their category (no query)."""
    return _variables(detail, scale)


def snapshot_weakest(detail: dict[str, Any], limit: int = WEAKEST_SHOWN) -> list[dict[str, Any]]:
    """The indicators whose improvement would raise IKOTAN most (no query)."""
    return [
        {
            **lever,
            **{k: _dec(lever[k]) for k in ("score", "max_gain", "score_needed", "value_needed")},
        }
        for lever in detail["levers"][:limit]
    ]


def snapshot_territory(detail: dict[str, Any], scale: Scale) -> list[dict[str, Any]]:
    """Kecamatan rows, each with its kelurahan (one query for the names)."""
    return _territory(detail, scale)


def variable_load(*, choice: Choice, code: str) -> tuple[ScoreSnapshot | None, dict[str, Any]]:
    """One variable of the chosen snapshot, with its indicators' scores and contributions
    (one query). 404 if the variable is not in the snapshot."""
    snapshot = (
        ScoreSnapshot.objects.for_city(choice.period.city_id if choice.period else None)
        .filter(period=choice.period, edition=choice.edition)
        .first()
    )
    if snapshot is None:
        return None, {}
    snapshot_explained(snapshot)
    scale = _scale(snapshot.detail)
    for variable in _variables(snapshot.detail, scale):
        if variable["code"] == code:
            for indicator in variable["indicators"]:
                indicator["score"] = _dec(indicator["score"])
                indicator["contribution"] = _dec(indicator["contribution"])
            return snapshot, variable
    raise Http404


def indicator_values(
    *, user: User, period: AssessmentPeriod, indicator_id: int
) -> QuerySet[IndicatorValue]:
    """Every value of an indicator in a period, with who entered and approved it (one
    query)."""
    return (
        IndicatorValue.objects.for_user(user)
        .filter(submission__period=period, indicator_id=indicator_id)
        .select_related(
            "submission__region",
            "submission__stakeholder",
            "submission__approved_by",
            "entered_by",
        )
        .order_by("submission__region__code", "submission__stakeholder__name")
    )


def national_latest_scores() -> list[ScoreSnapshot]:
    """Every city's latest scores under the default edition, for Admin Pusat: one row a
    city (its latest period with a snapshot), by province and city code. One query."""
    return list(
        ScoreSnapshot.objects.unscoped()
        .filter(edition__is_default=True)
        .select_related("region__parent", "period", "edition")
        .order_by("region__code", "region_id", "-period__year")
        .distinct("region__code", "region_id")
    )


@dataclass
class ScoreCard:
    snapshot: ScoreSnapshot
    headline: Headline
    change: Change | None


def score_card_load(*, user: User) -> ScoreCard | None:
    """The latest period's IKOTAN under the default edition and the change from the period
    before (one query: the two latest snapshots with their period)."""
    latest = list(
        ScoreSnapshot.objects.for_user(user)
        .filter(edition__is_default=True)
        .select_related("period")
        .order_by("-period__year")[:2]
    )
    if not latest:
        return None
    snap = latest[0]
    previous = latest[1] if len(latest) > 1 else None
    scale = _scale(snap.detail)
    change = None
    if snap.scaled is not None and previous is not None and previous.scaled is not None:
        change = Change(snap.scaled - previous.scaled, previous, snap.is_final)
    return ScoreCard(
        snapshot=snap, headline=_headline(snap, scale.tone(snap.band_order)), change=change
    )
