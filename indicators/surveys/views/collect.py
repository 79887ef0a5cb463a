"""Phone-first collection: one respondent per page, kept in the browser until the server
confirms it (static/js/survey-collect.js), sent to an idempotent endpoint keyed by the
client's UUID. Without JavaScript the same form posts normally."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from indicators.surveys import permissions
from indicators.surveys.models import Respondent, Setting, Survey
from indicators.surveys.permissions import COLLECT_CANDIDATES
from indicators.surveys.services.collection import (
    RespondentInput,
    RespondentInvalid,
    respondent_record,
    survey_items,
)
from indicators.surveys.services.plan import kelurahan_of
from indicators.surveys.views.common import get_survey_for_user, require
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.models import Region
from kotan.permissions import role_required

LIKERT_LABELS = [
    (1, gettext_lazy("Sangat tidak setuju")),
    (2, gettext_lazy("Tidak setuju")),
    (3, gettext_lazy("Setuju")),
    (4, gettext_lazy("Sangat setuju")),
]
MAX_BODY_BYTES = 64 * 1024


@role_required(*COLLECT_CANDIDATES)
def collect(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    require(permissions.can_collect(request.user, survey.period))
    return render(
        request,
        "surveys/collect.html",
        {
            "survey": survey,
            "period": survey.period,
            "kelurahan": kelurahan_of(survey),
            "settings": Setting.choices,
            "sexes": Respondent.Sex.choices,
            "age_groups": Respondent.AgeGroup.choices,
            "items": survey_items(survey),
            "likert": LIKERT_LABELS,
            "new_uuid": uuid.uuid4(),
        },
    )


def _payload(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    if request.content_type == "application/json":
        if len(request.body) > MAX_BODY_BYTES:
            return None
        try:
            data = json.loads(request.body)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None
    post = request.POST
    answers = {key[2:]: value for key, value in post.items() if key.startswith("a-")}
    return {**{key: post.get(key, "") for key in post}, "answers": answers}


def _input(survey: Survey, data: Mapping[str, Any]) -> RespondentInput:
    errors = {}
    try:
        respondent_uuid = uuid.UUID(str(data.get("uuid", "")))
    except ValueError:
        respondent_uuid = uuid.uuid4()
        errors["uuid"] = _("UUID responden tidak valid.")
    raw_kelurahan = str(data.get("kelurahan", ""))
    kelurahan = (
        Region.objects.for_city(survey.period.city_id).filter(pk=raw_kelurahan).first()
        if raw_kelurahan.isdigit()
        else None
    )
    answers = data.get("answers")
    return RespondentInput(
        uuid=respondent_uuid,
        kelurahan=kelurahan,
        setting=str(data.get("setting", "")),
        sex=str(data.get("sex", "") or ""),
        age_group=str(data.get("age_group", "") or ""),
        answers=answers if isinstance(answers, dict) else {},
        started_at=parse_datetime(str(data.get("started_at") or "")),
        finished_at=parse_datetime(str(data.get("finished_at") or "")),
        extra_errors=errors,
    )


@require_POST
@role_required(*COLLECT_CANDIDATES)
def respondent_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Store one respondent. JSON in → JSON out (201 created, 200 already stored, 400 with
    errors by field); a plain form post redirects back to the page."""
    survey = get_survey_for_user(request, pk)
    user = request.user
    require(permissions.can_collect(user, survey.period))
    is_json = request.content_type == "application/json"
    data = _payload(request)
    if data is None:
        return JsonResponse({"errors": {"body": _("Kiriman tidak dapat dibaca.")}}, status=400)
    try:
        respondent, created = respondent_record(
            survey=survey, enumerator=user, data=_input(survey, data)
        )
    except RespondentInvalid as error:
        if is_json:
            return JsonResponse({"errors": error.errors}, status=400)
        for field, message in error.errors.items():
            messages.error(request, f"{field}: {message}")
        return redirect("surveys:collect", pk=survey.pk)
    if is_json:
        return JsonResponse(
            {"uuid": str(respondent.uuid), "created": created}, status=201 if created else 200
        )
    messages.success(request, _("Responden tersimpan."))
    return redirect("surveys:collect", pk=survey.pk)
