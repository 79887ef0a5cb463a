"""Entering one unit's values (the city, a kelurahan or a stakeholder), reviewing them, and
downloading evidence. Every write goes through indicators.services.values."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import selectors
from indicators.forms import EVIDENCE_TYPES, EntryForm, ReasonForm
from indicators.models import AssessmentPeriod, Indicator, IndicatorValue, Submission
from indicators.permissions import (
    ENTRY_ROLES,
    REVIEWERS,
    can_enter,
    can_open_stakeholder_unit,
    can_review,
    can_submit,
    entry_window_open,
    visible_indicators,
)
from indicators.services.values import (
    EntryError,
    InvalidValues,
    StaleSubmission,
    submission_approve,
    submission_get_or_create,
    submission_lock_error,
    submission_reopen,
    submission_return,
    submission_submit,
    submission_values_save,
)
from indicators.views.common import (
    get_period_for_user,
    get_submission_for_user,
    unit_url,
)
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.lib.uploads import sniff_mime
from kotan.models import Region, Stakeholder, User
from kotan.permissions import role_required

Level = Indicator.Level


@dataclass
class EntryState:
    """What one user may see and do on one unit's page."""

    period: AssessmentPeriod
    level: str
    region: Region | None
    stakeholder: Stakeholder | None
    indicators: list[Indicator]
    submission: Submission | None
    stored: dict[int, IndicatorValue]
    permitted: set[int] = field(default_factory=set)  # indicators the user may write

    @property
    def unit_name(self) -> str:
        return str(self.stakeholder or (self.region.name if self.region else ""))

    def submission_or_blank(self) -> Submission:
        return self.submission or Submission(
            period=self.period,
            level=self.level,
            region=self.region,
            stakeholder=self.stakeholder,
        )


def _state(
    request: AuthenticatedHttpRequest,
    period: AssessmentPeriod,
    level: str,
    region: Region | None = None,
    stakeholder: Stakeholder | None = None,
) -> EntryState:
    user = request.user
    indicators = visible_indicators(
        user, selectors.unit_indicators(city=period.city, level=level, stakeholder=stakeholder)
    )
    if not indicators and user.role == User.Role.PEMANGKU:
        raise PermissionDenied  # nothing of this unit is assigned to the officer
    submission = selectors.unit_submission(
        period=period, level=level, region=region, stakeholder=stakeholder
    )
    state = EntryState(period, level, region, stakeholder, indicators, submission, {}, set())
    state.stored = selectors.values_by_indicator(submission)
    if can_enter(user, period):
        state.permitted = {i.pk for i in indicators}
    return state


def _entry_form(request: AuthenticatedHttpRequest, state: EntryState) -> EntryForm:
    locked = bool(state.submission and submission_lock_error(state.submission))
    editable = set() if locked and request.method != "POST" else state.permitted
    if request.method == "POST":
        return EntryForm(
            request.POST.copy(),
            request.FILES,
            indicators=state.indicators,
            editable=editable,
            stored=state.stored,
        )
    version = state.submission.version if state.submission else 1
    return EntryForm(
        initial={"version": version},
        indicators=state.indicators,
        editable=editable,
        stored=state.stored,
    )


def _conflicts(form: EntryForm, current: Submission) -> list[dict[str, Any]]:
    """The values someone else stored that differ from what this user typed."""
    stored = selectors.values_by_indicator(current)
    rows = []
    for indicator in form.indicators:
        if indicator.pk not in form.editable:
            continue
        mine: Decimal | None = form.cleaned_data.get(f"v{indicator.pk}")
        theirs = stored.get(indicator.pk)
        if mine != (theirs.value if theirs else None):
            rows.append({"indicator": indicator, "mine": mine, "theirs": theirs})
    return rows


def _render_entry(
    request: AuthenticatedHttpRequest,
    state: EntryState,
    form: EntryForm,
    *,
    review_form: ReasonForm | None = None,
    review_action: str = "",
    conflicts: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    submission = state.submission
    version = submission.version if submission else 1
    return_form = ReasonForm(prefix="return", initial={"version": version})
    reopen_form = ReasonForm(prefix="reopen", initial={"version": version})
    if review_action == "return" and review_form is not None:
        return_form = review_form
    if review_action == "reopen" and review_form is not None:
        reopen_form = review_form
    rows = form.rows()
    groups = selectors.by_variable(state.indicators)
    context = {
        "state": state,
        "period": state.period,
        "submission": submission,
        "form": form,
        "groups": [
            (variable, [r for r in rows if r.indicator in items]) for variable, items in groups
        ],
        "can_save": bool(form.editable) and any(r.editable for r in rows),
        "can_submit": can_submit(user, state.submission_or_blank()),
        "can_review": submission is not None and can_review(user, submission),
        "lock_error": submission_lock_error(submission) if submission else None,
        "window_open": entry_window_open(state.period),
        "return_form": return_form,
        "reopen_form": reopen_form,
        "conflicts": conflicts,
        "history": selectors.history(submission),
    }
    return render(request, "indicators/entry.html", context, status=status)


def _entry(request: AuthenticatedHttpRequest, state: EntryState) -> HttpResponse:
    """GET shows the form; POST saves it as a draft, and submits it when asked to."""
    form = _entry_form(request, state)
    if request.method != "POST":
        return _render_entry(request, state, form)
    user = request.user
    if not state.permitted:
        raise PermissionDenied
    if state.submission is not None and (lock := submission_lock_error(state.submission)):
        form.is_valid()
        form.add_error(None, lock)
        return _render_entry(request, state, form, status=409)
    if not form.is_valid():
        return _render_entry(request, state, form)
    submission = state.submission or submission_get_or_create(
        period=state.period, level=state.level, region=state.region, stakeholder=state.stakeholder
    )
    try:
        submission = submission_values_save(
            submission=submission,
            actor=user,
            inputs=form.inputs(),
            expected_version=form.cleaned_data["version"],
        )
    except StaleSubmission as stale:
        form.data["version"] = str(stale.current.version)  # type: ignore[index]  # the next save is deliberate
        form.add_error(None, str(stale))
        conflicts = _conflicts(form, stale.current)
        state.submission = stale.current
        return _render_entry(request, state, form, conflicts=conflicts, status=409)
    except InvalidValues as invalid:
        for pk, message in invalid.errors.items():
            form.add_error(f"v{pk}", message)
        return _render_entry(request, state, form)
    except EntryError as error:
        form.add_error(None, str(error))
        return _render_entry(request, state, form, status=409)
    messages.success(request, _("Data tersimpan sebagai draf."))
    if request.POST.get("action") == "submit" and can_submit(user, submission):
        try:
            submission_submit(
                submission=submission, actor=user, expected_version=submission.version
            )
            messages.success(request, _("Data diajukan untuk diverifikasi."))
        except EntryError as error:
            messages.warning(request, _("Belum dapat diajukan: %(why)s") % {"why": error})
    return redirect(unit_url(submission))


@role_required(*ENTRY_ROLES)
def entry_city(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    period = get_period_for_user(request, pk)
    return _entry(request, _state(request, period, Level.KOTA, region=period.city))


@role_required(*ENTRY_ROLES)
def entry_kelurahan(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    period = get_period_for_user(request, pk)
    region = get_object_or_404(Region.objects.for_user(request.user).kelurahan(), code=code)
    return _entry(request, _state(request, period, Level.KELURAHAN, region=region))


@role_required(*ENTRY_ROLES)
def entry_stakeholder(request: AuthenticatedHttpRequest, pk: int, stakeholder: int) -> HttpResponse:
    period = get_period_for_user(request, pk)
    organisation = get_object_or_404(Stakeholder.objects.for_user(request.user), pk=stakeholder)
    if not can_open_stakeholder_unit(request.user, organisation.pk):
        raise PermissionDenied
    return _entry(request, _state(request, period, Level.STAKEHOLDER, stakeholder=organisation))


def _state_of(request: AuthenticatedHttpRequest, submission: Submission) -> EntryState:
    return _state(
        request,
        submission.period,
        submission.level,
        region=submission.region,
        stakeholder=submission.stakeholder,
    )


def _review(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Approve, return or reopen: the verifier's decisions on a unit's submission."""
    user = request.user
    submission = get_submission_for_user(request, pk)
    if not can_review(user, submission):
        raise PermissionDenied
    form = ReasonForm(request.POST, prefix=action if action != "approve" else None)
    if action == "approve":
        form.fields["reason"].required = False
    if not form.is_valid() and action == "approve":
        # Only the hidden version can be wrong here: a tampered or truncated request.
        messages.error(request, _("Permintaan tidak lengkap; muat ulang halaman lalu coba lagi."))
        return redirect(unit_url(submission))
    if not form.is_valid():
        state = _state_of(request, submission)
        return _render_entry(
            request,
            state,
            _entry_form_readonly(request, state),
            review_form=form,
            review_action=action,
        )
    version, reason = form.cleaned_data["version"], form.cleaned_data["reason"]
    try:
        if action == "approve":
            submission_approve(submission=submission, actor=user, expected_version=version)
            messages.success(request, _("Data disetujui dan dikunci."))
        elif action == "return":
            submission_return(
                submission=submission, actor=user, reason=reason, expected_version=version
            )
            messages.success(request, _("Data dikembalikan kepada pengisi."))
        else:
            submission_reopen(
                submission=submission, actor=user, reason=reason, expected_version=version
            )
            messages.success(request, _("Data dibuka kembali untuk diperbaiki."))
    except EntryError as error:
        messages.error(request, str(error))
    return redirect(unit_url(submission))


def _entry_form_readonly(request: AuthenticatedHttpRequest, state: EntryState) -> EntryForm:
    version = state.submission.version if state.submission else 1
    return EntryForm(
        initial={"version": version},
        indicators=state.indicators,
        editable=set(),
        stored=state.stored,
    )


@require_POST
@role_required(*REVIEWERS)
def submission_approve_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, "approve")


@require_POST
@role_required(*REVIEWERS)
def submission_return_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, "return")


@require_POST
@role_required(*REVIEWERS)
def submission_reopen_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, "reopen")


@role_required(*ENTRY_ROLES)
def evidence_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Evidence is served only here, to users who may open the value's unit."""
    user = request.user
    value = get_object_or_404(
        IndicatorValue.objects.for_user(user).select_related(
            "indicator", "submission__period__city", "submission__stakeholder"
        ),
        pk=pk,
    )
    # An officer's values are their organisation's own (IndicatorValue.for_officer).
    submission = value.submission
    if not value.evidence:
        raise Http404
    handle = value.evidence.open("rb")
    sniffed = sniff_mime(handle.read(2048))
    handle.seek(0)
    mime = sniffed if sniffed in EVIDENCE_TYPES else "application/octet-stream"
    extension = EVIDENCE_TYPES.get(mime, "bin")
    # role_required is typed for HttpResponse; a FileResponse is served the same way.
    return cast(
        HttpResponse,
        FileResponse(
            handle,
            as_attachment=True,
            filename=f"bukti-{value.indicator.code}-{submission.pk}.{extension}",
            content_type=mime,
        ),
    )
