"""Respondents with their quality flags; the verifikator excludes or takes back one."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.surveys import permissions
from indicators.surveys.models import Respondent
from indicators.surveys.permissions import REVIEWERS, SURVEY_READERS
from indicators.surveys.services.review import ReviewError, respondent_set_excluded
from indicators.surveys.views.common import (
    get_respondent_for_user,
    get_survey_for_user,
    require,
)
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.permissions import role_required

PER_PAGE = 50


@role_required(*SURVEY_READERS)
def respondent_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    respondents = survey.respondents.select_related("kelurahan", "enumerator").order_by(
        "-received_at", "-id"
    )
    flag = request.GET.get("tanda", "")
    if flag in Respondent.Flag.values:
        respondents = respondents.filter(flags__contains=[flag])
    elif flag == "dikecualikan":
        respondents = respondents.filter(excluded=True)
    page = Paginator(respondents, PER_PAGE).get_page(request.GET.get("hal"))
    return render(
        request,
        "surveys/respondent_list.html",
        {
            "survey": survey,
            "period": survey.period,
            "page": page,
            "flag": flag,
            "flags": Respondent.Flag.choices,
            "can_review": permissions.can_review(request.user, survey.period),
        },
    )


@require_POST
@role_required(*REVIEWERS)
def respondent_exclude(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    respondent = get_respondent_for_user(request, pk)
    user = request.user
    require(permissions.can_review(user, respondent.survey.period))
    exclude = request.POST.get("action", "exclude") != "include"
    try:
        respondent_set_excluded(
            respondent=respondent,
            actor=user,
            excluded=exclude,
            reason=request.POST.get("reason", ""),
        )
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Responden dikecualikan dari agregasi.")
            if exclude
            else _("Responden dihitung kembali."),
        )
    return redirect("surveys:respondent-list", pk=respondent.survey_id)
