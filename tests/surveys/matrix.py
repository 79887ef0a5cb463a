"""Permission matrix rows of the surveys app (see tests/test_permission_matrix.py)."""

from indicators.surveys.models import Questionnaire, Survey, SurveyImport
from kotan.models import User
from tests.indicators.matrix import _period
from tests.matrix import Row, everyone, statuses


def _survey(personas) -> Survey:
    from indicators.surveys.services.plan import survey_start
    from indicators.surveys.services.questionnaires import questionnaire_seed

    period = _period(personas)
    questionnaire_seed()
    return survey_start(period=period, actor=personas.users["admin"])


def _survey_kwargs(personas):
    return {"pk": _survey(personas).pk}


def _questionnaire_kwargs(personas):
    _survey(personas)
    return {"pk": Questionnaire.objects.get(is_default=True).pk}


def _respondent_kwargs(personas):
    from tests.surveys.helpers import make_respondent

    survey = _survey(personas)
    return {"pk": make_respondent(survey=survey, answers={"KK01": 3}).pk}


def _import_kwargs(personas):
    survey = _survey(personas)
    survey_import = SurveyImport.objects.create(
        survey=survey,
        created_by=personas.users["operator"],
        file="survey-imports/uji.csv",
        original_name="uji.csv",
        file_format="csv",
        columns=["_uuid", "setting"],
        mapping={"_uuid": "id", "setting": "setting"},
    )
    return {"pk": survey_import.pk}


def _officer_kwargs(personas):
    return {"user_pk": User.objects.get(username="petugas-kesbangpol").pk}


READERS = statuses(admin=200, operator=200, verifikator=200, pimpinan=200, other_city=404)
COLLECTORS = statuses(admin=200, operator=200, other_city=404)
MICRODATA = statuses(admin=200, operator=200, verifikator=200, other_city=404)
STAFF = statuses(admin=200, operator=200, other_city=404)
STAFF_POST = statuses(admin=302, operator=302, other_city=404)
ADMIN_ONLY = statuses(admin=200, other_city=403)
ADMIN_POST = statuses(admin=302, other_city=403)

ROWS = [
    Row("surveys:index", everyone()),
    Row("surveys:questionnaire-list", {**everyone(), "admin_pusat": 200}),
    Row(
        "surveys:questionnaire-detail",
        {**everyone(), "admin_pusat": 200},
        kwargs=_questionnaire_kwargs,
    ),
    Row(
        "surveys:questionnaire-new-version",
        statuses(other_city=403, admin_pusat=302),
        kwargs=_questionnaire_kwargs,
        method="post",
    ),
    Row("surveys:enumerators", ADMIN_ONLY),
    Row("surveys:enumerator-toggle", ADMIN_POST, kwargs=_officer_kwargs, method="post"),
    Row(
        "surveys:survey-start",
        ADMIN_POST,
        kwargs=lambda p: {"pk": _period(p).pk},
        method="post",
    ),
    Row("surveys:survey-detail", READERS, kwargs=_survey_kwargs),
    Row("surveys:sample-plan", READERS, kwargs=_survey_kwargs),
    Row(
        "surveys:sample-plan-generate",
        ADMIN_POST,
        kwargs=_survey_kwargs,
        method="post",
        data=lambda p: {"total": "60"},
    ),
    Row("surveys:progress", READERS, kwargs=_survey_kwargs),
    Row("surveys:collect", COLLECTORS, kwargs=_survey_kwargs),
    Row(
        "surveys:respondent-submit",
        statuses(admin=302, operator=302, other_city=404),
        kwargs=_survey_kwargs,
        method="post",
    ),
    Row(
        "surveys:aggregate",
        statuses(admin=302, operator=302, other_city=404),
        kwargs=_survey_kwargs,
        method="post",
    ),
    Row("surveys:respondent-list", READERS, kwargs=_survey_kwargs),
    Row(
        "surveys:respondent-exclude",
        statuses(admin=302, verifikator=302, other_city=403),
        kwargs=_respondent_kwargs,
        method="post",
        data=lambda p: {"reason": "Uji"},
    ),
    Row("surveys:import-upload", STAFF, kwargs=_survey_kwargs),
    Row("surveys:import-detail", STAFF, kwargs=_import_kwargs),
    # A mapping without items is refused with a message; the import is never confirmed
    # before it is checked: both redirect back to the import page.
    Row("surveys:import-mapping", STAFF_POST, kwargs=_import_kwargs, method="post"),
    Row("surveys:import-confirm", STAFF_POST, kwargs=_import_kwargs, method="post"),
    Row("surveys:report", READERS, kwargs=_survey_kwargs),
    Row("surveys:microdata-csv", MICRODATA, kwargs=_survey_kwargs),
    Row("surveys:microdata-xlsx", MICRODATA, kwargs=_survey_kwargs),
]
