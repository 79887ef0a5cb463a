"""Follow-up action pages: list + XLSX, mine, create, detail, edit, progress, close, evidence."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kotan.lib.http import AuthenticatedHttpRequest
from kotan.models import User
from kotan.permissions import ALL_ROLES, Role, role_required
from meetings.exports import actions_xlsx
from meetings.forms import (
    ActionCreateForm,
    ActionEditForm,
    ActionFilterForm,
    CloseForm,
    ProgressForm,
)
from meetings.models import Action, Decision, Evidence
from meetings.permissions import EDITORS, REPORTERS, can_report
from meetings.selectors import action_list
from meetings.services.actions import (
    action_close,
    action_create,
    action_progress_report,
    action_update,
)
from meetings.views.common import history

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _get_action_for_user(request: AuthenticatedHttpRequest, pk: int) -> Action:
    return get_object_or_404(
        Action.objects.for_user(request.user).select_related(
            "owner", "variable", "indicator", "meeting", "decision", "city"
        ),
        pk=pk,
    )


def _filtered(request: AuthenticatedHttpRequest) -> tuple[ActionFilterForm, list[Action]]:
    user = request.user
    assert user.city is not None
    form = ActionFilterForm(request.GET or None, city=user.city)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, list(action_list(user, filters=filters, today=timezone.localdate()))


@role_required(*ALL_ROLES)
def action_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, actions = _filtered(request)
    context = {"form": form, "actions": actions, "today": timezone.localdate()}
    return render(request, "meetings/action_list.html", context)


@role_required(*ALL_ROLES)
def action_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    _form, actions = _filtered(request)
    today = timezone.localdate()
    response = HttpResponse(actions_xlsx(actions, today=today), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="tindak-lanjut-{today:%Y%m%d}.xlsx"'
    return response


@role_required(Role.PEMANGKU)
def action_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Tindak lanjut instansi saya: the officer's organisation's actions, open ones first."""
    user = request.user
    assert user.stakeholder_id is not None
    actions = (
        Action.objects.for_user(user)
        .of_stakeholder(user.stakeholder_id)
        .select_related("owner", "variable", "indicator", "meeting")
    )
    open_actions = [a for a in actions.open().order_by("due_on", "pk")]
    closed = list(actions.exclude(status__in=Action.OPEN_STATUSES).order_by("-updated_at")[:50])
    context = {
        "open_actions": open_actions,
        "closed_actions": closed,
        "today": timezone.localdate(),
        "stakeholder": user.stakeholder,
    }
    return render(request, "meetings/action_mine.html", context)


@role_required(*EDITORS)
def action_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    assert user.city is not None
    initial: dict[str, object] = {"plan_year": timezone.localdate().year}
    decision_pk = request.GET.get("keputusan", "")
    if decision_pk.isdigit():
        decision = Decision.objects.filter(meeting__city=user.city, pk=int(decision_pk)).first()
        if decision is not None:
            initial = {"decision": decision.pk, "title": decision.text[:200]}
    form = ActionCreateForm(request.POST or None, city=user.city, initial=initial)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        action = action_create(
            actor=user,
            city=user.city,
            details=form.details(),
            decision=decision,
            plan_year=None if decision else form.cleaned_data["plan_year"],
        )
        messages.success(request, _("Tindak lanjut tersimpan."))
        if decision is not None:
            return redirect("meetings:meeting-detail", pk=decision.meeting_id)
        return redirect("meetings:action-detail", pk=action.pk)
    return render(request, "meetings/action_form.html", {"form": form, "action": None})


def _detail_context(user: User, action: Action, **forms: object) -> dict[str, object]:
    has_evidence = Evidence.objects.filter(update__action=action).exists()
    return {
        "action": action,
        "overdue": action.is_overdue(),
        "updates": action.updates.select_related("author").prefetch_related("evidence"),
        "history": history(user, action),
        "can_edit": user.has_role(*EDITORS),
        "can_report": action.is_open and can_report(user, action),
        "progress_form": forms.get("progress_form")
        or ProgressForm(
            prefix="progress", initial={"version": action.version, "percent": action.progress}
        ),
        "close_form": forms.get("close_form")
        or CloseForm(
            prefix="close", initial={"version": action.version}, has_evidence=has_evidence
        ),
    }


@role_required(*ALL_ROLES)
def action_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = _get_action_for_user(request, pk)
    return render(request, "meetings/action_detail.html", _detail_context(request.user, action))


@role_required(*EDITORS)
def action_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    action = _get_action_for_user(request, pk)
    form = ActionEditForm(
        request.POST or None,
        city=action.city,
        current_status=action.status,
        initial=ActionEditForm.initial_for(action),
    )
    if request.method == "POST" and form.is_valid():
        try:
            action_update(
                actor=user,
                action=action,
                expected_version=form.cleaned_data["version"],
                details=form.details(),
                status=form.cleaned_data["status"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Perubahan tindak lanjut tersimpan."))
            return redirect("meetings:action-detail", pk=action.pk)
    return render(request, "meetings/action_form.html", {"form": form, "action": action})


def _get_reportable_action(request: AuthenticatedHttpRequest, pk: int) -> tuple[User, Action]:
    user = request.user
    action = _get_action_for_user(request, pk)
    if not can_report(user, action):
        raise PermissionDenied
    return user, action


@role_required(*REPORTERS)
@require_POST
def action_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user, action = _get_reportable_action(request, pk)
    form = ProgressForm(request.POST, request.FILES, prefix="progress")
    if form.is_valid():
        try:
            action_progress_report(
                actor=user,
                action=action,
                expected_version=form.cleaned_data["version"],
                percent=form.cleaned_data["percent"],
                text=form.cleaned_data["text"],
                files=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Laporan kemajuan tersimpan."))
            return redirect("meetings:action-detail", pk=action.pk)
    context = _detail_context(user, action, progress_form=form)
    return render(request, "meetings/action_detail.html", context)


@role_required(*REPORTERS)
@require_POST
def action_close_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user, action = _get_reportable_action(request, pk)
    has_evidence = Evidence.objects.filter(update__action=action).exists()
    form = CloseForm(request.POST, request.FILES, prefix="close", has_evidence=has_evidence)
    if form.is_valid():
        try:
            action_close(
                actor=user,
                action=action,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                files=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Tindak lanjut ditutup sebagai selesai."))
            return redirect("meetings:action-detail", pk=action.pk)
    context = _detail_context(user, action, close_form=form)
    return render(request, "meetings/action_detail.html", context)


def _get_evidence_for_user(request: AuthenticatedHttpRequest, pk: int) -> Evidence:
    """Evidence of the actions the user may see (an officer: their organisation's)."""
    actions = Action.objects.for_user(request.user)
    return get_object_or_404(
        Evidence.objects.filter(update__action__in=actions).select_related("update__action"),
        pk=pk,
    )


@role_required(*ALL_ROLES)
def evidence_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evidence = _get_evidence_for_user(request, pk)
    # Evidence is at most EVIDENCE_MAX_BYTES, so reading it whole is fine, and it keeps the
    # view an HttpResponse like every other role-checked view.
    with evidence.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=evidence.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=evidence.original_name) or ""
    )
    # Served from our origin: never let a browser sniff an upload into something executable.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
