"""Queueing the aggregation of a survey into indicator values (admins and operators)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.surveys import permissions
from indicators.surveys.permissions import SURVEY_STAFF
from indicators.surveys.services.aggregation import aggregation_request
from indicators.surveys.views.common import get_survey_for_user, require
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.permissions import role_required


@require_POST
@role_required(*SURVEY_STAFF)
def survey_aggregate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    user = request.user
    require(permissions.can_run(user, survey.period))
    aggregation_request(survey=survey, actor=user)
    messages.success(
        request,
        _(
            "Agregasi diantrekan. Nilai survei ditulis ke indikator dan diajukan; "
            "verifikator tetap harus menyetujuinya."
        ),
    )
    return redirect("surveys:survey-detail", pk=survey.pk)
