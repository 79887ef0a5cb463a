"""Helpers shared by the survey views: the current user and permission-checked fetches."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from indicators.surveys.models import Respondent, Survey, SurveyImport


def get_survey_for_user(request: HttpRequest, pk: int) -> Survey:
    """A survey of the user's city; any other is 404, as if it did not exist."""
    return get_object_or_404(
        Survey.objects.for_user(request.user).select_related("period__city", "questionnaire"),
        pk=pk,
    )


def get_respondent_for_user(request: HttpRequest, pk: int) -> Respondent:
    return get_object_or_404(
        Respondent.objects.for_user(request.user).select_related("survey__period__city"), pk=pk
    )


def get_import_for_user(request: HttpRequest, pk: int) -> SurveyImport:
    return get_object_or_404(
        SurveyImport.objects.for_user(request.user).select_related("survey__period__city"),
        pk=pk,
    )


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
