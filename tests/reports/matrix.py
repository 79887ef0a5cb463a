from reports.models import Brief
from tests.factories import make_brief, make_period, make_recommendation, seed_framework
from tests.matrix import Row, everyone, statuses


def _period(personas):
    from indicators.models import AssessmentPeriod

    seed_framework()
    existing = AssessmentPeriod.objects.filter(city=personas.city, year=2026).first()
    return existing or make_period(city=personas.city, year=2026)


def _done_brief(personas):
    """A city summary: every role of the city may see and download it."""
    return {"pk": make_brief(period=_period(personas), status=Brief.Status.DONE).pk}


def _failed_brief(personas):
    return {"pk": make_brief(period=_period(personas), status=Brief.Status.FAILED).pk}


def _recommendation(personas):
    seed_framework()
    return {"pk": make_recommendation(city=personas.city).pk}


def _request_data(personas):
    return {
        "period": _period(personas).pk,
        "kind": Brief.Kind.STAKEHOLDER,
        # Missing stakeholder: the form answers with an error (200), nothing is queued.
        "stakeholder": "",
    }


EDITORS = {"admin": 200, "operator": 200}

ROWS = [
    Row("reports:index", everyone()),
    Row("reports:brief-list", everyone()),
    Row(
        "reports:brief-request",
        statuses(other_city=200, **EDITORS),
        method="post",
        data=_request_data,
    ),
    Row("reports:brief-detail", everyone(other_city=404), kwargs=_done_brief),
    Row(
        "reports:brief-retry",
        statuses(other_city=404, admin=302, operator=302),
        kwargs=_failed_brief,
        method="post",
    ),
    Row("reports:brief-download", everyone(other_city=404), kwargs=_done_brief),
    Row("reports:recommendation-list", everyone()),
    Row("reports:recommendation-create", statuses(other_city=200, **EDITORS)),
    Row(
        "reports:recommendation-edit",
        statuses(other_city=404, **EDITORS),
        kwargs=_recommendation,
    ),
]
