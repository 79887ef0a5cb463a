"""Survey hub, questionnaires, sample plan, progress and enumerators.

Who may do what (tests/surveys/matrix.py): every city user reads questionnaires and the
survey index; admins, operators, verifikator and pimpinan read a survey, its plan and its
progress; the Admin starts a survey, sets the plan and marks enumerators; the national owner
(`can_own_questionnaires`) makes new questionnaire versions.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.models import AssessmentPeriod
from indicators.surveys import permissions
from indicators.surveys.models import AggregationRun, Enumerator, Questionnaire, Setting, Survey
from indicators.surveys.permissions import PLANNERS, SURVEY_READERS
from indicators.surveys.selectors import survey_progress
from indicators.surveys.services.plan import (
    DEFAULT_TOTAL,
    PlanError,
    kelurahan_of,
    sample_plan_generate,
    sample_plan_save,
    survey_start,
)
from indicators.surveys.services.questionnaires import questionnaire_new_version
from indicators.surveys.views.common import get_survey_for_user, require
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.models import User
from kotan.permissions import ALL_ROLES, role_required
from kotan.services import audit_record


@role_required(*ALL_ROLES)
def survey_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    periods = AssessmentPeriod.objects.for_user(user).select_related("survey__questionnaire")
    return render(
        request,
        "surveys/index.html",
        {
            "periods": periods,
            "can_read": user.has_role(*SURVEY_READERS),
            "can_start": user.has_role(*PLANNERS),
            "is_enumerator": permissions.is_enumerator(user),
        },
    )


# The questionnaire is national: every city user reads it, and so does its owner.
QUESTIONNAIRE_READERS = (*ALL_ROLES, *permissions.QUESTIONNAIRE_OWNERS)


@role_required(*QUESTIONNAIRE_READERS)
def questionnaire_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    questionnaires = Questionnaire.objects.all()
    return render(request, "surveys/questionnaire_list.html", {"questionnaires": questionnaires})


@role_required(*QUESTIONNAIRE_READERS)
def questionnaire_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    items = questionnaire.items.select_related("variable", "indicator")
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "items": items,
            "setting_labels": dict(Setting.choices),
            "can_own": permissions.can_own_questionnaires(request.user),
        },
    )


@require_POST
@role_required(*permissions.QUESTIONNAIRE_OWNERS)
def questionnaire_new_version_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(permissions.can_own_questionnaires(user))
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    copy = questionnaire_new_version(questionnaire=questionnaire, actor=user)
    messages.success(
        request, _("Versi %(v)s dibuat; ubah butirnya di Administrasi.") % {"v": copy.version}
    )
    return redirect("surveys:questionnaire-detail", pk=copy.pk)


@require_POST
@role_required(*PLANNERS)
def survey_start_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    period = get_object_or_404(AssessmentPeriod.objects.for_user(user), pk=pk)
    try:
        survey = survey_start(period=period, actor=user)
    except PlanError as error:
        messages.error(request, str(error))
        return redirect("surveys:index")
    if not survey.targets.exists():
        sample_plan_generate(survey=survey, actor=user)
    return redirect("surveys:survey-detail", pk=survey.pk)


@role_required(*SURVEY_READERS)
def survey_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    user = request.user
    progress = survey_progress(survey)
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "period": survey.period,
            "progress": progress,
            "excluded": survey.respondents.filter(excluded=True).count(),
            "flagged": survey.respondents.exclude(flags=[]).count(),
            "last_run": AggregationRun.objects.filter(survey=survey).first(),
            "can_plan": permissions.can_plan(user, survey.period),
            "can_collect": permissions.can_collect(user, survey.period),
            "can_run": permissions.can_run(user, survey.period),
        },
    )


def _posted_targets(
    request: AuthenticatedHttpRequest, survey: Survey
) -> dict[tuple[int, str], int] | None:
    targets = {}
    for kelurahan in kelurahan_of(survey):
        for setting in Setting.values:
            raw = request.POST.get(f"t-{kelurahan.pk}-{setting}", "0").strip() or "0"
            if not raw.isdigit() or int(raw) > 10_000:
                return None
            targets[(kelurahan.pk, setting)] = int(raw)
    return targets


@role_required(*SURVEY_READERS)
def sample_plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    user = request.user
    can_plan = permissions.can_plan(user, survey.period)
    if request.method == "POST":
        require(can_plan)
        targets = _posted_targets(request, survey)
        if targets is None:
            messages.error(
                request, _("Target harus bilangan bulat 0–10.000; tidak ada yang disimpan.")
            )
        else:
            changed = sample_plan_save(survey=survey, actor=user, targets=targets)
            messages.success(
                request, _("Rencana sampel disimpan (%(n)s sel berubah).") % {"n": changed}
            )
            return redirect("surveys:sample-plan", pk=survey.pk)
    return render(
        request,
        "surveys/sample_plan.html",
        {
            "survey": survey,
            "period": survey.period,
            "progress": survey_progress(survey),
            "can_plan": can_plan,
            "default_total": DEFAULT_TOTAL,
        },
    )


@require_POST
@role_required(*PLANNERS)
def sample_plan_generate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    user = request.user
    require(permissions.can_plan(user, survey.period))
    raw = request.POST.get("total", "").strip()
    try:
        total = sample_plan_generate(
            survey=survey, actor=user, total=int(raw) if raw.isdigit() else 0
        )
    except PlanError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(n)s responden dibagi ke setting dan kelurahan.") % {"n": total}
        )
    return redirect("surveys:sample-plan", pk=survey.pk)


@role_required(*SURVEY_READERS)
def survey_progress_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for_user(request, pk)
    return render(
        request,
        "surveys/progress.html",
        {"survey": survey, "period": survey.period, "progress": survey_progress(survey)},
    )


@role_required(*PLANNERS)
def enumerator_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    officers = (
        User.objects.filter(city_id=request.user.city_id, role=User.Role.PEMANGKU)
        .select_related("stakeholder", "enumerator")
        .order_by("stakeholder__name", "username")
    )
    return render(request, "surveys/enumerators.html", {"officers": officers})


@require_POST
@role_required(*PLANNERS)
def enumerator_toggle(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    admin = request.user
    officer = get_object_or_404(
        User.objects.filter(city_id=admin.city_id, role=User.Role.PEMANGKU), pk=user_pk
    )
    assert admin.city is not None
    marked = Enumerator.objects.filter(user=officer).first()
    if marked:
        marked.delete()
        action, state = "enumerator.unmark", [True, False]
    else:
        Enumerator.objects.create(user=officer, marked_by=admin)
        action, state = "enumerator.mark", [False, True]
    audit_record(
        actor=admin, city=admin.city, obj=officer, action=action, changes={"enumerator": state}
    )
    return redirect("surveys:enumerators")
