"""Helpers shared by the indicators views: the current user and permission-checked fetches."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse

from indicators.models import AssessmentPeriod, Indicator, Submission
from kotan.lib.http import AuthenticatedHttpRequest


def get_period_for_user(request: AuthenticatedHttpRequest, pk: int) -> AssessmentPeriod:
    """A period of the user's city; any other is 404, as if it did not exist."""
    return get_object_or_404(
        AssessmentPeriod.objects.for_user(request.user).select_related("city"), pk=pk
    )


def get_submission_for_user(request: AuthenticatedHttpRequest, pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.for_user(request.user).select_related(
            "period__city", "region", "stakeholder"
        ),
        pk=pk,
    )


def unit_url(submission: Submission) -> str:
    """The entry page of a submission's unit."""
    if submission.level == Indicator.Level.STAKEHOLDER:
        return reverse(
            "indicators:entry-stakeholder",
            kwargs={"pk": submission.period_id, "stakeholder": submission.stakeholder_id},
        )
    if submission.level == Indicator.Level.KOTA:
        return reverse("indicators:entry-city", kwargs={"pk": submission.period_id})
    assert submission.region is not None
    return reverse(
        "indicators:entry-kelurahan",
        kwargs={"pk": submission.period_id, "code": submission.region.code},
    )
