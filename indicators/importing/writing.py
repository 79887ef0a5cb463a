"""Writing a checked list of changes: submissions, values, audit entries, in bulk.

A 10,000-row file holds ~90,000 values, so every step is one set-based statement (COPY or
an UPDATE/INSERT over arrays) instead of a query or a model instance per value.

The audit trail has one entry per changed unit (submission), action `value.import`, with
every value it changed: {indicator code: [old, new]}. The history panel of a submission
(indicators.services.values.submission_history) lists its entries, so each imported value
still shows who, when and old → new. One entry per value, as the entry forms write, would
make the import write ten times more audit rows, each with three foreign-key checks that
PostgreSQL runs one row at a time at commit: most of a large import's time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.importing.checking import Change, Progress, UnitKey
from indicators.models import AssessmentPeriod, IndicatorValue, Submission
from kotan.lib.pgcopy import copy_line, copy_rows
from kotan.models import AuditEntry, User

_BATCH_SIZE = 2_000
# PostgreSQL's COPY and array statements for the large writes; tests switch them off to
# check the fallback through the ORM (the SQLite of a local trial takes it as well).
USE_COPY = True


def _number_text(value: Decimal | None) -> str | None:
    # The entry forms' audit format (indicators.services.values), so histories read alike.
    return None if value is None else format(value.normalize(), "f")


def _fast() -> bool:
    return USE_COPY and connection.vendor == "postgresql"


@dataclass(frozen=True, slots=True)
class _Audit:
    """An audit entry on one submission; who, when and in which city are the import's.
    Not an AuditEntry instance: building 10,000 models only to COPY them took 0.3 s."""

    object_pk: str
    object_repr: str
    action: str
    changes: dict[str, Any]
    reason: str = ""


def write_changes(
    period: AssessmentPeriod, changes: list[Change], actor: User, progress: Progress
) -> None:
    if not changes:
        return
    now = timezone.now()
    by_unit: dict[UnitKey, list[Change]] = {}
    for change in changes:
        by_unit.setdefault(change.key, []).append(change)
    submissions, created = _submissions_ensure(period, list(by_unit), now)
    progress(1, 10)
    new = [change for change in changes if change.stored_pk is None]
    _values_insert(new, submissions, actor, now)
    progress(6, 10)
    _values_update([change for change in changes if change.stored_pk is not None], actor, now)
    progress(7, 10)
    audits = [
        _Audit(
            object_pk=str(submissions[key][0]),
            object_repr=f"{period} · {unit_changes[0].unit_label}"[:200],
            action="value.import",
            changes={
                change.indicator.code: [_number_text(change.old), _number_text(change.value)]
                for change in unit_changes
            },
        )
        for key, unit_changes in by_unit.items()
    ]
    audits.extend(_touch_submissions(period, by_unit, submissions, created, now))
    _audit_insert(period, actor, now, audits)
    progress(10, 10)


def _submissions_ensure(
    period: AssessmentPeriod, keys: list[UnitKey], now: datetime
) -> tuple[dict[UnitKey, tuple[int, str]], set[UnitKey]]:
    """The submissions of the changed units (all locked), and the units whose submission
    this import created."""
    existing = _submission_keys(period)  # locked by the caller
    missing = set(keys) - set(existing)
    if not missing:
        return existing, set()
    if not _fast():
        Submission.objects.bulk_create(
            [
                Submission(period=period, level=level, region_id=region_id, stakeholder_id=sh_id)
                for level, region_id, sh_id in missing
            ],
            batch_size=_BATCH_SIZE,
            ignore_conflicts=True,  # one created meanwhile is locked and used below
        )
        return _submission_keys(period, lock=True), set()
    levels, regions, stakeholders = zip(*missing, strict=True)
    with connection.cursor() as cursor:
        # One statement for thousands of new units. They are born with version 2, the
        # version of a submission created and then saved once (the bump every changed
        # unit gets below), which spares updating each row just written.
        cursor.execute(
            f"""
            INSERT INTO {Submission._meta.db_table}
                (period_id, level, region_id, stakeholder_id, status, version,
                 return_reason, updated_at)
            SELECT %s, unit.level, unit.region_id, unit.stakeholder_id, %s, 2, '', %s
            FROM unnest(%s::varchar[], %s::bigint[], %s::bigint[])
                AS unit(level, region_id, stakeholder_id)
            ON CONFLICT DO NOTHING
            RETURNING id, level, region_id, stakeholder_id
            """,
            [
                period.pk,
                Submission.Status.DRAFT.value,
                now,
                list(levels),
                list(regions),
                list(stakeholders),
            ],
        )
        created = {
            (level, region_id, stakeholder_id): (pk, str(Submission.Status.DRAFT))
            for pk, level, region_id, stakeholder_id in cursor.fetchall()
        }
    if len(created) < len(missing):
        # Someone else created a unit meanwhile (ON CONFLICT skipped it): lock and use it.
        return _submission_keys(period, lock=True), set(created)
    return existing | created, set(created)


def _values_insert(
    changes: list[Change],
    submissions: dict[UnitKey, tuple[int, str]],
    actor: User,
    now: datetime,
) -> None:
    if not changes:
        return
    if not _fast():
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    submission_id=submissions[change.key][0],
                    indicator=change.indicator,
                    value=change.value,
                    entered_by=actor,
                    updated_at=now,
                )
                for change in changes
            ],
            batch_size=_BATCH_SIZE,
        )
        return
    stamp = now.isoformat()
    # Every field is a number or a timestamp, so no COPY escaping is needed; the line is
    # built in one f-string because this runs once per value.
    lines = (
        f"{submissions[change.key][0]}\t{change.indicator.pk}\t{change.value:f}\t\t\t"
        f"{actor.pk}\t{stamp}\n"
        for change in changes
    )
    _copy(
        IndicatorValue._meta.db_table,
        [
            "submission_id",
            "indicator_id",
            "value",
            "comment",
            "evidence",
            "entered_by_id",
            "updated_at",
        ],
        lines,
    )


def _values_update(changes: list[Change], actor: User, now: datetime) -> None:
    if not changes:
        return
    if not _fast():
        IndicatorValue.objects.bulk_update(
            [
                IndicatorValue(
                    pk=change.stored_pk, value=change.value, entered_by=actor, updated_at=now
                )
                for change in changes
            ],
            ["value", "entered_by", "updated_at"],
            batch_size=_BATCH_SIZE // 2,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {IndicatorValue._meta.db_table} AS stored
            SET value = given.value, entered_by_id = %s, updated_at = %s
            FROM unnest(%s::bigint[], %s::numeric[]) AS given(id, value)
            WHERE stored.id = given.id
            """,
            [
                actor.pk,
                now,
                [change.stored_pk for change in changes],
                [change.value for change in changes],
            ],
        )


def _audit_insert(
    period: AssessmentPeriod, actor: User, now: datetime, audits: list[_Audit]
) -> None:
    content_type_id = ContentType.objects.get_for_model(Submission).pk
    if not _fast():
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    city_id=period.city_id,
                    actor=actor,
                    content_type_id=content_type_id,
                    object_pk=audit.object_pk,
                    object_repr=audit.object_repr,
                    action=audit.action,
                    changes=audit.changes,
                    reason=audit.reason,
                    created_at=now,
                )
                for audit in audits
            ],
            batch_size=_BATCH_SIZE,
        )
        return
    columns = [
        "city_id",
        "actor_id",
        "content_type_id",
        "object_pk",
        "object_repr",
        "action",
        "changes",
        "reason",
        "created_at",
    ]
    stamp = now.isoformat()
    lines = (
        _copy_line(
            [
                period.city_id,
                actor.pk,
                content_type_id,
                audit.object_pk,
                audit.object_repr,
                audit.action,
                json.dumps(audit.changes),
                audit.reason,
                stamp,
            ]
        )
        for audit in audits
    )
    _copy(AuditEntry._meta.db_table, columns, lines)


# COPY helpers shared with the survey import (kotan.lib.pgcopy).
_copy_line = copy_line
_copy = copy_rows


def _submission_keys(
    period: AssessmentPeriod, *, lock: bool = False
) -> dict[UnitKey, tuple[int, str]]:
    queryset = Submission.objects.filter(period=period)
    if lock:
        queryset = queryset.select_for_update().order_by("pk")
    return {
        (level, region_id, stakeholder_id): (pk, status)
        for pk, level, region_id, stakeholder_id, status in queryset.values_list(
            "pk", "level", "region_id", "stakeholder_id", "status"
        )
    }


def _touch_submissions(
    period: AssessmentPeriod,
    by_unit: dict[UnitKey, list[Change]],
    submissions: dict[UnitKey, tuple[int, str]],
    created: set[UnitKey],
    now: datetime,
) -> list[_Audit]:
    """Bump the version of every changed submission (open forms on them are now stale) and
    send submitted or returned ones back to draft, as a save in the entry form does. Those
    this import created already carry the bumped version."""
    touched = [submissions[key][0] for key in by_unit if key not in created]
    to_draft = {
        key: submissions[key]
        for key in by_unit
        if submissions[key][1] in (Submission.Status.SUBMITTED, Submission.Status.RETURNED)
    }
    Submission.objects.filter(pk__in=touched).update(version=F("version") + 1, updated_at=now)
    Submission.objects.filter(pk__in=[pk for pk, _status in to_draft.values()]).update(
        status=Submission.Status.DRAFT
    )
    return [
        _Audit(
            object_pk=str(pk),
            object_repr=f"{period} · {by_unit[key][0].unit_label}"[:200],
            action=f"submission.{Submission.Status.DRAFT}",
            changes={"status": [status, Submission.Status.DRAFT]},
            reason=_("Data diubah melalui impor"),
        )
        for key, (pk, status) in to_draft.items()
    ]
