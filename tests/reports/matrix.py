from tests.matrix import Row, everyone

# The drill-down pages take the period by year in the query string; a user of another city
# has no such period (and no such value) and gets 404.
DRILL_DOWN = everyone(other_city=404)


def _scored_period(personas):
    """A 2025 period of the personas' city with one approved value that has evidence."""
    from django.core.files.base import ContentFile

    from indicators.models import AssessmentPeriod, IndicatorValue
    from indicators.services.recompute import scores_recompute
    from tests.factories import make_approved_submission, make_period, seed_framework

    period = AssessmentPeriod.objects.filter(city=personas.city, year=2025).first()
    if period is None:
        seed_framework()
        period = make_period(city=personas.city, year=2025)
        make_approved_submission(period=period, values={"HK1": 0, "KL1": 1})
        value = IndicatorValue.objects.get(submission__period=period, indicator__code="HK1")
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
    return {"pk": IndicatorValue.objects.get(submission__period=period, indicator__code="HK1").pk}


ROWS = [
    Row("reports:index", everyone()),
    Row("reports:dashboard", everyone()),
    Row("reports:variable-detail", DRILL_DOWN, kwargs=_code("HK"), query="?periode=2025"),
    Row("reports:indicator-detail", DRILL_DOWN, kwargs=_code("HK1"), query="?periode=2025"),
    Row("reports:value-evidence", DRILL_DOWN, kwargs=_evidence_value),
]
