"""Aggregation into KK2/KM4 against a hand computation, then through approve → recompute →
dashboard; a re-run updates what is not approved and leaves approved values alone."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Indicator, IndicatorValue, ScoreSnapshot, Submission
from indicators.scoring.recompute import scores_recompute
from indicators.services.values import submission_approve, submission_get_or_create
from indicators.surveys.models import AggregationRun
from indicators.surveys.services.aggregation import survey_aggregate, survey_means
from tests.conftest import login, wait_until
from tests.factories import make_value
from tests.surveys.helpers import kelurahan, make_respondent

A, B = "53.71.01.1001", "53.71.01.1002"


def _third(value: Fraction) -> Decimal:
    """Half-up to three places, by hand."""
    thousandths = value * 1000
    whole = thousandths.numerator // thousandths.denominator
    if thousandths - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole) / 1000


@pytest.fixture
def fixture_respondents(survey):
    """KK04 and KM04, KM07 are reverse items (5 − answer)."""
    items = {i.code: i for i in survey.questionnaire.items.all()}
    assert items["KK04"].reverse and items["KM04"].reverse and items["KM07"].reverse
    assert not items["KK01"].reverse
    kk = "keluarga"
    make_respondent(
        survey=survey, setting=kk, kelurahan=kelurahan(A), answers={"KK01": 4, "KK02": 3, "KK04": 2}
    )  # (4 + 3 + 3) / 3
    make_respondent(
        survey=survey,
        setting=kk,
        kelurahan=kelurahan(A),
        answers={"KK01": 2, "KK02": 2, "KK03": 1, "KK04": 4},
    )  # (2+2+1+1) / 4
    make_respondent(survey=survey, setting=kk, kelurahan=kelurahan(B), answers={"KK01": 3})
    make_respondent(
        survey=survey,
        setting=kk,
        kelurahan=kelurahan(B),
        answers={"KK01": 1},
        excluded=True,
        exclusion_reason="Responden fiktif",
    )
    make_respondent(
        survey=survey,
        setting="masyarakat",
        kelurahan=kelurahan(A),
        answers={"KM01": 4, "KM04": 1, "KM07": 3},
    )  # (4 + 4 + 2) / 3
    make_respondent(
        survey=survey,
        setting="pendidikan",
        kelurahan=kelurahan(B),
        answers={"KM01": 2, "KM02": 3, "KW01": 1},
    )  # (2 + 3) / 2; KW01 feeds none


HAND_KK2 = (Fraction(10, 3) + Fraction(6, 4) + Fraction(3)) / 3
HAND_KM4 = (Fraction(10, 3) + Fraction(5, 2)) / 2


def _value(period, code):
    return IndicatorValue.objects.get(
        submission__period=period, submission__level="kota", indicator__code=code
    )


def test_the_means_equal_a_hand_computation(survey, fixture_respondents):
    means = survey_means(survey)
    kk2 = Indicator.objects.get(code="KK2").pk
    assert means.respondents == 5
    assert means.city[kk2].value == HAND_KK2
    assert means.kelurahan[kk2][kelurahan(A).pk].value == (Fraction(10, 3) + Fraction(3, 2)) / 2
    assert means.kelurahan[kk2][kelurahan(B).pk].n == 1


def test_the_values_are_written_with_a_summary_as_evidence(
    survey, fixture_respondents, operator, period
):
    result = survey_aggregate(survey=survey, actor=operator)
    kk2, km4 = _value(period, "KK2"), _value(period, "KM4")
    assert (kk2.value, km4.value) == (_third(HAND_KK2), _third(HAND_KM4))
    assert kk2.value == Decimal("2.611") and km4.value == Decimal("2.917")
    assert kk2.entered_by == operator and "4 responden" not in kk2.comment
    assert "3 responden" in kk2.comment  # the excluded one is left out
    sheet = load_workbook(kk2.evidence.open("rb"), read_only=True).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "KK2"]
    assert ("KK2", "kota", "53.71", "Kota Kupang", 3, 2.611) in rows
    # Other city-level indicators are still empty: written, but left as a draft.
    assert kk2.submission.status == Submission.Status.DRAFT
    assert result["draft"] and result["written"][0]["indicators"] == ["KK2", "KM4"]


def _fill_other_city_values(period):
    submission = submission_get_or_create(period=period, level="kota", region=period.city)
    for indicator in (
        Indicator.objects.active().filter(level="kota").exclude(code__in=["KK2", "KM4"])
    ):
        value = 1 if indicator.kind == Indicator.Kind.YES_NO else indicator.best
        make_value(
            submission=submission,
            code=indicator.code,
            value=value,
            evidence=b"%PDF-1.4\n%%EOF" if indicator.evidence_required else None,
        )
    return submission


def test_survey_values_go_through_approve_recompute_and_the_dashboard(
    client, survey, fixture_respondents, operator, verifier, pimpinan, period
):
    submission = _fill_other_city_values(period)
    survey_aggregate(survey=survey, actor=operator)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.approved_at is None  # never auto-approved
    submission_approve(submission=submission, actor=verifier, expected_version=None)
    scores_recompute(period_ids=[period.pk])
    snapshot = ScoreSnapshot.objects.get(period=period, edition__is_default=True)
    assert snapshot.value_count > 0
    page = login(client, pimpinan).get(reverse("reports:indicator-detail", args=["KK2"]))
    body = page.content.decode()
    assert "2,611" in body and "Disetujui" in body

    # More data after approval: the approved values stay as they are.
    make_respondent(survey=survey, setting="keluarga", answers={"KK01": 1})
    result = survey_aggregate(survey=survey, actor=operator)
    assert _value(period, "KK2").value == Decimal("2.611")
    assert result["skipped"] and not result["written"]


def test_a_rerun_updates_a_submitted_value_and_resubmits_it(
    survey, fixture_respondents, operator, period
):
    _fill_other_city_values(period)
    survey_aggregate(survey=survey, actor=operator)
    make_respondent(survey=survey, setting="keluarga", answers={"KK01": 1, "KK02": 1})
    again = survey_aggregate(survey=survey, actor=operator)
    expected = (Fraction(10, 3) + Fraction(3, 2) + 3 + 1) / 4
    kk2 = _value(period, "KK2")
    assert kk2.value == _third(expected)
    assert kk2.submission.status == Submission.Status.SUBMITTED
    assert again["written"] == [{"unit": "Kota Kupang", "indicators": ["KK2"]}]
    assert survey_aggregate(survey=survey, actor=operator)["unchanged"]


@pytest.mark.worker
def test_the_aggregate_button_runs_the_job_on_a_worker(
    client, start_worker, survey, fixture_respondents, operator, period
):
    start_worker()
    response = login(client, operator).post(reverse("surveys:aggregate", args=[survey.pk]))
    assert response.status_code == 302
    run = wait_until(
        lambda: AggregationRun.objects.filter(survey=survey).exclude(status="queued").first()
    )
    assert run.status == AggregationRun.Status.DONE, run.failure
    assert _value(period, "KK2").value == _third(HAND_KK2)
    page = client.get(reverse("surveys:survey-detail", args=[survey.pk])).content.decode()
    assert 'data-testid="last-run"' in page and "KK2, KM4" in page
