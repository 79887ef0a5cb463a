"""Selecting recommendations from the city's library for a brief."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from kotan.models import Region, Stakeholder
from reports.briefs.common import VariableStanding
from reports.models import Recommendation

_LAST = Decimal(1_000)


def _library(*, city: Region, stakeholder: Stakeholder | None) -> list[Recommendation]:
    """Active recommendations of the city (3 queries: rows, bands, addressees)."""
    qs = (
        Recommendation.objects.filter(city=city, active=True)
        .select_related("variable", "indicator")
        .prefetch_related(
            "bands",
            Prefetch("addressees", queryset=Stakeholder.objects.order_by("kind", "name")),
        )
    )
    if stakeholder is not None:
        qs = qs.filter(addressees=stakeholder)
    return list(qs.order_by("variable__order", "order", "id"))


def recommendations_matching(
    *,
    city: Region,
    standings: Sequence[VariableStanding],
    stakeholder: Stakeholder | None = None,
) -> list[Recommendation]:
    """The recommendations whose bands contain the current band of their variable (or of
    their indicator, when they name one), weakest variable first; optionally only those
    addressed to `stakeholder`. A fixed 3 queries.
    """
    by_variable = {s.variable_id: s for s in standings}
    chosen: list[tuple[Decimal, int, int, Recommendation]] = []
    for recommendation in _library(city=city, stakeholder=stakeholder):
        standing = by_variable.get(recommendation.variable_id)
        if standing is None:
            continue
        band_id = standing.band_id
        if recommendation.indicator_id is not None:
            band_id = standing.indicator_band_ids.get(recommendation.indicator_id, band_id)
        if band_id is None or band_id not in {b.pk for b in recommendation.bands.all()}:
            continue
        weakness = standing.index if standing.index is not None else _LAST
        chosen.append((weakness, recommendation.order, recommendation.pk, recommendation))
    chosen.sort(key=lambda item: item[:3])
    return [item[3] for item in chosen]


def recommendations_unfiltered(
    *, city: Region, stakeholder: Stakeholder | None = None
) -> list[Recommendation]:
    """The whole active library (addressed to `stakeholder` if given), by variable order:
    what a brief shows while no score exists to pick by band."""
    return _library(city=city, stakeholder=stakeholder)


def recommendation_rows(recommendations: Sequence[Recommendation]) -> list[dict[str, Any]]:
    """Plain data for the PDF template and the fingerprint."""
    return [
        {
            "id": r.pk,
            "variable": r.variable.code,
            "variable_name": r.variable.name,
            "indicator": r.indicator.code if r.indicator else "",
            "title": r.title,
            "body": r.body,
            "legal_basis": r.legal_basis,
            "bands": sorted({b.name for b in r.bands.all()}),
            "addressees": [s.short_name or s.name for s in r.addressees.all()],
        }
        for r in recommendations
    ]


def recommendation_section(
    *,
    city: Region,
    standings: Sequence[VariableStanding] | None,
    stakeholder: Stakeholder | None = None,
) -> dict[str, Any]:
    """The brief's recommendations: matched by band when scores exist, else the library."""
    if standings is None:
        items = recommendations_unfiltered(city=city, stakeholder=stakeholder)
        return {"filtered": False, "items": recommendation_rows(items)}
    items = recommendations_matching(city=city, standings=standings, stakeholder=stakeholder)
    return {"filtered": True, "items": recommendation_rows(items)}
