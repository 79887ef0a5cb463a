"""The survey report and the anonymised microdata export."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from indicators.surveys.permissions import SURVEY_READERS, SURVEY_STAFF
from indicators.surveys.services.report import (
    MIN_CELL,
    microdata_csv_lines,
    microdata_xlsx,
    survey_report,
)
from indicators.surveys.views.common import get_survey_for_user
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.models import User
from kotan.permissions import role_required

# Microdata is for the people who check and analyse it, not for the mayor's office.
MICRODATA_ROLES = (*SURVEY_STAFF, User.Role.VERIFIKATOR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*SURVEY_READERS)
def survey_report_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    user = request.user
    return render(
        request,
        "surveys/report.html",
        {
            "survey": survey,
            "period": survey.period,
            "report": survey_report(survey),
            "min_cell": MIN_CELL,
            "can_download": isinstance(user, User) and user.has_role(*MICRODATA_ROLES),
        },
    )


def _filename(request: AuthenticatedHttpRequest, pk: int, suffix: str) -> str:
    survey = get_survey_for_user(request, pk)
    return f"mikrodata-survei-{survey.period.city.code}-{survey.period.year}.{suffix}"


@role_required(*MICRODATA_ROLES)
def microdata_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    # A city's survey is a few megabytes at most; role_required wraps HttpResponse views.
    response = HttpResponse(
        "".join(microdata_csv_lines(survey)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, pk, "csv")}"'
    return response


@role_required(*MICRODATA_ROLES)
def microdata_xlsx_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    response = HttpResponse(microdata_xlsx(survey), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, pk, "xlsx")}"'
    return response
