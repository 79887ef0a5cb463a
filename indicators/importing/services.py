"""The import's services: upload, check, confirm, cancel, apply, fail."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from indicators.importing.checking import Analysis, analyse, load_context
from indicators.importing.plan import plan_delete, plan_load, plan_name, plan_save, plan_state
from indicators.importing.progress import progress_key, progress_reporter
from indicators.importing.writing import write_changes
from indicators.models import AssessmentPeriod, ImportBatch, Submission
from indicators.scoring.recompute import scores_request_recompute
from kotan.models import Notification, User
from kotan.notifications import notifications_emit
from kotan.services import audit_record

logger = logging.getLogger(__name__)


class ImportRefused(Exception):
    """A step the batch's state does not allow; the message is for the user, in Indonesian."""


SUBMITTED_NEEDS_CONSENT = gettext_noop(
    "Berkas ini mengubah data yang sudah diajukan untuk diverifikasi; data itu akan kembali "
    "menjadi draf. Centang persetujuan untuk itu, atau hapus baris tersebut dari berkas."
)


# --- Services ----------------------------------------------------------------------------


@transaction.atomic
def import_batch_create(
    *, period: AssessmentPeriod, actor: User, upload: UploadedFile, file_format: str
) -> ImportBatch:
    """Keep an uploaded file and queue its check. `file_format` comes from `sniff_format`."""
    if period.status == AssessmentPeriod.Status.LOCKED:
        raise ImportRefused(_("Periode ini sudah dikunci; data tidak dapat diubah."))
    batch = ImportBatch(
        period=period,
        created_by=actor,
        original_name=(upload.name or "berkas")[:255],
        file_format=file_format,
    )
    batch.file.save(upload.name or "berkas", upload, save=False)
    batch.save()
    audit_record(
        actor=actor,
        city=period.city,
        obj=batch,
        action="import.upload",
        changes={"status": [None, batch.status]},
    )
    _enqueue("check", batch.pk)
    return batch


def _enqueue(step: str, batch_id: int) -> None:
    from indicators import tasks  # tasks import this module

    task = tasks.import_check_task if step == "check" else tasks.import_apply_task
    transaction.on_commit(lambda: task.delay(batch_id))


def _store(batch: ImportBatch, analysis: Analysis, status: str) -> None:
    batch.status = status
    batch.counts = analysis.counts()
    batch.errors = analysis.errors
    batch.rows = analysis.rows
    batch.checked_at = timezone.now()
    batch.save(update_fields=["status", "counts", "errors", "rows", "checked_at"])


def import_batch_check(*, batch_id: int) -> ImportBatch:
    """Judge every cell of the batch's file and store the preview. Writes no values.

    Idempotent: a redelivered job for a batch already checked does nothing."""
    batch = ImportBatch.objects.select_related("period__city").get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING):
        return batch
    batch.status = ImportBatch.Status.CHECKING
    batch.save(update_fields=["status"])
    state = plan_state(batch.period)
    analysis = analyse(batch, load_context(batch.period), progress_reporter(batch.pk, 0, 100))
    if not analysis.error_total:
        plan_save(batch, state, analysis.changes)
    _store(
        batch,
        analysis,
        ImportBatch.Status.INVALID if analysis.error_total else ImportBatch.Status.READY,
    )
    cache.delete(progress_key(batch.pk))
    return batch


@transaction.atomic
def import_batch_confirm(
    *, batch: ImportBatch, actor: User, reopen_submitted: bool = False
) -> ImportBatch:
    """The operator's go-ahead for a checked file without errors: queue the import.

    A file that changes submitted units (they go back to draft and leave the verifier's
    queue) needs `reopen_submitted`, the operator's explicit consent for this import."""
    current = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if current.status != ImportBatch.Status.READY:
        raise ImportRefused(_("Impor ini tidak dalam keadaan siap diimpor."))
    if current.counts.get("submitted_to_draft") and not reopen_submitted:
        raise ImportRefused(_(SUBMITTED_NEEDS_CONSENT))
    current.status = ImportBatch.Status.IMPORTING
    current.confirmed_by = actor
    current.reopen_submitted = reopen_submitted
    current.save(update_fields=["status", "confirmed_by", "reopen_submitted"])
    audit_record(
        actor=actor,
        city=current.period.city,
        obj=current,
        action="import.confirm",
        changes={"status": [ImportBatch.Status.READY, current.status]},
    )
    _enqueue("apply", current.pk)
    return current


@transaction.atomic
def import_batch_cancel(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Discard a batch that will not be imported, and its file."""
    current = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if current.status not in (
        ImportBatch.Status.READY,
        ImportBatch.Status.INVALID,
        ImportBatch.Status.FAILED,
    ):
        raise ImportRefused(_("Impor ini tidak dapat dibatalkan sekarang."))
    before = current.status
    current.status = ImportBatch.Status.CANCELLED
    current.save(update_fields=["status"])
    audit_record(
        actor=actor,
        city=current.period.city,
        obj=current,
        action="import.cancel",
        changes={"status": [before, current.status]},
    )
    name = current.file.name
    storage = current.file.storage
    transaction.on_commit(lambda: [storage.delete(n) for n in (name, plan_name(current))])
    return current


class _Refused(Exception):
    def __init__(self, analysis: Analysis) -> None:
        super().__init__("refused")
        self.analysis = analysis


def import_batch_apply(*, batch_id: int) -> ImportBatch:
    """Write a confirmed batch: all of it in one transaction, or nothing.

    The file is judged again under row locks, because data may have changed since the
    preview (a unit approved, a value edited); if that finds errors the batch goes back to
    the preview with them and nothing is written. Idempotent: a redelivered job for a batch
    that is no longer importing does nothing.
    """
    batch = ImportBatch.objects.select_related("period__city", "confirmed_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.IMPORTING:
        return batch
    try:
        with transaction.atomic():
            analysis = _apply_locked(batch)
    except _Refused as refused:
        _store(batch, refused.analysis, ImportBatch.Status.INVALID)
    except IntegrityError:
        # Only a unit created by someone else in the same instant gets here.
        logger.warning("import %s: conflicting concurrent write", batch.pk, exc_info=True)
        import_batch_fail(
            batch_id=batch.pk,
            message=_("Data periode ini berubah selama impor; tidak ada yang disimpan. Coba lagi."),
        )
        batch.refresh_from_db()
    else:
        batch.status = ImportBatch.Status.DONE
        batch.counts = analysis.counts()
        batch.rows = analysis.rows
        batch.imported_at = timezone.now()
        batch.save(update_fields=["status", "counts", "rows", "imported_at"])
        plan_delete(batch)
    cache.delete(progress_key(batch.pk))
    return batch


def _apply_locked(batch: ImportBatch) -> Analysis:
    period = (
        AssessmentPeriod.objects.select_for_update().select_related("city").get(pk=batch.period_id)
    )
    # Lock every submission of the period before judging the file, so that none is approved
    # or edited between the judgement and the writes (the entry forms lock the same rows).
    list(
        Submission.objects.select_for_update()
        .filter(period=period)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    planned = plan_load(batch, plan_state(period))
    if planned is not None:
        analysis = Analysis(rows=batch.rows, changes=planned, unchanged=batch.counts["unchanged"])
    else:
        analysis = analyse(batch, load_context(period), progress_reporter(batch.pk, 0, 50))
    if not batch.reopen_submitted and analysis.counts()["submitted_to_draft"]:
        # A unit was submitted after the preview: the consent given does not cover it.
        analysis.error("", 0, "", _(SUBMITTED_NEEDS_CONSENT))
    if analysis.error_total:
        raise _Refused(analysis)
    actor = batch.confirmed_by or batch.created_by
    write_changes(period, analysis.changes, actor, progress_reporter(batch.pk, 50, 100))
    audit_record(
        actor=actor,
        city=period.city,
        obj=batch,
        action="import.done",
        changes={"status": [ImportBatch.Status.IMPORTING, ImportBatch.Status.DONE]},
        reason=_("%(new)s nilai baru, %(changed)s nilai diubah")
        % {"new": analysis.counts()["new"], "changed": analysis.counts()["changed"]},
    )
    # Imported values are drafts, so the approved data (and the scores) rarely change; the
    # request is cheap because a recompute with unchanged inputs writes nothing.
    scores_request_recompute(period=period)
    counts = analysis.counts()
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Impor %(name)s selesai: %(new)s nilai baru, %(changed)s nilai diubah") % {
            "name": batch.original_name,
            "new": counts["new"],
            "changed": counts["changed"],
        }
    _notify(batch, Notification.Kind.IMPORT_DONE, title)
    return analysis


def _notify(batch: ImportBatch, kind: str, title: str, body: str = "") -> None:
    """Tell whoever uploaded and confirmed the file how its import ended."""
    people = [u for u in (batch.created_by, batch.confirmed_by) if u is not None]
    notifications_emit(
        city=batch.period.city_id,
        recipients=people,
        kind=kind,
        event_key=f"import.{kind}:{batch.pk}",
        title=title,
        body=body,
        url=reverse("indicators:import-detail", args=[batch.pk]),
    )


@transaction.atomic
def import_batch_fail(*, batch_id: int, message: str) -> None:
    """Mark a batch whose job broke; the message is for the operator."""
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportBatch.Status.FAILED, failure=message
    )
    batch = ImportBatch.objects.select_related("period", "created_by", "confirmed_by").get(
        pk=batch_id
    )
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Impor %(name)s gagal") % {"name": batch.original_name}
    _notify(batch, Notification.Kind.IMPORT_FAILED, title, body=message)
    cache.delete(progress_key(batch_id))
