"""Brief pages: the list per period with the request form, the self-updating status page,
retry and the permission-checked download."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from indicators.models import AssessmentPeriod
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.models import User
from kotan.permissions import ALL_ROLES, role_required
from meetings.models import Meeting
from reports.forms import BriefRequestForm
from reports.models import Brief
from reports.permissions import BRIEF_REQUESTERS
from reports.services.briefs import (
    BriefRequestError,
    brief_download_record,
    brief_request,
    brief_retry,
)

Role = User.Role


def _get_brief_for_user(request: AuthenticatedHttpRequest, pk: int) -> Brief:
    return get_object_or_404(
        Brief.objects.for_user(request.user).select_related(
            "period__city", "stakeholder", "edition", "requested_by"
        ),
        pk=pk,
    )


def _chosen_period(request: AuthenticatedHttpRequest, user: User) -> AssessmentPeriod | None:
    periods = AssessmentPeriod.objects.for_user(user).order_by("-year")
    year = request.GET.get("tahun", "")
    if year.isdigit():
        return periods.filter(year=int(year)).first()
    return periods.first()


def _list_page(
    request: AuthenticatedHttpRequest,
    form: BriefRequestForm | None,
    status: int = 200,
    period: AssessmentPeriod | None = None,
) -> HttpResponse:
    user = request.user
    period = period or _chosen_period(request, user)
    briefs = (
        Brief.objects.for_user(user)
        .filter(period=period)
        .select_related("stakeholder", "edition", "requested_by")
        if period
        else Brief.objects.none()
    )
    context = {
        "period": period,
        "periods": AssessmentPeriod.objects.for_user(user).order_by("-year"),
        "briefs": briefs,
        "form": form,
    }
    return render(request, "reports/brief_list.html", context, status=status)


@require_GET
@role_required(*ALL_ROLES)
def brief_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    period = _chosen_period(request, user)
    form = (
        BriefRequestForm(user=user, period=period)
        if user.role in (*BRIEF_REQUESTERS, Role.PEMANGKU)
        else None
    )
    return _list_page(request, form, period=period)


@require_POST
@role_required(*BRIEF_REQUESTERS, Role.PEMANGKU)
def brief_request_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff request any brief of their city; a stakeholder officer only its own
    organisation's (another organisation's is refused with 403)."""
    user = request.user
    data: QueryDict = request.POST.copy()
    if user.role == Role.PEMANGKU:
        asked = data.get("stakeholder", "")
        if asked not in ("", str(user.stakeholder_id)) or data.get("kind") not in (
            None,
            "",
            Brief.Kind.STAKEHOLDER,
        ):
            raise PermissionDenied
        data["stakeholder"] = str(user.stakeholder_id)
        data["kind"] = Brief.Kind.STAKEHOLDER
    form = BriefRequestForm(data, user=user)
    if not form.is_valid():
        return _list_page(request, form)
    try:
        result = brief_request(
            user=user,
            period=form.cleaned_data["period"],
            kind=form.cleaned_data["kind"],
            stakeholder=form.cleaned_data["stakeholder"],
            regenerate=form.cleaned_data["regenerate"],
        )
    except BriefRequestError as exc:
        form.add_error(None, str(exc))
        return _list_page(request, form)
    if result.reused and result.brief.status == Brief.Status.DONE:
        messages.info(request, _("Data belum berubah: ringkasan yang sudah ada dapat diunduh."))
    elif result.reused:
        messages.info(request, _("Ringkasan yang sama sedang diproses."))
    else:
        messages.success(request, _("Permintaan diterima; ringkasan dalam antrean."))
    return redirect("reports:brief-detail", pk=result.brief.pk)


@never_cache
@require_GET
@role_required(*ALL_ROLES)
def brief_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The status page; htmx polls it and gets only the status panel while work is pending."""
    brief = _get_brief_for_user(request, pk)
    user = request.user
    context = {"brief": brief, "can_retry": user.role in BRIEF_REQUESTERS}
    if getattr(request, "htmx", False):
        return render(request, "reports/includes/_brief_status.html", context)
    return render(request, "reports/brief_detail.html", context)


@require_POST
@role_required(*BRIEF_REQUESTERS)
def brief_retry_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    brief = _get_brief_for_user(request, pk)
    try:
        brief_retry(brief=brief, user=request.user)
    except BriefRequestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Ringkasan dimasukkan kembali ke antrean."))
    return redirect("reports:brief-detail", pk=brief.pk)


@require_GET
@role_required(*ALL_ROLES)
def brief_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Serve the PDF to a user allowed to see the brief, and log the download."""
    brief = _get_brief_for_user(request, pk)
    if brief.status != Brief.Status.DONE or not brief.file:
        raise Http404
    try:
        handle = brief.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    brief_download_record(brief=brief, user=request.user)
    response = FileResponse(
        handle, as_attachment=True, filename=brief.download_name, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    # role_required is typed for HttpResponse; a FileResponse is served the same way.
    return cast(HttpResponse, response)


def _get_meeting_for_minutes(request: AuthenticatedHttpRequest, pk: int) -> Meeting:
    """A meeting of the user's city whose minutes the user may read: city staff and
    pimpinan any; a stakeholder officer only one their organisation was invited to or
    signed in at (404 otherwise, as for a meeting of another city)."""
    return get_object_or_404(Meeting.objects.for_user(request.user), pk=pk)


def _period_of_meeting(user: User, meeting: Meeting) -> AssessmentPeriod | None:
    """The assessment period of the meeting's year (WITA), else the city's latest."""
    periods = AssessmentPeriod.objects.for_user(user).order_by("-year")
    year = timezone.localtime(meeting.starts_at).year
    return periods.filter(year=year).first() or periods.first()


@require_POST
@role_required(*ALL_ROLES)
def brief_request_minutes(request: AuthenticatedHttpRequest, meeting_pk: int) -> HttpResponse:
    """ "Unduh notulen (PDF)" on a meeting's page: request (or reuse) the minutes brief and
    go to its status page, which offers the download when it is done."""
    user = request.user
    meeting = _get_meeting_for_minutes(request, meeting_pk)
    period = _period_of_meeting(user, meeting)
    if meeting.status == Meeting.Status.PLANNED or period is None:
        messages.error(
            request,
            _("Notulen hanya dapat dibuat untuk rapat yang sudah terlaksana.")
            if period
            else _("Belum ada periode penilaian untuk kota ini."),
        )
        return redirect("meetings:meeting-detail", pk=meeting.pk)
    try:
        result = brief_request(
            user=user,
            period=period,
            kind=Brief.Kind.MINUTES,
            meeting_id=meeting.pk,
            regenerate=request.POST.get("regenerate") == "1",
        )
    except BriefRequestError as exc:
        messages.error(request, str(exc))
        return redirect("meetings:meeting-detail", pk=meeting.pk)
    if result.reused and result.brief.status == Brief.Status.DONE:
        messages.info(request, _("Notulen belum berubah: PDF yang sudah ada dapat diunduh."))
    elif not result.reused:
        messages.success(request, _("Permintaan diterima; PDF notulen dalam antrean."))
    return redirect("reports:brief-detail", pk=result.brief.pk)
