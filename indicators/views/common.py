"""Helpers shared by the indicators views: the current user and permission-checked fetches."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from indicators.models import AssessmentPeriod, Submission
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
    return submission.get_absolute_url()
