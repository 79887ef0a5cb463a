"""Reads for the entry pages, the kelurahan grid and the completeness page.

Each function runs a fixed number of queries whatever the number of units and values (the
grid and the completeness page assert it in tests), so they fetch whole sets and group in
Python rather than querying per unit.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from indicators.models import (
    AssessmentPeriod,
    Indicator,
    IndicatorValue,
    MethodologyEdition,
    ScoreSnapshot,
    Submission,
    Variable,
)
from indicators.scoring.recompute import snapshot_explained
from indicators.services.values import submission_history
from kotan.lib.history import HistoryItem, readable_history
from kotan.models import Region, Stakeholder, User

Level = Indicator.Level


def unit_indicators(
    *, city: Region, level: str, stakeholder: Stakeholder | None = None
) -> list[Indicator]:
    """The active indicators of a level, with their variable and the city's responsible
    organisations prefetched; for a stakeholder only those assigned to it."""
    indicators = (
        Indicator.objects.active()
        .at_level(level)
        .select_related("variable")
        .prefetch_related(
            Prefetch("responsible", queryset=Stakeholder.objects.for_city(city.pk).order_by())
        )
    )
    if stakeholder is not None:
        indicators = indicators.filter(responsible=stakeholder)
    return list(indicators)


def by_variable(indicators: list[Indicator]) -> list[tuple[Variable, list[Indicator]]]:
    """Indicators grouped by variable, in the catalogue's order (already sorted so)."""
    return [
        (variable, list(items)) for variable, items in groupby(indicators, lambda i: i.variable)
    ]


def unit_submission(
    *,
    period: AssessmentPeriod,
    level: str,
    region: Region | None = None,
    stakeholder: Stakeholder | None = None,
) -> Submission | None:
    submissions = (
        Submission.objects.for_city(period.city_id)
        .filter(period=period)
        .select_related("period__city", "submitted_by", "approved_by")
    )
    if level == Level.STAKEHOLDER:
        return submissions.filter(stakeholder=stakeholder).first()
    return submissions.filter(level=level, region=region).first()


def values_by_indicator(submission: Submission | None) -> dict[int, IndicatorValue]:
    if submission is None:
        return {}
    return {
        value.indicator_id: value
        for value in submission.values.select_related("entered_by").order_by()
    }


def history(submission: Submission | None, limit: int = 50) -> list[HistoryItem]:
    """The newest `limit` changes to a submission and its values, imports included, as
    people read them (kotan.lib.history)."""
    if submission is None:
        return []
    entries = list(submission_history(submission).select_related("content_type")[:limit])
    yes_no = Indicator.objects.filter(kind=Indicator.Kind.YES_NO).values_list("code", flat=True)
    return readable_history(entries, yes_no=list(yes_no))


def periods_for_user(user: User) -> QuerySet[AssessmentPeriod]:
    return AssessmentPeriod.objects.for_user(user).select_related("city")


def framework_overview() -> dict[str, object]:
    editions = MethodologyEdition.objects.prefetch_related("weights__variable", "bands")
    variables = Variable.objects.annotate(
        active_count=Count("indicators", filter=Q(indicators__active=True))
    )
    return {"editions": editions, "variables": variables}


def catalogue(city: Region | None) -> QuerySet[Indicator]:
    """Every indicator, retired ones included, with the city's responsible organisations
    (none for Admin Pusat, who has no city) and whether it holds values (then it can only be
    retired)."""
    city_id = city.pk if city else None
    return (
        Indicator.objects.select_related("variable")
        .prefetch_related(
            Prefetch("responsible", queryset=Stakeholder.objects.for_city(city_id).order_by())
        )
        .annotate(value_count=Count("values"))
    )


# --- The kelurahan grid ----------------------------------------------------------------


@dataclass
class GridData:
    kelurahan: list[Region]
    indicators: list[Indicator]
    submissions: dict[int, Submission]  # region pk →
    values: dict[tuple[int, int], IndicatorValue]  # (region pk, indicator pk) →


def grid_row_missing(data: GridData, region_pk: int) -> list[str]:
    """What keeps one grid row from being submitted: indicator codes without a value, and
    "bukti <code>" where evidence is needed and absent (same rule as missing_for_submit)."""
    missing = []
    for indicator in data.indicators:
        stored = data.values.get((region_pk, indicator.pk))
        value = stored.value if stored else None
        if value is None:
            missing.append(indicator.code)
        elif indicator.needs_evidence(value) and not (stored and stored.evidence):
            missing.append(str(_("bukti %(code)s") % {"code": indicator.code}))
    return missing


def kelurahan_grid(period: AssessmentPeriod) -> GridData:
    """Four queries: kelurahan, indicators, submissions, values."""
    kelurahan = list(
        Region.objects.for_city(period.city_id)
        .kelurahan()
        .select_related("parent")
        .order_by("code")
    )
    indicators = list(
        Indicator.objects.active().at_level(Level.KELURAHAN).select_related("variable")
    )
    submissions = {
        s.region_id: s
        for s in Submission.objects.for_city(period.city_id)
        .filter(period=period, level=Level.KELURAHAN)
        .order_by()
        if s.region_id is not None
    }
    values = {
        (v.submission.region_id, v.indicator_id): v
        for v in IndicatorValue.objects.for_city(period.city_id)
        .filter(submission__period=period, submission__level=Level.KELURAHAN)
        .select_related("submission")
        .only("value", "evidence", "indicator_id", "submission__region_id")
        .order_by()
        if v.submission.region_id is not None
    }
    return GridData(kelurahan, indicators, submissions, values)


# --- Completeness -----------------------------------------------------------------------


@dataclass
class UnitProgress:
    level: str
    label: str
    group: str
    region: Region | None = None
    stakeholder: Stakeholder | None = None
    applicable: int = 0
    entered: int = 0
    status: str = ""
    status_label: str = ""
    late: bool = False

    @property
    def submitted(self) -> int:
        done = (Submission.Status.SUBMITTED, Submission.Status.APPROVED)
        return self.entered if self.status in done else 0

    @property
    def approved(self) -> int:
        return self.entered if self.status == Submission.Status.APPROVED else 0


@dataclass
class Completeness:
    rows: list[UnitProgress]
    totals: dict[str, int] = field(default_factory=dict)


def period_completeness(period: AssessmentPeriod, today: datetime.date) -> Completeness:
    """For the city, each kelurahan and each stakeholder with assigned stakeholder-level
    indicators: applicable indicators, values entered, submitted and approved. A unit not yet
    submitted after the window closed is late. Five queries whatever the sizes."""
    per_level = Counter(
        dict(
            Indicator.objects.active()
            .values_list("level")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("level", "n")
        )
    )
    per_stakeholder = dict(
        Stakeholder.objects.for_city(period.city_id)
        .filter(indicators__active=True, indicators__level=Level.STAKEHOLDER)
        .values("pk")
        .annotate(n=Count("indicators"))
        .order_by()
        .values_list("pk", "n")
    )
    submissions = {
        (s.level, s.region_id or s.stakeholder_id): s
        for s in Submission.objects.for_city(period.city_id)
        .filter(period=period)
        .annotate(
            entered=Count(
                "values", filter=Q(values__value__isnull=False, values__indicator__active=True)
            )
        )
        .order_by()
    }
    rows: list[UnitProgress] = []
    regions = (
        Region.objects.for_city(period.city_id).filter(
            Q(pk=period.city_id) | Q(level=Region.Level.KELURAHAN)
        )
    ).select_related("parent")
    for region in sorted(regions, key=lambda r: (r.level != Region.Level.KOTA, r.code)):
        level = Level.KOTA if region.level == Region.Level.KOTA else Level.KELURAHAN
        group = str(Level.KOTA.label) if level == Level.KOTA else region.parent.name  # type: ignore[union-attr]
        rows.append(UnitProgress(level, region.name, group, region=region))
        rows[-1].applicable = per_level[level]
    stakeholders = (
        Stakeholder.objects.for_city(period.city_id)
        .filter(pk__in=per_stakeholder)
        .order_by("kind", "name")
    )
    for stakeholder in stakeholders:
        row = UnitProgress(
            Level.STAKEHOLDER,
            str(stakeholder),
            str(Level.STAKEHOLDER.label),
            stakeholder=stakeholder,
            applicable=per_stakeholder[stakeholder.pk],
        )
        rows.append(row)
    late_after = period.closes_on
    for row in rows:
        unit = row.region or row.stakeholder
        submission = submissions.get((row.level, unit.pk if unit else None))
        if submission is not None:
            row.entered = submission.entered  # type: ignore[attr-defined]
            row.status = submission.status
            row.status_label = submission.get_status_display()
        row.late = today > late_after and row.status not in (
            Submission.Status.SUBMITTED,
            Submission.Status.APPROVED,
        )
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals["applicable"] += row.applicable
        totals["entered"] += row.entered
        totals["submitted"] += row.submitted
        totals["approved"] += row.approved
        totals["late"] += row.late
    return Completeness(rows, dict(totals))


def stakeholders_with_entry(period: AssessmentPeriod) -> QuerySet[Stakeholder]:
    """Organisations of the city that have stakeholder-level indicators to fill."""
    return (
        Stakeholder.objects.for_city(period.city_id)
        .active()
        .filter(indicators__active=True, indicators__level=Level.STAKEHOLDER)
        .distinct()
        .order_by("kind", "name")
    )


def variable_indices(period: AssessmentPeriod) -> dict[Variable, Decimal | None]:
    """Each variable's index (0–100) in the period's latest snapshot under the default
    edition; empty while the period has no snapshot. Two queries."""
    snapshot = (
        ScoreSnapshot.objects.for_city(period.city_id)
        .filter(period=period, edition__is_default=True)
        .only("period_id", "detail")
        .first()
    )
    if snapshot is None:
        return {}
    snapshot_explained(snapshot)
    by_code = {v.code: v for v in Variable.objects.all()}
    return {
        by_code[row["code"]]: None if row["index"] is None else Decimal(row["index"])
        for row in snapshot.detail.get("variables", [])
        if row["code"] in by_code
    }


# --- The review queue (issue 11) --------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, already validated (indicators.review_forms.QueueFilterForm)."""

    period_id: int | None = None
    level: str = ""
    kecamatan_id: int | None = None
    stakeholder_id: int | None = None
    variable_id: int | None = None
    status: str = Submission.Status.SUBMITTED


def review_queue(city_id: int, filters: QueueFilters) -> QuerySet[Submission]:
    """A city's submissions matching the filters, longest waiting first (submitted units by
    when they were submitted, others by their last change). One query when evaluated."""
    queue = Submission.objects.for_city(city_id).filter(status=filters.status)
    if filters.period_id:
        queue = queue.filter(period_id=filters.period_id)
    if filters.level:
        queue = queue.filter(level=filters.level)
    if filters.kecamatan_id:
        queue = queue.filter(region__parent_id=filters.kecamatan_id)
    if filters.stakeholder_id:
        queue = queue.filter(stakeholder_id=filters.stakeholder_id)
    if filters.variable_id:
        queue = queue.filter(
            pk__in=IndicatorValue.objects.for_city(city_id)
            .filter(indicator__variable_id=filters.variable_id, value__isnull=False)
            .values("submission_id")
        )
    return queue.select_related("period", "region__parent", "stakeholder", "submitted_by").order_by(
        "submitted_at", "updated_at", "pk"
    )


def previous_period(period: AssessmentPeriod) -> AssessmentPeriod | None:
    return (
        AssessmentPeriod.objects.for_city(period.city_id)
        .filter(year__lt=period.year)
        .order_by("-year")
        .first()
    )


def previous_values(submission: Submission) -> dict[int, Decimal]:
    """The same unit's values in the city's previous period (any status: the verifier
    compares with what was reported), keyed by indicator. Two queries."""
    before = previous_period(submission.period)
    if before is None:
        return {}
    unit = (
        Q(submission__stakeholder_id=submission.stakeholder_id)
        if submission.stakeholder_id
        else Q(submission__level=submission.level, submission__region_id=submission.region_id)
    )
    return {
        indicator_id: value
        for indicator_id, value in IndicatorValue.objects.for_city(submission.period.city_id)
        .filter(unit, submission__period=before, value__isnull=False)
        .order_by()
        .values_list("indicator_id", "value")
        if value is not None
    }


def value_warnings(
    indicator: Indicator, value: Decimal | None, previous: Decimal | None
) -> list[str]:
    """Why a value deserves a second look under the indicator's validation rules; warnings
    only, a value outside them can be true."""
    if value is None:
        return []
    warnings = []
    if indicator.warn_min is not None and value < indicator.warn_min:
        limit = _num(indicator.warn_min)
        warnings.append(str(_("di bawah batas wajar %(limit)s") % {"limit": limit}))
    if indicator.warn_max is not None and value > indicator.warn_max:
        limit = _num(indicator.warn_max)
        warnings.append(str(_("di atas batas wajar %(limit)s") % {"limit": limit}))
    if (
        indicator.warn_max_change is not None
        and previous is not None
        and abs(value - previous) > indicator.warn_max_change
    ):
        warnings.append(
            str(
                _("berubah lebih dari %(limit)s dari periode lalu")
                % {"limit": _num(indicator.warn_max_change)}
            )
        )
    return warnings


def _num(number: Decimal) -> str:
    return format(number.normalize(), "f").replace(".", ",")


@dataclass
class ReviewRow:
    indicator: Indicator
    value: IndicatorValue | None
    previous: Decimal | None
    warnings: list[str]

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.value.value is None or self.previous is None:
            return None
        return self.value.value - self.previous


def review_rows(submission: Submission) -> list[ReviewRow]:
    """Each applicable indicator of the unit with its value, last period's value, the change
    and the warnings. Four queries."""
    indicators = unit_indicators(
        city=submission.period.city, level=submission.level, stakeholder=submission.stakeholder
    )
    stored = values_by_indicator(submission)
    before = previous_values(submission)
    rows = []
    for indicator in indicators:
        value = stored.get(indicator.pk)
        number = value.value if value is not None else None
        previous = before.get(indicator.pk)
        warnings = value_warnings(indicator, number, previous)
        rows.append(ReviewRow(indicator, value, previous, warnings))
    return rows
