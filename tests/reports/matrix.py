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


def _held_meeting(personas):
    """A held meeting of the city to which the stakeholder persona's organisation was not
    invited: its officer may not ask for the minutes (404, as for another city's meeting)."""
    from meetings.models import Meeting
    from tests.factories import make_meeting

    _period(personas)
    meeting = make_meeting(city=personas.city, status=Meeting.Status.HELD, minutes="Catatan.")
    return {"meeting_pk": meeting.pk}


EDITORS = {"admin": 200, "operator": 200}

# The drill-down pages take the period by year in the query string; a user of another city
# has no such period (and no such value) and gets 404.
DRILL_DOWN = everyone(other_city=404)


def _scored_period(personas):
    """A 2025 period of the personas' city with approved values; Kesbangpol's KL1 has
    evidence."""
    from django.core.files.base import ContentFile

    from indicators.models import AssessmentPeriod, IndicatorValue
    from indicators.scoring.recompute import scores_recompute
    from tests.factories import make_approved_submission, make_period, seed_framework_for

    period = AssessmentPeriod.objects.filter(city=personas.city, year=2025).first()
    if period is None:
        seed_framework_for(personas.city)
        period = make_period(city=personas.city, year=2025)
        make_approved_submission(period=period, values={"HK1": 0, "KL1": 1})
        value = IndicatorValue.objects.get(submission__period=period, indicator__code="KL1")
        value.evidence.save("surat.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)
        scores_recompute(period_ids=[period.pk])
    return period


def _code(code):
    def kwargs(personas):
        _scored_period(personas)
        return {"code": code}

    return kwargs


def _evidence_value(personas):
    from indicators.models import IndicatorValue

    period = _scored_period(personas)
    return {"pk": IndicatorValue.objects.get(submission__period=period, indicator__code="KL1").pk}


ROWS = [
    Row("reports:index", everyone()),
    Row("reports:dashboard", everyone()),
    # Every city's latest scores: Admin Pusat alone, read-only.
    Row("reports:national-scores", statuses(other_city=403, admin_pusat=200)),
    Row("reports:variable-detail", DRILL_DOWN, kwargs=_code("HK"), query="?periode=2025"),
    Row("reports:indicator-detail", DRILL_DOWN, kwargs=_code("HK1"), query="?periode=2025"),
    # KL1 is Kesbangpol's: the other organisations' officers do not see its value.
    Row("reports:value-evidence", everyone(other_city=404, other_orgs=404), kwargs=_evidence_value),
    Row("reports:brief-list", everyone()),
    Row(
        "reports:brief-request",
        # A stakeholder officer's request is completed with its own organisation: queued.
        statuses(other_city=200, pemangku=302, **EDITORS),
        method="post",
        data=_request_data,
    ),
    Row(
        "reports:brief-request-minutes",
        statuses(
            other_city=404, admin=302, operator=302, verifikator=302, pimpinan=302, pemangku=404
        ),
        kwargs=_held_meeting,
        method="post",
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
