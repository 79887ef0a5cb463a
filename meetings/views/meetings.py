"""Meeting pages: list, create, edit, attendance, minutes, reopen, .ics, next-rakor draft."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kotan.lib.http import AuthenticatedHttpRequest
from kotan.models import User
from kotan.permissions import ALL_ROLES, role_required
from meetings.forms import (
    AttendanceFormSet,
    MeetingForm,
    MinutesForm,
    ReopenForm,
    ScheduleForm,
    VersionForm,
)
from meetings.ics import meeting_ics
from meetings.models import Meeting
from meetings.permissions import EDITORS, PLANNERS, REOPENERS
from meetings.selectors import meeting_list, next_agenda_draft
from meetings.services.agenda import agenda_draft_schedule
from meetings.services.meetings import (
    meeting_attendance_save,
    meeting_create,
    meeting_minutes_reopen,
    meeting_minutes_save,
    meeting_update,
)
from meetings.views.common import history


def _get_meeting_for_user(request: AuthenticatedHttpRequest, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.for_user(request.user), pk=pk)


def _year(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and 2000 <= int(raw) <= 2100 else None


@role_required(*ALL_ROLES)
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    year = _year(request.GET.get("tahun"))
    kind = request.GET.get("jenis", "")
    kind = kind if kind in Meeting.Kind.values else ""
    status = request.GET.get("status", "")
    status = status if status in Meeting.Status.values else ""
    meetings = meeting_list(user, year=year, kind=kind, status=status)
    context = {
        "meetings": meetings,
        "year": year,
        "kind": kind,
        "kinds": Meeting.Kind.choices,
        "status": status,
        "statuses": Meeting.Status.choices,
    }
    return render(request, "meetings/index.html", context)


@role_required(*EDITORS)
def meeting_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    assert user.city is not None
    form = MeetingForm(request.POST or None, city=user.city)
    if request.method == "POST" and form.is_valid():
        meeting = meeting_create(actor=user, city=user.city, details=form.details())
        messages.success(request, _("Rapat tersimpan."))
        return redirect("meetings:meeting-detail", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


@role_required(*ALL_ROLES)
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(request, pk)
    return render(request, "meetings/meeting_detail.html", _detail_context(user, meeting))


def _detail_context(user: User, meeting: Meeting, **extra: object) -> dict[str, object]:
    decisions = meeting.decisions.prefetch_related("actions__owner")
    return {
        "meeting": meeting,
        "agenda": meeting.agenda_items.all(),
        "invited": meeting.invited.order_by("kind", "name"),
        "attendances": meeting.attendances.select_related("stakeholder"),
        "decisions": decisions,
        "history": history(user, meeting),
        "can_edit": user.has_role(*EDITORS),
        "can_reopen": user.has_role(*REOPENERS),
        # The "Unduh notulen (PDF)" button posts to the reports app by URL name (meetings
        # never imports reports). Whoever may see the meeting may read its minutes.
        "can_request_minutes": meeting.status != Meeting.Status.PLANNED,
        "reopen_form": extra.get("reopen_form") or ReopenForm(initial={"version": meeting.version}),
    }


@role_required(*EDITORS)
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(request, pk)
    if meeting.is_locked:
        messages.error(request, _("Notulen sudah final; buka kembali dulu untuk mengubah rapat."))
        return redirect("meetings:meeting-detail", pk=meeting.pk)
    form = MeetingForm(
        request.POST or None, city=meeting.city, initial=MeetingForm.initial_for(meeting)
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting_update(
                actor=user,
                meeting=meeting,
                expected_version=form.cleaned_data["version"] or 0,
                details=form.details(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Perubahan rapat tersimpan."))
            return redirect("meetings:meeting-detail", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


def _attendance_initial(meeting: Meeting) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "stakeholder": a.stakeholder_id,
            "name": a.name,
            "position": a.position,
            "present": a.present,
        }
        for a in meeting.attendances.all()
    ]
    signed = {row["stakeholder"] for row in rows}
    rows += [
        {"stakeholder": s.pk}
        for s in meeting.invited.order_by("kind", "name")
        if s.pk not in signed
    ]
    return rows


@role_required(*EDITORS)
def meeting_attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(request, pk)
    if meeting.is_locked:
        messages.error(
            request, _("Notulen sudah final; buka kembali dulu untuk mengubah kehadiran.")
        )
        return redirect("meetings:meeting-detail", pk=meeting.pk)
    data = request.POST if request.method == "POST" else None
    formset = AttendanceFormSet(
        data, initial=_attendance_initial(meeting), form_kwargs={"city": meeting.city}
    )
    version_form = VersionForm(data, initial={"version": meeting.version})
    if data is not None and formset.is_valid() and version_form.is_valid():
        # Every filled row, changed or not: the service replaces the whole list.
        rows = [
            form.row()
            for form in formset
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and not form.is_blank()
        ]
        try:
            meeting_attendance_save(
                actor=user,
                meeting=meeting,
                expected_version=version_form.cleaned_data["version"],
                rows=rows,
            )
        except ValidationError as error:
            version_form.add_error(None, error)
        else:
            messages.success(request, _("Daftar hadir tersimpan."))
            return redirect("meetings:meeting-detail", pk=meeting.pk)
    context = {"meeting": meeting, "formset": formset, "version_form": version_form}
    return render(request, "meetings/meeting_attendance.html", context)


@role_required(*EDITORS)
def meeting_minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(request, pk)
    if meeting.is_locked:
        messages.error(request, _("Notulen sudah final; buka kembali dulu untuk mengubahnya."))
        return redirect("meetings:meeting-detail", pk=meeting.pk)
    initial = {
        "minutes": meeting.minutes,
        "decisions": "\n".join(d.text for d in meeting.decisions.all()),
        "version": meeting.version,
    }
    form = MinutesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_minutes_save(
                actor=user,
                meeting=meeting,
                expected_version=form.cleaned_data["version"],
                minutes=form.cleaned_data["minutes"],
                decisions=form.cleaned_data["decisions"],
                finalise=form.cleaned_data["finalise"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Notulen dan keputusan tersimpan."))
            return redirect("meetings:meeting-detail", pk=meeting.pk)
    return render(request, "meetings/meeting_minutes.html", {"meeting": meeting, "form": form})


@role_required(*REOPENERS)
@require_POST
def meeting_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = _get_meeting_for_user(request, pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            meeting_minutes_reopen(
                actor=user,
                meeting=meeting,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Notulen dibuka kembali; alasannya tercatat."))
            return redirect("meetings:meeting-detail", pk=meeting.pk)
    context = _detail_context(user, meeting, reopen_form=form)
    return render(request, "meetings/meeting_detail.html", context, status=200)


@role_required(*ALL_ROLES)
def meeting_ics_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting_for_user(request, pk)
    response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rapat-{meeting.pk}.ics"'
    return response


@role_required(*PLANNERS)
def agenda_draft(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    assert user.city is not None
    draft = next_agenda_draft(city=user.city, today=timezone.localdate())
    context = {"draft": draft, "form": ScheduleForm(), "can_schedule": user.has_role(*EDITORS)}
    return render(request, "meetings/agenda_draft.html", context)


@role_required(*EDITORS)
@require_POST
def agenda_schedule(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    assert user.city is not None
    form = ScheduleForm(request.POST)
    if form.is_valid():
        meeting = agenda_draft_schedule(
            actor=user,
            city=user.city,
            starts_at=form.cleaned_data["starts_at"],
            venue=form.cleaned_data["venue"],
            today=timezone.localdate(),
        )
        messages.success(request, _("Rakor direncanakan dari draf agenda."))
        return redirect("meetings:meeting-detail", pk=meeting.pk)
    draft = next_agenda_draft(city=user.city, today=timezone.localdate())
    context = {"draft": draft, "form": form, "can_schedule": True}
    return render(request, "meetings/agenda_draft.html", context)
