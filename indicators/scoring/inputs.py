"""Reading what scoring needs from the database, in a fixed number of queries whatever the
number of periods: the only part of scoring that touches the ORM."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Prefetch

from indicators.models import (
    AssessmentPeriod,
    CategoryBand,
    Indicator,
    IndicatorValue,
    MethodologyEdition,
    Submission,
    Variable,
    VariableWeight,
)
from indicators.scoring.headline import HeadlineInputs, IndicatorSums
from indicators.scoring.method import (
    KECAMATAN,
    KELURAHAN,
    Band,
    EditionSpec,
    IndicatorSpec,
    PeriodInputs,
    RegionSpec,
    StakeholderSpec,
    ValueRow,
    VariableSpec,
    fingerprint,
)
from kotan.models import Region, Stakeholder


def editions_load() -> tuple[EditionSpec, ...]:
    """Every edition with its weights (in variable order) and bands: three queries."""

    editions = MethodologyEdition.objects.order_by("-is_default", "name").prefetch_related(
        Prefetch(
            "weights",
            queryset=VariableWeight.objects.select_related("variable").order_by(
                "variable__order", "variable__code"
            ),
        ),
        Prefetch("bands", queryset=CategoryBand.objects.order_by("order")),
    )
    return tuple(
        EditionSpec(
            id=e.pk,
            name=e.name,
            scale_min=e.scale_min,
            scale_max=e.scale_max,
            weights={w.variable.code: w.weight for w in e.weights.all()},
            bands=tuple(Band(b.order, b.name, b.lower, b.upper) for b in e.bands.all()),
            min_completeness=e.min_completeness,
        )
        for e in editions
    )


def _approved_rows(
    period_ids: Sequence[int],
) -> list[tuple[int, int, int | None, int | None, Decimal]]:
    """(period id, indicator id, region id, stakeholder id, value) of every approved value of
    an active indicator whose submission is at the indicator's level, ordered by period."""

    queryset = (
        IndicatorValue.objects.approved()
        .filter(
            submission__period_id__in=period_ids,
            indicator__active=True,
            indicator__level=F("submission__level"),
        )
        .order_by("submission__period_id")
        .values_list(
            "submission__period_id",
            "indicator_id",
            "submission__region_id",
            "submission__stakeholder_id",
            "value",
        )
    )
    if connection.vendor != "postgresql":
        return list(queryset)  # type: ignore[arg-type]  # value is never NULL: approved()
    # Same SQL, read as raw tuples: the ORM's per-row work doubles the time at national
    # scale, and PostgreSQL already returns numeric as Decimal.
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# What the database keeps added up per period and indicator (models.ValueTally, kept by the
# triggers of migration 0009): the approved values (all of them, and those at the
# indicator's level: the units), a 64-bit hash per value summed, and §3.1's clamped distance
# v − worst summed. Reading 50,000 sums instead of a million values is what keeps a national
# recompute near one GROUP BY over the values (issue 13). The fingerprint covers every
# approved value of an active indicator, also one at another level than the indicator's.
_FINGERPRINT_SQL = """
SELECT t.period_id, sum(t.value_count)::bigint, sum(t.hashes)
FROM indicators_valuetally t JOIN indicators_indicator i ON i.id = t.indicator_id
WHERE i.active AND t.period_id = ANY(%s)
GROUP BY t.period_id
"""
# One row a period: its count and hashes, and the tally rows at their indicator's level as
# arrays (indicator, units, distance). An indicator has more than one such row only when
# changes were committed since the last fold; `headlines_load` adds them up.
_SUMS_SQL = """
SELECT t.period_id, sum(t.value_count)::bigint, sum(t.hashes),
       array_agg(t.indicator_id) FILTER (WHERE t.at_level),
       array_agg(t.value_count) FILTER (WHERE t.at_level),
       array_agg(t.distance) FILTER (WHERE t.at_level)
FROM indicators_valuetally t JOIN indicators_indicator i ON i.id = t.indicator_id
WHERE i.active AND t.period_id = ANY(%s)
GROUP BY t.period_id
"""
# Periods with an approved kota or kelurahan submission outside their own city (the app
# never writes one; `method.unit_scores` ignores such values, the database sums would not).
_MISPLACED_SQL = """
SELECT DISTINCT s.period_id
FROM indicators_submission s
JOIN indicators_assessmentperiod p ON p.id = s.period_id
LEFT JOIN kotan_region r ON r.id = s.region_id
WHERE s.period_id = ANY(%s) AND s.status = %s AND s.stakeholder_id IS NULL
  AND NOT CASE WHEN s.level = 'kota' THEN s.region_id = p.city_id
               ELSE coalesce(r.level = 'kelurahan' AND r.city_id = p.city_id, false) END
"""


def database_fingerprint(count: int, hash_sum: int) -> str:
    """A period's values fingerprint on PostgreSQL, from their number and summed hashes."""
    return hashlib.sha256(f"{count}:{hash_sum}".encode()).hexdigest()


def values_fingerprints(*, period_ids: Sequence[int]) -> dict[int, str]:
    """A fingerprint of each period's approved values from their tallies, without reading the
    values: an unchanged recompute compares these with its snapshots and loads nothing else. SQLite
    (a laptop trial, a city or two) hashes the values in Python (`method.fingerprint`)."""
    if connection.vendor != "postgresql":
        return {p.period_id: fingerprint(p.values) for p in scores_load(period_ids=period_ids)}
    empty = database_fingerprint(0, 0)
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL, [list(period_ids)])
        found = {pk: database_fingerprint(n, int(h)) for pk, n, h in cursor.fetchall()}
    return {pk: found.get(pk, empty) for pk in period_ids}


def periods_misplaced(*, period_ids: Sequence[int]) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(_MISPLACED_SQL, [list(period_ids), Submission.Status.APPROVED.value])
        return {row[0] for row in cursor.fetchall()}


def _indicator_sums(
    ids: list[int], units: list[int], distances: list[Decimal]
) -> dict[int, IndicatorSums]:
    """A period's tally rows added up per indicator, keeping those with a unit."""
    sums = dict(zip(ids, zip(units, distances, strict=True), strict=True))
    if len(sums) < len(ids):  # an indicator with rows not folded yet
        sums = {}
        for pk, n, distance in zip(ids, units, distances, strict=True):
            before_n, before_distance = sums.get(pk, (0, Decimal(0)))
            sums[pk] = (before_n + n, before_distance + distance)
    return {pk: found for pk, found in sums.items() if found[0] > 0}


def headlines_load(*, period_ids: Sequence[int]) -> list[HeadlineInputs]:
    """What `headline.period_headline` needs for each period (PostgreSQL only): the
    per-indicator sums the database keeps (`_SUMS_SQL`), and the city's kelurahan
    and responsible organisations. Four queries whatever the number of periods."""
    if not period_ids:
        return []
    periods = list(
        AssessmentPeriod.objects.filter(pk__in=period_ids)
        .order_by("pk")
        .values_list("pk", "city_id", "status")
    )
    city_ids = {city_id for _pk, city_id, _status in periods}
    kelurahan = dict(
        Region.objects.filter(city_id__in=city_ids, level=KELURAHAN)
        .values("city_id")
        .annotate(n=Count("pk"))
        .values_list("city_id", "n")
    )
    responsible: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for city_id, indicator_id in Indicator.responsible.through.objects.filter(
        stakeholder__city_id__in=city_ids, stakeholder__active=True, indicator__active=True
    ).values_list("stakeholder__city_id", "indicator_id"):
        responsible[city_id or 0][indicator_id] += 1
    found: dict[int, tuple[str, int, dict[int, IndicatorSums]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_SUMS_SQL, [list(period_ids)])
        for period_id, count, hashes, ids, units, distances in cursor.fetchall():
            sums = _indicator_sums(ids or [], units or [], distances or [])
            found[period_id] = (
                database_fingerprint(count, int(hashes)),
                sum(n for n, _distance in sums.values()),
                sums,
            )
    empty: tuple[str, int, dict[int, IndicatorSums]] = (database_fingerprint(0, 0), 0, {})
    return [
        HeadlineInputs(
            period_id=pk,
            city_id=city_id,
            is_final=status == AssessmentPeriod.Status.LOCKED,
            fingerprint=found.get(pk, empty)[0],
            value_count=found.get(pk, empty)[1],
            sums=found.get(pk, empty)[2],
            kelurahan_count=kelurahan.get(city_id, 0),
            responsible=responsible[city_id],
        )
        for pk, city_id, status in periods
    ]


def indicators_load() -> tuple[IndicatorSpec, ...]:
    """The active catalogue in display order: one query."""
    return tuple(
        IndicatorSpec(
            id=i.pk,
            code=i.code,
            name=i.name,
            variable=i.variable.code,
            level=i.level,
            worst=i.worst,
            best=i.best,
            weight=i.weight,
            unit=i.unit,
            kind=i.kind,
        )
        for i in Indicator.objects.active()
        .select_related("variable")
        .order_by("variable__order", "order", "code")
    )


def variables_load() -> tuple[VariableSpec, ...]:
    return tuple(VariableSpec(v.code, v.name) for v in Variable.objects.order_by("order", "code"))


def scores_load(*, period_ids: Sequence[int]) -> list[PeriodInputs]:
    """The inputs of each period, in eight queries whatever the number of periods."""
    if not period_ids:
        return []

    periods = list(
        AssessmentPeriod.objects.filter(pk__in=period_ids).select_related("city").order_by("pk")
    )
    city_ids = {p.city_id for p in periods}
    variables = variables_load()
    indicators = indicators_load()
    active_ids = {spec.id for spec in indicators}
    regions: dict[int, list[RegionSpec]] = defaultdict(list)
    for pk, code, name, level, parent_id, city_id in (
        Region.objects.filter(city_id__in=city_ids, level__in=[KECAMATAN, KELURAHAN])
        .order_by("code")
        .values_list("pk", "code", "name", "level", "parent_id", "city_id")
    ):
        regions[city_id].append(RegionSpec(pk, code, name, level, parent_id))
    duties: dict[int, list[int]] = defaultdict(list)
    for stakeholder_id, indicator_id in Indicator.responsible.through.objects.filter(
        stakeholder__city_id__in=city_ids
    ).values_list("stakeholder_id", "indicator_id"):
        if indicator_id in active_ids:
            duties[stakeholder_id].append(indicator_id)
    stakeholders: dict[int, list[StakeholderSpec]] = defaultdict(list)
    for pk, name, city_id in (
        Stakeholder.objects.filter(city_id__in=city_ids, active=True)
        .order_by("kind", "name")
        .values_list("pk", "short_name", "city_id")
    ):
        stakeholders[city_id].append(StakeholderSpec(pk, name, tuple(sorted(duties[pk]))))
    values: dict[int, list[ValueRow]] = defaultdict(list)
    for period_id, ind, reg, stk, value in _approved_rows([p.pk for p in periods]):
        values[period_id].append((ind, reg, stk, value))
    result = []
    for period in periods:
        city = period.city
        city_regions = regions[city.pk]
        result.append(
            PeriodInputs(
                period_id=period.pk,
                city=RegionSpec(city.pk, city.code, city.name, city.level, city.parent_id),
                kecamatan=tuple(r for r in city_regions if r.level == KECAMATAN),
                kelurahan=tuple(r for r in city_regions if r.level == KELURAHAN),
                variables=variables,
                indicators=indicators,
                values=values[period.pk],
                stakeholders=tuple(stakeholders[city.pk]),
                is_final=period.status == AssessmentPeriod.Status.LOCKED,
            )
        )
    return result
