"""Pieces every brief shares: the content record, the data fingerprint, data completeness,
the method note and the hooks for score data.

Builders put only plain data (str, int, Decimal, lists, dicts) into the part of the context
that the fingerprint covers, so two briefs with the same fingerprint show the same facts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from indicators.models import (
    AssessmentPeriod,
    CategoryBand,
    Indicator,
    IndicatorValue,
    MethodologyEdition,
    ScoreSnapshot,
    Submission,
    Variable,
    VariableWeight,
)
from indicators.scoring.method import Band, EditionSpec, categorise
from indicators.scoring.recompute import snapshot_explained
from kotan.models import Region

# Bump when a PDF template changes what a brief shows, so stored briefs are not reused
# for data that would now be laid out differently.
LAYOUT_VERSION = "2026-1"


class _Unset:
    """Marks an argument not given (None is a meaningful value: no snapshot)."""


UNSET = _Unset()


@dataclass(frozen=True)
class BriefContent:
    """What a builder returns: the template, its context and the data fingerprint."""

    template: str
    context: dict[str, Any]
    fingerprint: str


class BriefContentUnavailable(Exception):
    """The data a brief needs does not exist; the message is for the user, in Indonesian."""


def fingerprint_of(data: Any) -> str:
    """SHA-256 of the brief's data in a canonical JSON form, plus the layout version."""
    payload = json.dumps(
        {"layout": LAYOUT_VERSION, "data": data}, sort_keys=True, default=str, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def period_facts(period: AssessmentPeriod, edition: MethodologyEdition) -> dict[str, Any]:
    return {
        "city": period.city.name,
        "city_id": period.city_id,
        "year": period.year,
        "period_id": period.pk,
        "period_status": period.get_status_display(),
        "edition": edition.name,
        "edition_id": edition.pk,
    }


def method_note(edition: MethodologyEdition) -> dict[str, Any]:
    """The edition's scale, variable weights and bands (2 queries)."""
    weights = VariableWeight.objects.filter(edition=edition).select_related("variable")
    bands = CategoryBand.objects.filter(edition=edition).order_by("order")
    return {
        "edition": edition.name,
        "scale_min": edition.scale_min,
        "scale_max": edition.scale_max,
        "weights": [
            {"code": w.variable.code, "name": w.variable.name, "weight": w.weight} for w in weights
        ],
        "bands": [
            {"order": b.order, "name": b.name, "lower": b.lower, "upper": b.upper} for b in bands
        ],
    }


@dataclass
class _Completeness:
    expected: int = 0
    approved: int = 0
    entered: int = 0

    def as_dict(self) -> dict[str, Any]:
        share = Decimal(0) if not self.expected else Decimal(self.approved) / self.expected
        return {
            "expected": self.expected,
            "entered": self.entered,
            "approved": self.approved,
            "approved_pct": (share * 100).quantize(Decimal("0.1")),
        }


@dataclass
class _VariableRow:
    code: str
    name: str
    counts: _Completeness = field(default_factory=_Completeness)


def data_completeness(
    *, period: AssessmentPeriod, indicators: list[Indicator] | None = None
) -> dict[str, Any]:
    """How much of the period's data exists and is approved, per variable and per level of
    submission (the brief's "kelengkapan data" section). A fixed 4 queries (5 when the
    indicators are not given), whatever the number of kelurahan or stakeholders.

    Expected values: a kota-level indicator expects one value, a kelurahan-level one a value
    per kelurahan of the city, a stakeholder-level one a value per responsible organisation
    of the city.
    """
    city: Region = period.city
    if indicators is None:
        indicators = list(Indicator.objects.active().select_related("variable"))
    kelurahan_count = Region.objects.filter(city=city, level=Region.Level.KELURAHAN).count()
    responsible_counts = dict(
        Indicator.objects.filter(pk__in=[i.pk for i in indicators])
        .annotate(
            n=Count("responsible", filter=Q(responsible__city=city, responsible__active=True))
        )
        .values_list("pk", "n")
    )
    values = (
        IndicatorValue.objects.filter(
            submission__period=period, value__isnull=False, indicator__in=indicators
        )
        .values("indicator_id")
        .annotate(
            entered=Count("id"),
            approved=Count("id", filter=Q(submission__status=Submission.Status.APPROVED)),
        )
    )
    by_indicator = {row["indicator_id"]: row for row in values}
    statuses = (
        Submission.objects.filter(period=period)
        .values("level", "status")
        .annotate(n=Count("id"))
        .order_by("level", "status")
    )
    rows: dict[str, _VariableRow] = {}
    total = _Completeness()
    for indicator in indicators:
        variable: Variable = indicator.variable
        row = rows.setdefault(variable.code, _VariableRow(variable.code, variable.name))
        expected = {
            Indicator.Level.KOTA: 1,
            Indicator.Level.KELURAHAN: kelurahan_count,
            Indicator.Level.STAKEHOLDER: responsible_counts.get(indicator.pk, 0),
        }[Indicator.Level(indicator.level)]
        counts = by_indicator.get(indicator.pk, {"entered": 0, "approved": 0})
        for target in (row.counts, total):
            target.expected += expected
            target.entered += min(counts["entered"], expected)
            target.approved += min(counts["approved"], expected)
    submissions: dict[str, dict[str, int]] = {}
    labels = dict(Indicator.Level.choices)
    for item in statuses:
        per_level = submissions.setdefault(str(labels.get(item["level"], item["level"])), {})
        per_level[item["status"]] = item["n"]
    return {
        "variables": [
            {"code": r.code, "name": r.name, **r.counts.as_dict()} for r in rows.values()
        ],
        "total": total.as_dict(),
        "kelurahan_count": kelurahan_count,
        "submissions": [
            {
                "level": level,
                "approved": counts.get(Submission.Status.APPROVED, 0),
                "submitted": counts.get(Submission.Status.SUBMITTED, 0),
                "draft": counts.get(Submission.Status.DRAFT, 0)
                + counts.get(Submission.Status.RETURNED, 0),
            }
            for level, counts in sorted(submissions.items())
        ],
    }


@dataclass(frozen=True)
class VariableStanding:
    """A variable's index (0–100) and category band for one period and edition: what the
    recommendation selector needs. Supplied by the scores (see `variable_standings`)."""

    variable_id: int
    index: Decimal | None
    band_id: int | None
    # Bands of this variable's indicators, by indicator id, for recommendations tied to one
    # indicator; an indicator missing here falls back to the variable's band.
    indicator_band_ids: dict[int, int] = field(default_factory=dict)


def score_snapshot(
    *, period: AssessmentPeriod, edition: MethodologyEdition
) -> ScoreSnapshot | None:
    """The stored scores of the period under the edition (1 query), explained first if a
    headline-only recompute wrote them (`snapshot_explained`)."""
    snapshot = ScoreSnapshot.objects.filter(period=period, edition=edition).first()
    return snapshot_explained(snapshot) if snapshot else None


def _band_spec(detail: dict[str, Any]) -> EditionSpec:
    """The edition as the scoring service sees it, from the snapshot's own copy of the
    bands (so an indicator is banded with the same rule as the variables)."""
    edition = detail["edition"]
    bands = tuple(
        Band(b["order"], b["name"], Decimal(b["lower"]), Decimal(b["upper"]))
        for b in edition["bands"]
    )
    spec = EditionSpec(
        id=0,
        name=edition["name"],
        scale_min=Decimal(edition["scale_min"]),
        scale_max=Decimal(edition["scale_max"]),
        weights={},
        bands=bands,
    )
    return spec


def variable_standings(
    *,
    period: AssessmentPeriod,
    edition: MethodologyEdition,
    snapshot: ScoreSnapshot | _Unset | None = UNSET,
) -> list[VariableStanding] | None:
    """The variables' current indices and bands from the period's ScoreSnapshot, or None
    while no snapshot exists. A variable without data has no index and no band (its
    recommendations are then not picked). Indicators are banded by their own score with the
    edition's rule (DOMAIN.md §3.5), for recommendations tied to one indicator.
    Two queries (bands, variables), plus one when `snapshot` is not given.
    """
    if isinstance(snapshot, _Unset):
        snapshot = score_snapshot(period=period, edition=edition)
    if snapshot is None or not snapshot.detail:
        return None
    band_ids = dict(CategoryBand.objects.filter(edition=edition).values_list("order", "pk"))
    variable_ids = dict(Variable.objects.values_list("code", "pk"))
    spec = _band_spec(snapshot.detail)
    standings = []
    for variable in snapshot.detail["variables"]:
        if variable["code"] not in variable_ids:
            continue
        category = variable["category"] or {}
        band_order = category.get("band_order")
        indicator_bands: dict[int, int] = {}
        for indicator in variable["indicators"]:
            if indicator["score"] is None:
                continue
            band = categorise(Decimal(indicator["score"]), spec).band
            if band is not None and band.order in band_ids:
                indicator_bands[indicator["id"]] = band_ids[band.order]
        standings.append(
            VariableStanding(
                variable_id=variable_ids[variable["code"]],
                index=None if variable["index"] is None else Decimal(variable["index"]),
                band_id=band_ids.get(band_order) if band_order is not None else None,
                indicator_band_ids=indicator_bands,
            )
        )
    return standings
