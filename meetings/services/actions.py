"""Writes to follow-up actions: create, edit, report progress with evidence, close."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators.models import Indicator, Variable
from kotan.lib.locking import lock_version
from kotan.lib.uploads import upload_mime
from kotan.models import Notification, Region, Stakeholder, User
from kotan.notifications import notifications_emit, officers_of
from kotan.permissions import require
from kotan.services import audit_record, field_changes, snapshot
from meetings.models import Action, Decision, Evidence, Meeting, ProgressUpdate
from meetings.permissions import can_report

ACTION_FIELDS = [
    "title",
    "description",
    "category",
    "variable",
    "indicator",
    "owner",
    "due_on",
    "status",
]

# Evidence is checked by its content, not its name or the browser's claim.
EVIDENCE_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


@dataclass(frozen=True)
class ActionDetails:
    title: str
    category: str
    variable: Variable
    owner: Stakeholder
    due_on: datetime.date
    description: str = ""
    indicator: Indicator | None = None


def evidence_check(upload: UploadedFile) -> str:
    """The file's real content type, or a ValidationError in Indonesian."""
    return upload_mime(
        upload, allowed=EVIDENCE_TYPES, what=_("PDF, gambar (JPG/PNG/WebP), DOCX atau XLSX")
    )


def _check(city: Region, details: ActionDetails) -> None:
    if details.owner.city_id != city.pk:
        raise ValidationError(_("Instansi dari kota lain tidak dapat dipakai."))
    if details.indicator is not None and details.indicator.variable_id != details.variable.pk:
        raise ValidationError(_("Indikator itu bukan bagian dari variabel yang dipilih."))


@transaction.atomic
def action_create(
    *,
    actor: User | None,
    city: Region,
    details: ActionDetails,
    decision: Decision | None = None,
    plan_year: int | None = None,
) -> Action:
    """From a meeting's decision, or (no decision) from the owner's action plan for a year."""
    require(actor, "meetings.edit_meetings", city)
    _check(city, details)
    meeting: Meeting | None = decision.meeting if decision else None
    if meeting is not None and meeting.city_id != city.pk:
        raise ValidationError(_("Rapat dari kota lain tidak dapat dipakai."))
    if decision is None and plan_year is None:
        raise ValidationError(_("Tahun rencana aksi wajib diisi."))
    action = Action.objects.create(
        city=city,
        source=Action.Source.DECISION if decision else Action.Source.PLAN,
        meeting=meeting,
        decision=decision,
        plan_year=None if decision else plan_year,
        created_by=actor,
        title=details.title,
        description=details.description,
        category=details.category,
        variable=details.variable,
        indicator=details.indicator,
        owner=details.owner,
        due_on=details.due_on,
    )
    audit_record(
        actor=actor,
        city=city,
        obj=action,
        action="action.create",
        changes=field_changes({}, snapshot(action, [*ACTION_FIELDS, "source", "meeting"])),
    )
    _notify_assigned(action, actor)
    return action


def _notify_assigned(action: Action, actor: User | None) -> None:
    """Tell the owner organisation's officers about an action newly theirs."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Tindak lanjut baru untuk %(owner)s: %(title)s") % {
            "owner": action.owner,
            "title": action.title,
        }
        body = _("Tenggat %(due)s.") % {"due": date_format(action.due_on, "j F Y")}
    notifications_emit(
        city=action.city_id,
        recipients=[u for u in officers_of([action.owner_id]) if actor is None or u.pk != actor.pk],
        kind=Notification.Kind.ACTION_ASSIGNED,
        event_key=f"action.assigned:{action.pk}:{action.owner_id}",
        title=title,
        body=body,
        url=reverse("meetings:action-detail", args=[action.pk]),
    )


@transaction.atomic
def action_update(
    *,
    actor: User | None,
    action: Action,
    expected_version: int,
    details: ActionDetails,
    status: str,
) -> Action:
    """Edit an action. Done is reached only through action_close (it needs evidence or a note)."""
    require(actor, "meetings.edit_meetings", action)
    locked = lock_version(Action.objects.all(), action.pk, expected_version, bump=True)
    _check(locked.city, details)
    if status == Action.Status.DONE and locked.status != Action.Status.DONE:
        raise ValidationError(_("Tutup tindak lanjut melalui formulir penutupan."))
    before = snapshot(locked, ACTION_FIELDS)
    previous_owner = locked.owner_id
    for name in ("title", "description", "category", "variable", "indicator", "owner", "due_on"):
        setattr(locked, name, getattr(details, name))
    locked.status = status
    locked.save()
    audit_record(
        actor=actor,
        city=locked.city,
        obj=locked,
        action="action.update",
        changes=field_changes(before, snapshot(locked, ACTION_FIELDS)),
    )
    if locked.owner_id != previous_owner:
        _notify_assigned(locked, actor)
    return locked


def _store_evidence(update: ProgressUpdate, files: Sequence[UploadedFile]) -> list[Evidence]:
    stored = []
    for upload in files:
        mime = evidence_check(upload)
        evidence = Evidence(
            update=update,
            original_name=(upload.name or "bukti")[:200],
            content_type=mime,
            size=upload.size or 0,
        )
        evidence.file.save(upload.name or "bukti", upload, save=False)
        evidence.save()
        stored.append(evidence)
    return stored


@transaction.atomic
def action_progress_report(
    *,
    actor: User,
    action: Action,
    expected_version: int,
    percent: int,
    text: str,
    files: Sequence[UploadedFile] = (),
) -> ProgressUpdate:
    locked = lock_version(Action.objects.all(), action.pk, expected_version, bump=True)
    if not can_report(actor, locked):
        raise ValidationError(_("Anda tidak dapat melaporkan tindak lanjut ini."))
    if not locked.is_open:
        raise ValidationError(_("Tindak lanjut ini sudah ditutup."))
    if not 0 <= percent <= 100:
        raise ValidationError(_("Kemajuan harus antara 0 dan 100 persen."))
    before = snapshot(locked, ["status", "progress"])
    update = ProgressUpdate.objects.create(action=locked, percent=percent, text=text, author=actor)
    evidence = _store_evidence(update, files)
    locked.progress = percent
    if locked.status == Action.Status.NOT_STARTED:
        locked.status = Action.Status.IN_PROGRESS
    locked.save()
    changes = field_changes(before, snapshot(locked, ["status", "progress"]))
    if evidence:
        changes["evidence"] = [None, ", ".join(e.original_name for e in evidence)]
    audit_record(
        actor=actor,
        city=locked.city,
        obj=locked,
        action="action.progress",
        changes=changes,
        reason=text,
    )
    return update


@transaction.atomic
def action_close(
    *,
    actor: User,
    action: Action,
    expected_version: int,
    note: str,
    files: Sequence[UploadedFile] = (),
) -> Action:
    """Mark done. Needs evidence (now or in an earlier report) or a closing note."""
    locked = lock_version(Action.objects.all(), action.pk, expected_version, bump=True)
    if not can_report(actor, locked):
        raise ValidationError(_("Anda tidak dapat menutup tindak lanjut ini."))
    if not locked.is_open:
        raise ValidationError(_("Tindak lanjut ini sudah ditutup."))
    has_evidence = Evidence.objects.filter(update__action=locked).exists()
    if not files and not has_evidence and not note.strip():
        raise ValidationError(
            _("Untuk menutup tindak lanjut, unggah bukti dukung atau tulis catatan penutupan."),
            code="needs_evidence",
        )
    before = snapshot(locked, ["status", "progress", "closing_note"])
    update = ProgressUpdate.objects.create(
        action=locked, percent=100, text=note, author=actor, closes_action=True
    )
    evidence = _store_evidence(update, files)
    locked.status = Action.Status.DONE
    locked.progress = 100
    locked.closing_note = note.strip()
    locked.closed_at = timezone.now()
    locked.save()
    changes = field_changes(before, snapshot(locked, ["status", "progress", "closing_note"]))
    if evidence:
        changes["evidence"] = [None, ", ".join(e.original_name for e in evidence)]
    audit_record(
        actor=actor,
        city=locked.city,
        obj=locked,
        action="action.close",
        changes=changes,
        reason=note,
    )
    return locked
