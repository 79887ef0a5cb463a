"""The verifier's review queue: filter the submitted units, open one beside last period's
values, approve or return it and go on to the next; or approve many with one confirmation.
Every decision goes through indicators.services.values, one audit entry per unit."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from indicators import selectors
from indicators.models import Submission
from indicators.permissions import QUEUE_READERS, REVIEWERS
from indicators.review_forms import BulkApproveForm, DecisionForm, QueueFilterForm
from indicators.services.values import (
    EntryError,
    submission_approve,
    submission_return,
    unit_of,
)
from indicators.views.common import get_submission_for_user, unit_url
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.models import Region
from kotan.permissions import require, role_required


def _queue(request: AuthenticatedHttpRequest) -> tuple[QueueFilterForm, list[Submission]]:
    user = request.user
    assert user.city is not None
    form = QueueFilterForm(request.GET or None, city=user.city)
    return form, list(selectors.review_queue(user.city.pk, form.filters()))


def _queue_url(query: str) -> str:
    url = reverse("indicators:review-queue")
    return f"{url}?{query}" if query else url


@role_required(*QUEUE_READERS)
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form, units = _queue(request)
    filters = form.filters()
    can_decide = user.has_role(*REVIEWERS)
    context = {
        "form": form,
        "units": units,
        "status": filters.status,
        "can_bulk": can_decide and filters.status == Submission.Status.SUBMITTED,
        "can_decide": can_decide,
        "query": request.GET.urlencode(),
    }
    return render(request, "indicators/review_queue.html", context)


def _neighbours(
    request: AuthenticatedHttpRequest, submission: Submission
) -> tuple[int | None, int | None]:
    """The previous and next unit in the queue the verifier came from (same filters)."""
    user = request.user
    assert user.city is not None
    form = QueueFilterForm(request.GET or None, city=user.city)
    ids = list(selectors.review_queue(user.city.pk, form.filters()).values_list("pk", flat=True))
    if submission.pk not in ids:
        return None, ids[0] if ids else None
    at = ids.index(submission.pk)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


def _unit_name(submission: Submission) -> str:
    unit = unit_of(submission)
    return unit.name if isinstance(unit, Region) else str(unit)


def _detail_url(pk: int, query: str) -> str:
    url = reverse("indicators:review-detail", args=[pk])
    return f"{url}?{query}" if query else url


@role_required(*REVIEWERS)
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request, pk)
    form = DecisionForm(initial={"version": submission.version})
    return _render_detail(request, submission, form)


def _render_detail(
    request: AuthenticatedHttpRequest, submission: Submission, form: DecisionForm, status: int = 200
) -> HttpResponse:
    previous, following = _neighbours(request, submission)
    query = request.GET.urlencode()
    rows = selectors.review_rows(submission)
    context = {
        "submission": submission,
        "unit": _unit_name(submission),
        "rows": rows,
        "warning_count": sum(1 for r in rows if r.warnings),
        "previous_period": selectors.previous_period(submission.period),
        "form": form,
        "query": query,
        "queue_url": _queue_url(query),
        "previous_url": _detail_url(previous, query) if previous else "",
        "next_url": _detail_url(following, query) if following else "",
        "entry_url": unit_url(submission),
    }
    return render(request, "indicators/review_detail.html", context, status=status)


@require_POST
@role_required(*REVIEWERS)
def review_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Approve or return one unit, then go on to the next unit of the queue."""
    user = request.user
    submission = get_submission_for_user(request, pk)
    require(user, "indicators.review_submission", submission)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, submission, form, status=400)
    _previous, following = _neighbours(request, submission)
    version = form.cleaned_data["version"]
    try:
        if form.cleaned_data["action"] == "approve":
            submission_approve(submission=submission, actor=user, expected_version=version)
            messages.success(request, _("%(unit)s disetujui.") % {"unit": _unit_name(submission)})
        else:
            submission_return(
                submission=submission,
                actor=user,
                reason=form.cleaned_data["reason"],
                expected_version=version,
            )
            messages.success(
                request, _("%(unit)s dikembalikan.") % {"unit": _unit_name(submission)}
            )
    except EntryError as error:
        messages.error(request, str(error))
        return redirect(_detail_url(submission.pk, request.GET.urlencode()))
    query = request.GET.urlencode()
    return redirect(_detail_url(following, query) if following else _queue_url(query))


@require_POST
@role_required(*REVIEWERS)
def review_bulk_approve(request: AuthenticatedHttpRequest) -> HttpResponse:
    """First POST (the ticked units) shows one confirmation; the second approves each."""
    user = request.user
    waiting = Submission.objects.for_user(user).filter(status=Submission.Status.SUBMITTED)
    form = BulkApproveForm(request.POST, allowed=list(waiting.values_list("pk", flat=True)))
    query = request.POST.get("query", "")
    if not form.is_valid():
        for error in form.errors.get("ids", []):
            messages.error(request, str(error))
        return redirect(_queue_url(query))
    ids: list[int] = form.cleaned_data["ids"]
    chosen = list(
        waiting.filter(pk__in=ids)
        .select_related("period__city", "region", "stakeholder")
        .order_by("submitted_at", "pk")
    )
    if not form.cleaned_data["confirmed"]:
        return render(request, "indicators/review_confirm.html", {"units": chosen, "query": query})
    approved, failed = 0, []
    for submission in chosen:
        try:
            submission_approve(submission=submission, actor=user, expected_version=None)
            approved += 1
        except EntryError as error:
            failed.append(f"{_unit_name(submission)}: {error}")
    messages.success(
        request,
        ngettext("%(n)d unit disetujui.", "%(n)d unit disetujui.", approved) % {"n": approved},
    )
    for line in failed:
        messages.error(request, line)
    return redirect(_queue_url(query))
