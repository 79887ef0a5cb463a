"""Reads for the dashboards. Scores come only from stored snapshots (nothing is recomputed
on a page load), and every function runs a fixed number of queries whatever the number of
periods, kelurahan and values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from indicators.models import (
    AssessmentPeriod,
    IndicatorValue,
    MethodologyEdition,
    ScoreRecomputeRequest,
    ScoreSnapshot,
)
from kotan.models import Region, User
from reports.charts import ChartBand, ChartValue, bars_chart, tone_for, trend_chart

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
class Dashboard:
    choice: Choice
    snapshot: ScoreSnapshot | None = None
    previous: ScoreSnapshot | None = None
    change: Decimal | None = None
    pending: ScoreRecomputeRequest | None = None
    trend: list[ScoreSnapshot] = field(default_factory=list)
    tone: int | None = None
    category: dict[str, Any] | None = None
    variables: list[dict[str, Any]] = field(default_factory=list)
    weakest: list[dict[str, Any]] = field(default_factory=list)
    kecamatan: list[dict[str, Any]] = field(default_factory=list)
    completeness: list[dict[str, Any]] = field(default_factory=list)
    variables_svg: str = ""
    trend_svg: str = ""
    territory_rows: str = ""


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
    rows = [
        {
            "id": region_id,
            "parent_id": parent_id,
            "name": names.get(region_id, "?"),
            "scaled": two(scaled),
            "band": band_names.get(band_order, ""),
            "tone": scale.tone(band_order),
            "variables": [one(v) for v in variables],
        }
        for region_id, parent_id, index, scaled, band_order, variables, *_rest in detail[
            "territory"
        ]
    ]
    children: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row)
    # A kecamatan's parent is the city, which is not among the territory's regions.
    kecamatan = [r for r in rows if r["parent_id"] not in names]
    for kec in kecamatan:
        kec["kelurahan"] = children.get(kec["id"], [])
    return kecamatan


def territory_rows_html(kecamatan: list[dict[str, Any]]) -> SafeString:
    """The territory table's <tbody> groups. Built here rather than in the template: with
    ~60 regions × 8 cells it was a fifth of the dashboard's time in template tags."""
    incomplete = _("Belum lengkap")

    def row(region: dict[str, Any], name: str, classes: str, th_class: str) -> SafeString:
        return format_html(
            '<tr class="tone-{} {}"><th scope="row" class="{}">{}</th>'
            '<td class="num">{}</td><td>{}</td>{}</tr>',
            region["tone"] or 0,
            classes,
            th_class,
            name,
            region["scaled"],
            region["band"] or incomplete,
            format_html_join("", '<td class="num">{}</td>', ((v,) for v in region["variables"])),
        )

    return format_html_join(
        "\n",
        "<tbody>{}{}</tbody>",
        (
            (
                row(kec, _("Kec. %(name)s") % {"name": kec["name"]}, "fw-semibold", ""),
                format_html_join(
                    "",
                    "{}",
                    ((row(kel, kel["name"], "", "fw-normal ps-3"),) for kel in kec["kelurahan"]),
                ),
            )
            for kec in kecamatan
        ),
    )


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


def dashboard_load(*, user: User, year: str | None, edition_id: str | None) -> Dashboard:
    """The city dashboard: five queries (choices, trend, the chosen snapshot, pending)."""
    choice = choice_load(user=user, year=year, edition_id=edition_id)
    board = Dashboard(choice=choice)
    if choice.period is None or choice.edition is None:
        return board
    board.trend = _trend(choice, user)
    board.pending = ScoreRecomputeRequest.objects.filter(period=choice.period).first()
    board.snapshot = (
        ScoreSnapshot.objects.for_city(choice.period.city_id)
        .filter(period=choice.period, edition=choice.edition)
        .first()
    )
    earlier = [s for s in board.trend if s.period.year < choice.period.year]
    board.previous = earlier[-1] if earlier else None
    snap = board.snapshot
    if snap is None:
        return board
    if snap.scaled is not None and board.previous and board.previous.scaled is not None:
        board.change = snap.scaled - board.previous.scaled
    scale = _scale(snap.detail)
    board.tone = scale.tone(snap.band_order)
    board.category = _category(snap.detail["category"], scale)
    board.variables = _variables(snap.detail, scale)
    board.weakest = snapshot_weakest(snap.detail)
    board.kecamatan = _territory(snap.detail, scale)
    board.territory_rows = territory_rows_html(board.kecamatan)
    board.completeness = [
        {**row, "percent": round(100 * row["approved"] / row["expected"]) if row["expected"] else 0}
        for row in snap.detail["stakeholders"]
    ]
    board.variables_svg = variables_chart(board.variables, scale)
    board.trend_svg = ikotan_trend_chart(board.trend, scale)
    return board


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
        desc=_("Nilai IKOTAN kota tiap tahun pada skala edisi; latar menandai kategori."),
        points=[ChartValue(str(s.period.year), s.scaled, scale.tone(s.band_order)) for s in trend],
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
