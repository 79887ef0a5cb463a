"""Writing scores: snapshots, recompute requests and queueing the recompute.

The data-entry workflow calls `scores_request_recompute(period=...)` inside the transaction
that approves, reopens or imports values. The request is a row written in that transaction,
and the Celery task is queued only after it commits; if the broker is down the row stays and
the minute sweep (`scores_recompute_pending`) recomputes it, so no request is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from indicators.models import (
    AssessmentPeriod,
    MethodologyEdition,
    ScoreRecomputeRequest,
    ScoreSnapshot,
)
from indicators.scoring.detail import CategoryDetail, SnapshotDetail
from indicators.scoring.inputs import (
    editions_load,
    indicators_load,
    scores_load,
    values_fingerprints,
)
from indicators.scoring.method import (
    Category,
    EditionResult,
    EditionSpec,
    IndicatorSpec,
    Number,
    PeriodScores,
    index_to_store,
    period_scores,
    points_needed_for_next_band,
    to_decimal,
    truncate,
)
from kotan.models import Notification, User
from kotan.notifications import notifications_emit

logger = logging.getLogger(__name__)

# First key of pg_advisory_xact_lock(int, int): "scores"; the second is the period id.
_LOCK_CLASS = 4_0404
# Levers kept in a snapshot: the dashboard shows the first few, briefs may show more.
_LEVERS_KEPT = 10
# Bump when the layout of ScoreSnapshot.detail changes: it is part of the method fingerprint,
# so the next recompute (at the latest the nightly one) rewrites every snapshot.
DETAIL_FORMAT = 3


@dataclass(frozen=True)
class RecomputeResult:
    periods: int
    written: int
    unchanged: int


def _num(value: Number | None, places: int = 4) -> str | None:
    return None if value is None else str(to_decimal(value, places))


def _percent(value: Fraction) -> str:
    return str(truncate(value * 100, 2))


def _category(category: Category | None) -> CategoryDetail | None:
    if category is None:
        return None
    return {
        "scaled": str(category.scaled),
        "band_order": category.band.order if category.band else None,
        "band": category.band.name if category.band else "",
        "next_band": category.next_band.name if category.next_band else "",
        "gap": None if category.gap is None else str(category.gap),
    }


def _consistent(
    value: Fraction | None, category: Category | None, edition: EditionSpec, places: int = 4
) -> str | None:
    """An index as stored beside its category: never one that rounds to another value."""
    if value is None:
        return None
    if category is None:
        return _num(value, places)
    return str(index_to_store(value, category, edition, places))


def snapshot_detail(scores: PeriodScores, result: EditionResult) -> SnapshotDetail:
    """The JSON kept beside a city's IKOTAN: everything the dashboard and briefs explain."""
    edition = result.edition
    responsible: dict[int, list[str]] = {}
    for stakeholder in scores.stakeholders:
        for indicator_id in stakeholder.indicator_ids:
            responsible.setdefault(indicator_id, []).append(stakeholder.name)
    points_needed = (
        points_needed_for_next_band(edition, result.index, result.category)
        if result.index is not None and result.category is not None
        else None
    )
    return {
        "edition": {
            "name": edition.name,
            "scale_min": str(edition.scale_min),
            "scale_max": str(edition.scale_max),
            "min_completeness": str(edition.min_completeness),
            "bands": [
                {"order": b.order, "name": b.name, "lower": str(b.lower), "upper": str(b.upper)}
                for b in edition.bands
            ],
        },
        "category": _category(result.category),
        "is_final": scores.is_final,
        "completeness": _percent(result.completeness),
        "variables": [
            {
                "code": v.spec.code,
                "name": v.spec.name,
                "weight": str(v.weight),
                "index": _consistent(v.index, v.category, edition),
                "coverage": _num(v.coverage),
                "completeness": _percent(v.completeness),
                "category": _category(v.category),
                "indicators": [
                    {
                        "id": r.spec.id,
                        "code": r.spec.code,
                        "name": r.spec.name,
                        "level": r.spec.level,
                        "weight": str(r.spec.weight),
                        "score": _num(r.score),
                        "contribution": _num(r.contribution),
                        "units": r.units_with_value,
                        "expected": r.units_expected,
                        "completeness": _percent(r.completeness),
                    }
                    for r in v.indicators
                ],
            }
            for v in result.variables
        ],
        "levers": [
            {
                "code": lever.spec.code,
                "name": lever.spec.name,
                "variable": lever.spec.variable,
                "level": lever.spec.level,
                "unit": lever.spec.unit,
                "kind": lever.spec.kind,
                "score": _num(lever.score),
                "max_gain": _num(lever.max_gain),
                "score_needed": _num(lever.score_needed),
                "value_needed": _num(lever.value_needed, 2),
                "responsible": responsible.get(lever.spec.id, []),
            }
            for lever in result.levers[:_LEVERS_KEPT]
        ],
        "points_needed": _num(points_needed),
        "path": [
            {
                "code": step.spec.code,
                "name": step.spec.name,
                "variable": step.spec.variable,
                "score": str(to_decimal(step.score, 4)),
                "gain": str(to_decimal(step.gain, 4)),
                "responsible": responsible.get(step.spec.id, []),
            }
            for step in result.path
        ],
        # Compact, because a national recompute writes one per city-year and edition:
        # see `TerritoryRow`; names are read from the regions when shown.
        "territory": [
            [
                row.region.id,
                row.region.parent_id,
                _consistent(row.index, row.category, edition, 2),
                None if row.category is None else str(row.category.scaled),
                row.category.band.order if row.category and row.category.band else None,
                [_num(value, 2) for value in row.variables.values()],
                _percent(row.completeness),
            ]
            for row in result.territory
        ],
        "stakeholders": [
            {
                "id": c.stakeholder.id,
                "name": c.stakeholder.name,
                "expected": c.expected,
                "approved": c.approved,
            }
            for c in scores.completeness
        ],
    }


def method_fingerprint(edition: EditionSpec, indicators: Sequence[IndicatorSpec]) -> str:
    """sha256 of what turns values into scores: the edition's scale, weights and bands and
    the active catalogue (and the layout of `detail`). A changed weight therefore yields a
    new snapshot."""
    spec = {
        "format": DETAIL_FORMAT,
        "scale": [str(edition.scale_min), str(edition.scale_max)],
        "min_completeness": str(edition.min_completeness),
        "weights": {code: str(w) for code, w in edition.weights.items()},
        "bands": [[b.name, str(b.lower), str(b.upper)] for b in edition.bands],
        "indicators": [
            [i.code, i.variable, i.level, str(i.worst), str(i.best), str(i.weight)]
            for i in indicators
        ],
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def _lock_periods(period_ids: Sequence[int]) -> None:
    """Serialise recomputes of the same period (two workers, or a task and the nightly job).
    Locks are taken in id order, so two multi-period recomputes cannot deadlock."""
    if connection.vendor != "postgresql":
        return  # SQLite (a laptop trial) serialises writers by itself
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, id) FROM unnest(%s::int[]) AS t(id)",
            [_LOCK_CLASS, sorted(period_ids)],
        )


def _snapshot(scores: PeriodScores, result: EditionResult, method: str, now: Any) -> ScoreSnapshot:
    category = result.category
    return ScoreSnapshot(
        period_id=scores.period_id,
        edition_id=result.edition.id,
        region_id=scores.city.id,
        computed_at=now,
        fingerprint=scores.fingerprint,
        method_fingerprint=method,
        value_count=scores.value_count,
        index=None
        if result.index is None or category is None
        else index_to_store(result.index, category, result.edition),
        scaled=category.scaled if category else None,
        band_order=category.band.order if category and category.band else None,
        band_name=category.band.name if category and category.band else "",
        missing_variables=list(result.missing),
        completeness=truncate(result.completeness * 100, 2),
        is_final=scores.is_final,
        detail=dict(snapshot_detail(scores, result)),
    )


def _notify_new_scores(written: Sequence[ScoreSnapshot]) -> None:
    """Tell each city's Pimpinan about a new score under the default edition. Three
    queries, plus two per city whose score changed."""
    default = MethodologyEdition.objects.default()
    fresh = [s for s in written if default is not None and s.edition_id == default.pk]
    if not fresh:
        return
    years = dict(
        AssessmentPeriod.objects.filter(pk__in=[s.period_id for s in fresh]).values_list(
            "pk", "year"
        )
    )
    leaders: dict[int, list[User]] = {}
    for user in User.objects.filter(
        role=User.Role.PIMPINAN, is_active=True, city_id__in={s.region_id for s in fresh}
    ):
        leaders.setdefault(user.city_id or 0, []).append(user)
    with translation.override(settings.LANGUAGE_CODE):
        for snapshot in fresh:
            if not leaders.get(snapshot.region_id):
                continue
            year = years.get(snapshot.period_id)
            if snapshot.scaled is not None:
                title = _("Skor IKOTAN %(year)s: %(score)s (%(band)s)") % {
                    "year": year,
                    "score": number_format(snapshot.scaled, 2),
                    "band": snapshot.band_name,
                }
            else:
                title = _("Skor IKOTAN %(year)s dihitung ulang (data belum lengkap)") % {
                    "year": year
                }
            notifications_emit(
                city=snapshot.region_id,
                recipients=leaders[snapshot.region_id],
                kind=Notification.Kind.SCORE_NEW,
                event_key=f"score.new:{snapshot.period_id}:{snapshot.fingerprint[:40]}",
                title=title,
                url=reverse("kotan:home"),
            )


@transaction.atomic
def _recompute_chunk(period_ids: Sequence[int], editions: Sequence[EditionSpec]) -> tuple[int, int]:
    _lock_periods(period_ids)
    # Read before the values: a request committed after this read keeps a higher
    # generation, survives the delete below, and is recomputed again.
    pending = list(
        ScoreRecomputeRequest.objects.filter(period_id__in=period_ids).values_list(
            "period_id", "generation"
        )
    )
    existing = {
        (p, e): (fp, mfp, final)
        for p, e, fp, mfp, final in ScoreSnapshot.objects.filter(
            period_id__in=period_ids
        ).values_list("period_id", "edition_id", "fingerprint", "method_fingerprint", "is_final")
    }
    # Values first, as PostgreSQL's hashes: an unchanged period loads nothing more.
    fingerprints = values_fingerprints(period_ids=period_ids)
    locked = set(
        AssessmentPeriod.objects.filter(
            pk__in=period_ids, status=AssessmentPeriod.Status.LOCKED
        ).values_list("pk", flat=True)
    )
    indicators = indicators_load()
    methods = {e.id: method_fingerprint(e, indicators) for e in editions}

    def stale_editions(period_id: int) -> list[EditionSpec]:
        fp, final = fingerprints[period_id], period_id in locked
        return [
            e for e in editions if existing.get((period_id, e.id)) != (fp, methods[e.id], final)
        ]

    stale = {pk: stale_editions(pk) for pk in fingerprints}
    now = timezone.now()
    to_write: list[ScoreSnapshot] = []
    unchanged = sum(len(editions) - len(eds) for eds in stale.values())
    for period in scores_load(period_ids=[pk for pk, eds in stale.items() if eds]):
        scores = period_scores(
            period, stale[period.period_id], values_fingerprint=fingerprints[period.period_id]
        )
        to_write.extend(_snapshot(scores, r, methods[r.edition.id], now) for r in scores.editions)
    # The unique (period, edition) constraint makes this an upsert: never a duplicate row.
    ScoreSnapshot.objects.bulk_create(
        to_write,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["period", "edition"],
        update_fields=[
            "region",
            "computed_at",
            "fingerprint",
            "method_fingerprint",
            "value_count",
            "index",
            "scaled",
            "band_order",
            "band_name",
            "missing_variables",
            "completeness",
            "is_final",
            "detail",
        ],
    )
    _notify_new_scores(to_write)
    if pending:
        done = Q()
        for period_id, generation in pending:
            done |= Q(period_id=period_id, generation=generation)
        ScoreRecomputeRequest.objects.filter(done).delete()
    return len(to_write), unchanged


def scores_recompute(*, period_ids: Iterable[int], chunk_size: int = 250) -> RecomputeResult:
    """Recompute and store the snapshots of `period_ids` under every edition. Idempotent:
    a snapshot whose inputs (values and method) are unchanged is left as it is. Each chunk
    of periods is one transaction with a fixed number of queries."""
    ids = sorted(set(period_ids))
    editions = editions_load()
    written = unchanged = 0
    for start in range(0, len(ids), chunk_size):
        w, u = _recompute_chunk(ids[start : start + chunk_size], editions)
        written += w
        unchanged += u
    return RecomputeResult(periods=len(ids), written=written, unchanged=unchanged)


def scores_recompute_nightly() -> RecomputeResult:
    """Every open period and every period with a pending request (e.g. one whose task was
    never queued because the broker was down)."""
    ids = AssessmentPeriod.objects.filter(
        Q(status=AssessmentPeriod.Status.OPEN) | Q(recompute_request__isnull=False)
    ).values_list("pk", flat=True)
    return scores_recompute(period_ids=list(ids))


def scores_recompute_pending() -> RecomputeResult:
    """Every period with a pending request: the minute sweep's catch-up after the broker
    was down (a period whose task is merely in flight is found unchanged, cheaply)."""
    ids = ScoreRecomputeRequest.objects.values_list("period_id", flat=True)
    return scores_recompute(period_ids=list(ids))


def enqueue_recompute(*, period_id: int) -> bool:
    """Queue the recompute task; False (and the request row stays) if the broker is down."""
    from indicators.tasks import recompute_period

    try:
        # A fresh connection without Celery's publish retries: an approval must not wait on
        # a dead broker, and the pending row already guarantees the recompute.
        with recompute_period.app.connection_for_write(
            transport_options={"max_retries": 0}
        ) as conn:
            recompute_period.apply_async(args=(period_id,), producer=conn.Producer(), retry=False)
    except Exception:  # kombu/redis raise several unrelated types for "broker unreachable"
        logger.warning("Broker unreachable; recompute of period %s left pending", period_id)
        return False
    return True


def scores_request_recompute(*, period: AssessmentPeriod) -> None:
    """Mark `period`'s scores stale and queue a recompute after the current transaction
    commits. Call it inside the transaction that approves, reopens or imports values."""
    table = ScoreRecomputeRequest._meta.db_table
    with connection.cursor() as cursor:
        # One statement, so two concurrent requests for a period never collide.
        cursor.execute(
            f"INSERT INTO {table} (period_id, requested_at, generation) VALUES (%s, %s, 1) "
            f"ON CONFLICT (period_id) DO UPDATE SET requested_at = EXCLUDED.requested_at, "
            f"generation = {table}.generation + 1",
            [period.pk, timezone.now()],
        )
    transaction.on_commit(partial(enqueue_recompute, period_id=period.pk))
