"""Writing scores: snapshots, recompute requests and queueing the recompute.

The data-entry workflow calls `scores_request_recompute(period=...)` inside the transaction
that approves, reopens or imports values. The request is a row written in that transaction,
and the Celery task is queued only after it commits; if the broker is down the row stays and
the minute sweep (`scores_recompute_pending`) recomputes it, so no request is lost.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any, NamedTuple, Protocol

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
from indicators.scoring.detail import (
    CategoryDetail,
    EditionDetail,
    SnapshotDetail,
    detail_explained,
)
from indicators.scoring.headline import Catalogue, Headline, HeadlineInputs, period_headline
from indicators.scoring.inputs import (
    editions_load,
    headlines_load,
    indicators_load,
    periods_misplaced,
    scores_load,
    values_fingerprints,
    variables_load,
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
from kotan.lib.broker import enqueue
from kotan.lib.pgcopy import copy_line, copy_rows
from kotan.models import Notification, User
from kotan.notifications import notifications_emit

# First key of pg_advisory_xact_lock(int, int): "scores"; the second is the period id.
_LOCK_CLASS = 4_0404
# Levers kept in a snapshot: the dashboard shows the first few, briefs may show more.
_LEVERS_KEPT = 10
# Bump when the layout of ScoreSnapshot.detail changes: it is part of the method fingerprint,
# so the next recompute (at the latest the nightly one) rewrites every snapshot.
DETAIL_FORMAT = 3
# Periods per transaction of a headline-only recompute: each of its queries reads all of
# them at once, so a transaction takes as many as the lock table allows (an advisory lock a
# period; PostgreSQL has room for 6,400 by default).
_HEADLINE_CHUNK = 2_000


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


def _edition(edition: EditionSpec) -> EditionDetail:
    return {
        "name": edition.name,
        "scale_min": str(edition.scale_min),
        "scale_max": str(edition.scale_max),
        "min_completeness": str(edition.min_completeness),
        "bands": [
            {"order": b.order, "name": b.name, "lower": str(b.lower), "upper": str(b.upper)}
            for b in edition.bands
        ],
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
        "edition": _edition(edition),
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


_HeadlineColumns = tuple[Decimal | None, Decimal | None, int | None, str]


def _headline_columns(
    index: Fraction | None, category: Category | None, edition: EditionSpec
) -> _HeadlineColumns:
    """A snapshot's IKOTAN columns, the same from either recompute path: the index as stored
    beside its category (`index_to_store`), the scaled value, and the band's order and name."""
    if category is None:
        return None, None, None, ""
    stored = None if index is None else index_to_store(index, category, edition)
    band = category.band
    return stored, category.scaled, band.order if band else None, band.name if band else ""


def _snapshot(scores: PeriodScores, result: EditionResult, method: str, now: Any) -> ScoreSnapshot:
    index, scaled, band_order, band_name = _headline_columns(
        result.index, result.category, result.edition
    )
    return ScoreSnapshot(
        period_id=scores.period_id,
        edition_id=result.edition.id,
        region_id=scores.city.id,
        computed_at=now,
        fingerprint=scores.fingerprint,
        method_fingerprint=method,
        value_count=scores.value_count,
        index=index,
        scaled=scaled,
        band_order=band_order,
        band_name=band_name,
        missing_variables=list(result.missing),
        completeness=truncate(result.completeness * 100, 2),
        is_final=scores.is_final,
        detail=dict(snapshot_detail(scores, result)),
    )


def _notify_new_scores(written: Sequence[_Written]) -> None:
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


class HeadlineRow(NamedTuple):
    """A snapshot with its headline only, as the COPY into `ScoreSnapshot` writes it: its
    detail holds the edition and the category (`detail.HeadlineDetail`), and
    `snapshot_explained` adds the rest when somebody opens it."""

    period_id: int
    edition_id: int
    region_id: int
    computed_at: Any
    fingerprint: str
    method_fingerprint: str
    value_count: int
    ikotan: Decimal | None  # the column `index` (a tuple has an index method)
    scaled: Decimal | None
    band_order: int | None
    band_name: str
    missing_variables: str  # JSON
    completeness: Decimal
    is_final: bool
    detail: str  # JSON


class _Written(Protocol):
    """A snapshot just written, as a ScoreSnapshot or a HeadlineRow."""

    @property
    def period_id(self) -> int: ...
    @property
    def edition_id(self) -> int: ...
    @property
    def region_id(self) -> int: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def scaled(self) -> Decimal | None: ...
    @property
    def band_name(self) -> str: ...


def _headline_row(
    inputs: HeadlineInputs, headline: Headline, method: str, edition_json: str, now: Any
) -> HeadlineRow:
    category, edition = headline.category, headline.edition
    ikotan, scaled, band_order, band_name = _headline_columns(headline.index, category, edition)
    completeness = _percent(headline.completeness)
    final = "true" if inputs.is_final else "false"
    return HeadlineRow(
        period_id=inputs.period_id,
        edition_id=edition.id,
        region_id=inputs.city_id,
        computed_at=now,
        fingerprint=inputs.fingerprint,
        method_fingerprint=method,
        value_count=inputs.value_count,
        ikotan=ikotan,
        scaled=scaled,
        band_order=band_order,
        band_name=band_name,
        missing_variables=json.dumps(headline.missing),
        completeness=Decimal(completeness),
        is_final=inputs.is_final,
        # Assembled around the edition's JSON, serialised once per recompute.
        detail=f'{{"edition": {edition_json}, "category": {json.dumps(_category(category))}, '
        f'"is_final": {final}, "completeness": "{completeness}"}}',
    )


@dataclass(frozen=True)
class _Chunk:
    """What a chunk of periods has now, and what its snapshots were computed from."""

    editions: Sequence[EditionSpec]
    methods: dict[int, str]
    locked: set[int]
    # (period, edition) → (values fingerprint, method fingerprint, is_final, explained)
    existing: dict[tuple[int, int], tuple[str, str, bool, bool]]
    explain: bool

    def current(self, period_id: int, edition: EditionSpec, fingerprint: str | None) -> bool:
        """Whether the snapshot stands as it is. `fingerprint` None: whatever the values."""
        have = self.existing.get((period_id, edition.id))
        method, final = self.methods[edition.id], period_id in self.locked
        if have is None or (have[1], have[2]) != (method, final):
            return False
        if self.explain and not have[3]:
            return False
        return fingerprint is None or have[0] == fingerprint

    def stale(self, period_id: int, fingerprint: str) -> list[EditionSpec]:
        return [e for e in self.editions if not self.current(period_id, e, fingerprint)]


def _chunk_load(
    period_ids: Sequence[int],
    editions: Sequence[EditionSpec],
    indicators: Sequence[IndicatorSpec],
    *,
    explain: bool,
) -> _Chunk:
    snapshots = ScoreSnapshot.objects.filter(period_id__in=period_ids)
    explained = (
        set(snapshots.filter(detail__has_key="variables").values_list("period_id", "edition_id"))
        if explain
        else set()
    )
    return _Chunk(
        editions=editions,
        methods={e.id: method_fingerprint(e, indicators) for e in editions},
        locked=set(
            AssessmentPeriod.objects.filter(
                pk__in=period_ids, status=AssessmentPeriod.Status.LOCKED
            ).values_list("pk", flat=True)
        ),
        existing={
            (p, e): (fp, mfp, final, (p, e) in explained)
            for p, e, fp, mfp, final in snapshots.values_list(
                "period_id", "edition_id", "fingerprint", "method_fingerprint", "is_final"
            )
        },
        explain=explain,
    )


def _explained_snapshots(
    chunk: _Chunk, period_ids: Sequence[int], fingerprints: dict[int, str], now: Any
) -> list[ScoreSnapshot]:
    """Every stale snapshot of `period_ids`, with its whole detail (`method.period_scores`)."""
    stale = {pk: chunk.stale(pk, fingerprints[pk]) for pk in period_ids}
    snapshots: list[ScoreSnapshot] = []
    for period in scores_load(period_ids=[pk for pk, eds in stale.items() if eds]):
        scores = period_scores(
            period, stale[period.period_id], values_fingerprint=fingerprints[period.period_id]
        )
        snapshots.extend(
            _snapshot(scores, r, chunk.methods[r.edition.id], now) for r in scores.editions
        )
    return snapshots


def _headline_rows(chunk: _Chunk, period_ids: Sequence[int], now: Any) -> list[HeadlineRow]:
    """Every stale snapshot of `period_ids` with its headline only, from the database's
    per-indicator sums (`headline.period_headline`)."""
    catalogue = Catalogue(variables_load(), indicators_load())
    editions = {e.id: json.dumps(_edition(e)) for e in chunk.editions}
    return [
        _headline_row(inputs, h, chunk.methods[h.edition.id], editions[h.edition.id], now)
        for inputs in headlines_load(period_ids=period_ids)
        for h in period_headline(
            inputs, catalogue, chunk.stale(inputs.period_id, inputs.fingerprint)
        )
    ]


_UPDATED = [
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
]


def _write(snapshots: Sequence[ScoreSnapshot]) -> None:
    # The unique (period, edition) constraint makes this an upsert: never a duplicate row.
    ScoreSnapshot.objects.bulk_create(
        snapshots,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["period", "edition"],
        update_fields=_UPDATED,
    )


def _write_rows(rows: Sequence[HeadlineRow], existing: Container[tuple[int, int]]) -> None:
    """The same upsert for thousands of headline rows, through COPY (bulk_create spent
    longer quoting them than computing them): a new snapshot straight into the table (the
    period's advisory lock keeps any other writer out), a replacement through a temporary
    table and one INSERT … ON CONFLICT."""
    table = ScoreSnapshot._meta.db_table
    columns = [f if f != "ikotan" else "index" for f in HeadlineRow._fields]
    new = [r for r in rows if (r.period_id, r.edition_id) not in existing]
    replacing = [r for r in rows if (r.period_id, r.edition_id) in existing]
    if new:
        copy_rows(table, columns, map(copy_line, new))
    if not replacing:
        return
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE snapshot_rows ON COMMIT DROP AS "
            f"SELECT {listed} FROM {table} WITH NO DATA"
        )
        copy_rows("snapshot_rows", columns, map(copy_line, replacing))
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[2:])
        cursor.execute(
            f"INSERT INTO {table} ({listed}) SELECT {listed} FROM snapshot_rows "
            f"ON CONFLICT (period_id, edition_id) DO UPDATE SET {updates}"
        )
        cursor.execute("DROP TABLE snapshot_rows")


# A tally row is one change (models.ValueTally): folding a period's rows into one per
# indicator and level keeps what the recompute reads near 26 rows a period. Keys with one row
# are left alone; a key whose changes cancel out leaves none.
_FOLD_SQL = """
WITH repeated AS (
    SELECT period_id, indicator_id, at_level FROM indicators_valuetally
    WHERE period_id = ANY(%s) GROUP BY 1, 2, 3 HAVING count(*) > 1
), folded AS (
    DELETE FROM indicators_valuetally t USING repeated r
    WHERE (t.period_id, t.indicator_id, t.at_level) = (r.period_id, r.indicator_id, r.at_level)
    RETURNING t.*
)
INSERT INTO indicators_valuetally
    (period_id, indicator_id, at_level, value_count, hashes, distance)
SELECT * FROM (
    SELECT period_id, indicator_id, at_level, sum(value_count), sum(hashes), sum(distance)
    FROM folded GROUP BY 1, 2, 3
) AS d (period_id, indicator_id, at_level, value_count, hashes, distance)
WHERE (value_count, hashes, distance) <> (0, 0, 0)
"""


def tallies_fold(period_ids: Sequence[int]) -> None:
    """Fold the tallies of `period_ids`; call it holding their advisory locks, so that two
    recomputes never fold the same rows."""
    with connection.cursor() as cursor:
        cursor.execute(_FOLD_SQL, [list(period_ids)])


@transaction.atomic
def tallies_rebuild() -> None:
    """Count every tally afresh from the values (PostgreSQL's `valuetally_rebuild`, migration
    0009): the repair after values were loaded with the triggers disabled. Writers of values
    wait until it commits (about 4 s for a million values)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT valuetally_rebuild()")


@transaction.atomic
def _recompute_chunk(
    period_ids: Sequence[int], editions: Sequence[EditionSpec], *, explain: bool
) -> tuple[int, int]:
    _lock_periods(period_ids)
    if connection.vendor == "postgresql":
        tallies_fold(period_ids)
    # Read before the values: a request committed after this read keeps a higher
    # generation, survives the delete below, and is recomputed again.
    pending = list(
        ScoreRecomputeRequest.objects.filter(period_id__in=period_ids).values_list(
            "period_id", "generation"
        )
    )
    chunk = _chunk_load(period_ids, editions, indicators_load(), explain=explain)
    # Only a period with a current snapshot may turn out unchanged: the values' fingerprint
    # (one cheap query) decides, and an unchanged period loads nothing more. The others
    # are stale whatever their values are.
    maybe_current = [pk for pk in period_ids if any(chunk.current(pk, e, None) for e in editions)]
    fingerprints = values_fingerprints(period_ids=maybe_current) if maybe_current else {}
    stale = [pk for pk in period_ids if pk not in fingerprints or chunk.stale(pk, fingerprints[pk])]
    unchanged = sum(len(editions) - len(chunk.stale(pk, fp)) for pk, fp in fingerprints.items())
    now = timezone.now()
    if explain or connection.vendor != "postgresql":
        in_full = stale
        headline: list[int] = []
    else:
        # The database's sums trust that a kota or kelurahan submission is the city's own
        # (as the app writes them); a period where one is not is explained in full.
        misplaced = periods_misplaced(period_ids=stale) if stale else set()
        in_full = [pk for pk in stale if pk in misplaced]
        headline = [pk for pk in stale if pk not in misplaced]
    missing = [pk for pk in in_full if pk not in fingerprints]
    fingerprints.update(values_fingerprints(period_ids=missing) if missing else {})
    explained = _explained_snapshots(chunk, in_full, fingerprints, now)
    rows = _headline_rows(chunk, headline, now) if headline else []
    _write(explained)
    _write_rows(rows, chunk.existing)
    written: list[_Written] = [*explained, *rows]
    _notify_new_scores(written)
    if pending:
        done = Q()
        for period_id, generation in pending:
            done |= Q(period_id=period_id, generation=generation)
        ScoreRecomputeRequest.objects.filter(done).delete()
    return len(explained) + len(rows), unchanged


def scores_recompute(
    *, period_ids: Iterable[int], explain: bool = True, chunk_size: int = 250
) -> RecomputeResult:
    """Recompute and store the snapshots of `period_ids` under every edition. Idempotent:
    a snapshot whose inputs (values and method) are unchanged is left as it is. Each chunk
    of periods is one transaction with a fixed number of queries.

    `explain=False` (the nightly and national recomputes, PostgreSQL) writes the headline
    only, from the sums the database keeps (models.ValueTally): about 50 times faster at
    national scale. A snapshot's explanation is then computed when somebody first opens it
    (`snapshot_explained`)."""
    ids = sorted(set(period_ids))
    editions = editions_load()
    written = unchanged = 0
    size = chunk_size if explain else max(chunk_size, _HEADLINE_CHUNK)
    for start in range(0, len(ids), size):
        w, u = _recompute_chunk(ids[start : start + size], editions, explain=explain)
        written += w
        unchanged += u
    return RecomputeResult(periods=len(ids), written=written, unchanged=unchanged)


def snapshot_explained(snapshot: ScoreSnapshot) -> ScoreSnapshot:
    """`snapshot` with its whole detail, computing it first if a headline-only recompute
    wrote it (about 0.1 s for a city-year; then stored). Reloads the snapshot's columns too:
    if the values changed meanwhile, the explanation comes with the new numbers."""
    if not detail_explained(snapshot.detail):
        scores_recompute(period_ids=[snapshot.period_id])
        snapshot.refresh_from_db()
    return snapshot


def scores_recompute_nightly() -> RecomputeResult:
    """Every open period and every period with a pending request (e.g. one whose task was
    never queued because the broker was down)."""
    ids = AssessmentPeriod.objects.filter(
        Q(status=AssessmentPeriod.Status.OPEN) | Q(recompute_request__isnull=False)
    ).values_list("pk", flat=True)
    return scores_recompute(period_ids=list(ids), explain=False)


def scores_recompute_pending() -> RecomputeResult:
    """Every period with a pending request: the minute sweep's catch-up after the broker
    was down (a period whose task is merely in flight is found unchanged, cheaply)."""
    ids = ScoreRecomputeRequest.objects.values_list("period_id", flat=True)
    return scores_recompute(period_ids=list(ids))


def enqueue_recompute(*, period_id: int) -> bool:
    """Queue the recompute task; False (and the request row stays) if the broker is down:
    an approval never waits on a dead broker, and the pending row guarantees the work."""
    from indicators.tasks import recompute_period

    return enqueue(recompute_period, period_id)


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
