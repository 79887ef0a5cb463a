"""Writing a checked list of changes: submissions, values, audit entries, in bulk."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql
from psycopg.types.json import Jsonb

from indicators.importing.checking import Change, Progress, UnitKey
from indicators.models import AssessmentPeriod, IndicatorValue, Submission
from kotan.models import AuditEntry, User

_BATCH_SIZE = 2_000
# PostgreSQL's COPY for the large inserts; tests switch it off to check the fallback.
USE_COPY = True


def _number_text(value: Decimal | None) -> str | None:
    # The entry forms' audit format (indicators.services.values), so histories read alike.
    return None if value is None else format(value.normalize(), "f")


def write_changes(
    period: AssessmentPeriod, changes: list[Change], actor: User, progress: Progress
) -> None:
    if not changes:
        return
    now = timezone.now()
    missing = {change.key for change in changes} - set(_submission_keys(period))
    Submission.objects.bulk_create(
        [
            Submission(period=period, level=level, region_id=region_id, stakeholder_id=sh_id)
            for level, region_id, sh_id in missing
        ],
        batch_size=_BATCH_SIZE,
        ignore_conflicts=True,  # one created meanwhile is locked and used below
    )
    submissions = _submission_keys(period, lock=bool(missing))
    progress(1, 10)
    new = [change for change in changes if change.stored_pk is None]
    new_pks = iter(
        _insert(
            IndicatorValue,
            [
                {
                    "submission_id": submissions[change.key][0],
                    "indicator_id": change.indicator.pk,
                    "value": change.value,
                    "comment": "",
                    "evidence": "",
                    "entered_by_id": actor.pk,
                    "updated_at": now,
                }
                for change in new
            ],
            with_pks=True,
        )
    )
    progress(4, 10)
    IndicatorValue.objects.bulk_update(
        [
            IndicatorValue(
                pk=change.stored_pk, value=change.value, entered_by=actor, updated_at=now
            )
            for change in changes
            if change.stored_pk is not None
        ],
        ["value", "entered_by", "updated_at"],
        batch_size=_BATCH_SIZE // 2,
    )
    progress(5, 10)
    value_type = ContentType.objects.get_for_model(IndicatorValue)
    audits = [
        {
            "city_id": period.city_id,
            "actor_id": actor.pk,
            "content_type_id": value_type.pk,
            "object_pk": str(change.stored_pk if change.stored_pk is not None else next(new_pks)),
            "object_repr": f"{change.indicator.code} · {change.unit_label}"[:200],
            "action": "value.import",
            # As kotan.services.field_changes() writes it (old and new differ here).
            "changes": {"value": [_number_text(change.old), _number_text(change.value)]},
            "reason": "",
            "created_at": now,
        }
        for change in changes
    ]
    audits.extend(_touch_submissions(period, changes, submissions, actor, now))
    progress(7, 10)
    _insert(AuditEntry, audits)
    progress(10, 10)


def _insert(
    model: type[models.Model], rows: list[dict[str, Any]], *, with_pks: bool = False
) -> list[int]:
    """Insert plain rows (attname → value, every column given) and return their pks when
    asked. On PostgreSQL one COPY does it: no model instance is built, which makes the
    100,000 rows of a large import several times faster than bulk_create. Elsewhere (the
    SQLite of a local trial) bulk_create does."""
    if not rows:
        return []
    if connection.vendor != "postgresql" or not USE_COPY:
        created = model._default_manager.bulk_create(
            [model(**row) for row in rows], batch_size=_BATCH_SIZE
        )
        return [obj.pk for obj in created]
    meta = model._meta
    pks: list[int] = []
    with connection.cursor() as cursor:
        if with_pks:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            pks = [pk for (pk,) in cursor.fetchall()]
            for pk, row in zip(pks, rows, strict=True):
                row[meta.pk.attname] = pk
        names = list(rows[0])
        fields = [meta.get_field(name) for name in names]
        as_json = [isinstance(f, models.JSONField) for f in fields]
        columns = [sql.Identifier(str(getattr(f, "column", ""))) for f in fields]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table), sql.SQL(", ").join(columns)
        )
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        Jsonb(row[name]) if json else row[name]
                        for name, json in zip(names, as_json, strict=True)
                    ]
                )
    return pks


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
    changes: list[Change],
    submissions: dict[UnitKey, tuple[int, str]],
    actor: User,
    now: datetime,
) -> list[dict[str, Any]]:
    """Bump the version of every changed submission (open forms on them are now stale) and
    send submitted or returned ones back to draft, as a save in the entry form does."""
    labels = {change.key: change.unit_label for change in changes}
    touched = {submissions[key][0] for key in labels}
    to_draft = {
        key: submissions[key]
        for key in labels
        if submissions[key][1] in (Submission.Status.SUBMITTED, Submission.Status.RETURNED)
    }
    Submission.objects.filter(pk__in=touched).update(version=F("version") + 1, updated_at=now)
    Submission.objects.filter(pk__in=[pk for pk, _status in to_draft.values()]).update(
        status=Submission.Status.DRAFT
    )
    submission_type = ContentType.objects.get_for_model(Submission)
    return [
        {
            "city_id": period.city_id,
            "actor_id": actor.pk,
            "content_type_id": submission_type.pk,
            "object_pk": str(pk),
            "object_repr": f"{period} · {labels[key]}"[:200],
            "action": f"submission.{Submission.Status.DRAFT}",
            "changes": {"status": [status, Submission.Status.DRAFT]},
            "reason": _("Data diubah melalui impor"),
            "created_at": now,
        }
        for key, (pk, status) in to_draft.items()
    ]
