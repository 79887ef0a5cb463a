"""Writes to meetings: create and edit, attendance, minutes and decisions, finalise and reopen."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotan.lib.locking import lock_version
from kotan.models import Region, Stakeholder, User
from kotan.permissions import require
from kotan.services import audit_record, field_changes, snapshot
from meetings.models import AgendaItem, Attendance, Decision, Meeting

MEETING_FIELDS = ["kind", "title", "starts_at", "ends_at", "venue", "organiser", "chair"]


@dataclass(frozen=True)
class MeetingDetails:
    kind: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None = None
    venue: str = ""
    organiser: Stakeholder | None = None
    chair: str = ""
    invited: Sequence[Stakeholder] = field(default_factory=tuple)
    agenda: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class AttendanceRow:
    stakeholder: Stakeholder
    name: str
    position: str = ""
    present: bool = True


class MeetingLocked(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            _("Notulen rapat ini sudah final dan terkunci. Buka kembali dengan alasan dulu."),
            code="locked",
        )


def _check_city(city: Region, stakeholders: Sequence[Stakeholder | None]) -> None:
    # Forms already limit choices to the user's city; this guards every other caller.
    if any(s is not None and s.city_id != city.pk for s in stakeholders):
        raise ValidationError(_("Instansi dari kota lain tidak dapat dipakai."))


def _set_agenda(meeting: Meeting, agenda: Sequence[str]) -> None:
    meeting.agenda_items.all().delete()
    items = [line.strip() for line in agenda if line.strip()]
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, order=n, title=title[:300]) for n, title in enumerate(items, 1)
    )


def _extras(meeting: Meeting) -> dict[str, object]:
    """Agenda and invitations as comparable values for the audit trail."""
    return {
        "agenda": " | ".join(
            meeting.agenda_items.order_by("order").values_list("title", flat=True)
        ),
        "invited": ", ".join(
            sorted(str(s) for s in meeting.invited.all().order_by().only("short_name", "name"))
        ),
    }


@transaction.atomic
def meeting_create(*, actor: User | None, city: Region, details: MeetingDetails) -> Meeting:
    require(actor, "meetings.edit_meetings", city)
    _check_city(city, [details.organiser, *details.invited])
    meeting = Meeting.objects.create(
        city=city,
        created_by=actor,
        **{name: getattr(details, name) for name in MEETING_FIELDS},
    )
    meeting.invited.set(details.invited)
    _set_agenda(meeting, details.agenda)
    after = {**snapshot(meeting, MEETING_FIELDS), **_extras(meeting)}
    audit_record(
        actor=actor,
        city=city,
        obj=meeting,
        action="meeting.create",
        changes=field_changes({}, after),
    )
    return meeting


@transaction.atomic
def meeting_update(
    *, actor: User | None, meeting: Meeting, expected_version: int, details: MeetingDetails
) -> Meeting:
    require(actor, "meetings.edit_meetings", meeting)
    locked = lock_version(Meeting.objects.all(), meeting.pk, expected_version, bump=True)
    if locked.is_locked:
        raise MeetingLocked
    _check_city(locked.city, [details.organiser, *details.invited])
    before = {**snapshot(locked, MEETING_FIELDS), **_extras(locked)}
    for name in MEETING_FIELDS:
        setattr(locked, name, getattr(details, name))
    locked.save()
    locked.invited.set(details.invited)
    _set_agenda(locked, details.agenda)
    after = {**snapshot(locked, MEETING_FIELDS), **_extras(locked)}
    audit_record(
        actor=actor,
        city=locked.city,
        obj=locked,
        action="meeting.update",
        changes=field_changes(before, after),
    )
    return locked


def _attendance_summary(meeting: Meeting) -> dict[str, str]:
    return {
        f"{row.stakeholder.short_name}: {row.name}": (
            f"{row.position} · {'hadir' if row.present else 'tidak hadir'}"
        )
        for row in meeting.attendances.select_related("stakeholder")
    }


@transaction.atomic
def meeting_attendance_save(
    *,
    actor: User | None,
    meeting: Meeting,
    expected_version: int,
    rows: Sequence[AttendanceRow],
) -> Meeting:
    """Replace the attendance list. Recording attendance means the meeting took place."""
    require(actor, "meetings.edit_meetings", meeting)
    locked = lock_version(Meeting.objects.all(), meeting.pk, expected_version, bump=True)
    if locked.is_locked:
        raise MeetingLocked
    _check_city(locked.city, [row.stakeholder for row in rows])
    before = _attendance_summary(locked)
    before_status = locked.status
    locked.attendances.all().delete()
    Attendance.objects.bulk_create(
        Attendance(
            meeting=locked,
            stakeholder=row.stakeholder,
            name=row.name,
            position=row.position,
            present=row.present,
        )
        for row in rows
    )
    if locked.status == Meeting.Status.PLANNED:
        locked.status = Meeting.Status.HELD
    locked.save()
    changes = field_changes(before, _attendance_summary(locked))
    changes.update(field_changes({"status": before_status}, {"status": locked.status}))
    audit_record(
        actor=actor,
        city=locked.city,
        obj=locked,
        action="meeting.attendance",
        changes=changes,
    )
    return locked


def _save_decisions(meeting: Meeting, texts: Sequence[str]) -> None:
    """Keep decisions whose text is unchanged (their actions stay linked), add new ones and
    delete removed ones, unless an action already follows up a removed decision."""
    wanted = [text.strip() for text in texts if text.strip()]
    existing = list(meeting.decisions.all())
    keep: list[Decision] = []
    for decision in existing:
        if decision.text in wanted and decision.text not in [d.text for d in keep]:
            keep.append(decision)
    removed = [d for d in existing if d not in keep]
    blocked = [d for d in removed if d.actions.exists()]
    if blocked:
        raise ValidationError(
            _("Keputusan “%(text)s” sudah punya tindak lanjut dan tidak dapat dihapus.")
            % {"text": blocked[0].text[:80]}
        )
    Decision.objects.filter(pk__in=[d.pk for d in removed]).delete()
    by_text = {d.text: d for d in keep}
    for order, text in enumerate(wanted, start=1):
        kept = by_text.pop(text) if text in by_text else None
        if kept is None:
            Decision.objects.create(meeting=meeting, order=order, text=text)
        elif kept.order != order:
            kept.order = order
            kept.save(update_fields=["order"])


@transaction.atomic
def meeting_minutes_save(
    *,
    actor: User | None,
    meeting: Meeting,
    expected_version: int,
    minutes: str,
    decisions: Sequence[str],
    finalise: bool,
) -> Meeting:
    require(actor, "meetings.edit_meetings", meeting)
    locked = lock_version(Meeting.objects.all(), meeting.pk, expected_version, bump=True)
    if locked.is_locked:
        raise MeetingLocked
    if finalise and not minutes.strip():
        raise ValidationError(_("Notulen kosong tidak dapat difinalkan."), code="empty")
    before = {
        "minutes": locked.minutes,
        "status": locked.status,
        "decisions": list(locked.decisions.values_list("text", flat=True)),
    }
    _save_decisions(locked, decisions)
    locked.minutes = minutes
    locked.status = Meeting.Status.FINAL if finalise else Meeting.Status.HELD
    if finalise:
        locked.minutes_final_at = timezone.now()
    locked.save()
    after = {
        "minutes": locked.minutes,
        "status": locked.status,
        "decisions": list(locked.decisions.values_list("text", flat=True)),
    }
    changes = field_changes(before, after)
    audit_record(
        actor=actor,
        city=locked.city,
        obj=locked,
        action="meeting.minutes.finalise" if finalise else "meeting.minutes",
        changes=changes,
    )
    return locked


@transaction.atomic
def meeting_minutes_reopen(
    *, actor: User | None, meeting: Meeting, expected_version: int, reason: str
) -> Meeting:
    require(actor, "meetings.reopen_meeting", meeting)
    if not reason.strip():
        raise ValidationError(_("Alasan membuka kembali notulen wajib diisi."), code="reason")
    locked = lock_version(Meeting.objects.all(), meeting.pk, expected_version, bump=True)
    if not locked.is_locked:
        raise ValidationError(_("Notulen rapat ini belum final."), code="not_final")
    locked.status = Meeting.Status.HELD
    locked.minutes_final_at = None
    locked.save()
    audit_record(
        actor=actor,
        city=locked.city,
        obj=locked,
        action="meeting.minutes.reopen",
        changes={"status": [Meeting.Status.FINAL.value, Meeting.Status.HELD.value]},
        reason=reason.strip(),
    )
    return locked
