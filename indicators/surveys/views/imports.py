"""Importing KoboToolbox / ODK Central exports: upload, map columns, check, confirm
(admins and operators of the city)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from indicators.surveys import permissions
from indicators.surveys.models import SurveyImport
from indicators.surveys.permissions import SURVEY_STAFF
from indicators.surveys.services.importing import (
    FIELD_TARGETS,
    IGNORE,
    ImportRefused,
    survey_import_confirm,
    survey_import_create,
    survey_import_set_mapping,
)
from indicators.surveys.views.common import (
    get_import_for_user,
    get_survey_for_user,
    require,
)
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.permissions import role_required

FIELD_LABELS = {
    "setting": gettext_lazy("Setting"),
    "kelurahan": gettext_lazy("Kelurahan (nama atau kode Kemendagri)"),
    "id": gettext_lazy("ID kiriman (_uuid / meta/instanceID)"),
    "sex": gettext_lazy("Jenis kelamin"),
    "age_group": gettext_lazy("Kelompok umur atau umur"),
    "start": gettext_lazy("Waktu mulai"),
    "end": gettext_lazy("Waktu selesai"),
}
ERRORS_SHOWN = 200


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Ekspor KoboToolbox atau ODK Central (XLSX/CSV)"))


@role_required(*SURVEY_STAFF)
def import_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    user = request.user
    require(permissions.can_run(user, survey.period))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_import = survey_import_create(
                survey=survey, actor=user, upload=form.cleaned_data["file"]
            )
        except ImportRefused as error:
            form.add_error("file", str(error))
        else:
            return redirect("surveys:import-detail", pk=survey_import.pk)
    imports = (
        SurveyImport.objects.for_city(survey.period.city_id)
        .filter(survey=survey)
        .select_related("created_by")[:20]
    )
    return render(
        request,
        "surveys/import_upload.html",
        {"survey": survey, "period": survey.period, "form": form, "imports": imports},
    )


def _choices(survey_import: SurveyImport) -> list[tuple[str, str]]:
    items = survey_import.survey.questionnaire.items.all()
    return [
        (IGNORE, str(_("— abaikan —"))),
        *((target, str(FIELD_LABELS[target])) for target in FIELD_TARGETS),
        *((f"item:{item.code}", _("Butir %(code)s") % {"code": item.code}) for item in items),
    ]


@role_required(*SURVEY_STAFF)
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey_import = get_import_for_user(request, pk)
    survey = survey_import.survey
    require(permissions.can_run(request.user, survey.period))
    return render(
        request,
        "surveys/import_detail.html",
        {
            "survey": survey,
            "period": survey.period,
            "import": survey_import,
            "choices": _choices(survey_import),
            "mapping_rows": [
                (index, column, survey_import.mapping.get(column, IGNORE))
                for index, column in enumerate(survey_import.columns)
            ],
            "errors": survey_import.errors[:ERRORS_SHOWN],
            "running": survey_import.status
            in (SurveyImport.Status.CHECKING, SurveyImport.Status.IMPORTING),
            "can_map": survey_import.status
            in (
                SurveyImport.Status.MAPPING,
                SurveyImport.Status.INVALID,
                SurveyImport.Status.READY,
            ),
        },
    )


@require_POST
@role_required(*SURVEY_STAFF)
def import_mapping(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey_import = get_import_for_user(request, pk)
    user = request.user
    require(permissions.can_run(user, survey_import.survey.period))
    mapping = {
        column: request.POST.get(f"col-{index}", IGNORE)
        for index, column in enumerate(survey_import.columns)
    }
    try:
        errors = survey_import_set_mapping(survey_import=survey_import, actor=user, mapping=mapping)
    except ImportRefused as error:
        errors = [str(error)]
    for message in errors:
        messages.error(request, message)
    return redirect("surveys:import-detail", pk=survey_import.pk)


@require_POST
@role_required(*SURVEY_STAFF)
def import_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey_import = get_import_for_user(request, pk)
    user = request.user
    require(permissions.can_run(user, survey_import.survey.period))
    try:
        survey_import_confirm(survey_import=survey_import, actor=user)
    except ImportRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Impor dimulai; halaman ini diperbarui sendiri."))
    return redirect("surveys:import-detail", pk=survey_import.pk)
