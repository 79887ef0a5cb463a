"""Reading what scoring needs from the database, in a fixed number of queries whatever the
number of periods: the only part of scoring that touches the ORM."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import F, Prefetch

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


# The same lines as `method.fingerprint`, hashed by PostgreSQL: "C" collation sorts them by
# code point as Python's sorted() does, so both give the same sha256 for the same values.
_FINGERPRINT_SQL = """
SELECT s.period_id,
       encode(sha256(convert_to(string_agg(t.line, E'\\n' ORDER BY t.line), 'UTF8')), 'hex')
FROM indicators_indicatorvalue v
JOIN indicators_submission s ON s.id = v.submission_id
JOIN indicators_indicator i ON i.id = v.indicator_id
CROSS JOIN LATERAL (
    SELECT (v.indicator_id || ':' || coalesce(s.region_id::text, '') || ':'
            || coalesce(s.stakeholder_id::text, '') || ':' || v.value::text) COLLATE "C" AS line
) AS t
WHERE s.status = %s AND v.value IS NOT NULL AND i.active AND i.level = s.level
  AND s.period_id = ANY(%s)
GROUP BY s.period_id
"""


def values_fingerprints(*, period_ids: Sequence[int]) -> dict[int, str]:
    """`fingerprint` of each period's approved values without reading them into Python: an
    unchanged recompute compares these with its snapshots and loads nothing else (issue 13:
    it costs less than one GROUP BY over the same rows)."""
    empty = fingerprint(())
    if connection.vendor != "postgresql":
        # SQLite (a laptop trial, a city or two): reading the values is cheap there.
        return {p.period_id: fingerprint(p.values) for p in scores_load(period_ids=period_ids)}
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL, [Submission.Status.APPROVED.value, list(period_ids)])
        found = dict(cursor.fetchall())
    return {pk: found.get(pk, empty) for pk in period_ids}


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


def scores_load(*, period_ids: Sequence[int]) -> list[PeriodInputs]:
    """The inputs of each period, in eight queries whatever the number of periods."""
    if not period_ids:
        return []

    periods = list(
        AssessmentPeriod.objects.filter(pk__in=period_ids).select_related("city").order_by("pk")
    )
    city_ids = {p.city_id for p in periods}
    variables = tuple(
        VariableSpec(v.code, v.name) for v in Variable.objects.order_by("order", "code")
    )
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
