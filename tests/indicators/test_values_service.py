from decimal import Decimal

import pytest

from indicators.models import Indicator, Submission
from indicators.services.values import (
    EntryError,
    InvalidValues,
    StaleSubmission,
    SubmissionLocked,
    ValueInput,
    submission_approve,
    submission_get_or_create,
    submission_history,
    submission_reopen,
    submission_return,
    submission_submit,
    submission_values_save,
    value_error,
)
from tests.factories import make_period, seed_framework


@pytest.fixture
def city_submission(kupang):
    seed_framework()
    period = make_period(city=kupang)
    return submission_get_or_create(period=period, level=Indicator.Level.KOTA, region=kupang)


def _complete_inputs(submission):
    from indicators.services.values import applicable_indicators

    return {i.pk: ValueInput(value=i.best) for i in applicable_indicators(submission)}


@pytest.mark.parametrize(
    ("code", "value", "ok"),
    [
        ("KW1", Decimal("100"), True),
        ("KW1", Decimal("100.001"), False),
        ("KW1", Decimal("-1"), False),
        ("KW2", Decimal("1"), True),
        ("KW2", Decimal("0.5"), False),
        ("KW5", Decimal("15"), True),  # above the target: allowed, scores 100
        ("KW5", Decimal("2.5"), False),
        ("KK2", Decimal("4"), True),
        ("KK2", Decimal("0.99"), False),
        ("KK2", Decimal("2.1234"), False),
    ],
)
def test_value_error_checks_type_and_range(db, code, value, ok):
    seed_framework()
    assert (value_error(Indicator.objects.get(code=code), value) is None) is ok


def test_it_saves_values_and_records_old_and_new_in_the_history(city_submission, operator):
    kw1 = Indicator.objects.get(code="KW1")
    saved = submission_values_save(
        submission=city_submission,
        actor=operator,
        inputs={kw1.pk: ValueInput(Decimal(40))},
        expected_version=1,
    )
    submission_values_save(
        submission=saved,
        actor=operator,
        inputs={kw1.pk: ValueInput(Decimal(55))},
        expected_version=saved.version,
    )
    changes = [
        entry.changes["value"] for entry in submission_history(saved) if "value" in entry.changes
    ]
    assert changes == [["40", "55"], [None, "40"]]


def test_a_second_save_from_an_old_version_is_refused_and_keeps_the_first(
    city_submission, operator, admin_user
):
    kw1 = Indicator.objects.get(code="KW1")
    submission_values_save(
        submission=city_submission,
        actor=operator,
        inputs={kw1.pk: ValueInput(Decimal(40))},
        expected_version=1,
    )
    with pytest.raises(StaleSubmission):
        submission_values_save(
            submission=city_submission,
            actor=admin_user,
            inputs={kw1.pk: ValueInput(Decimal(90))},
            expected_version=1,
        )
    assert city_submission.values.get().value == Decimal(40)


def test_an_invalid_value_stores_nothing(city_submission, operator):
    kw1, kw2 = Indicator.objects.get(code="KW1"), Indicator.objects.get(code="KW2")
    with pytest.raises(InvalidValues) as raised:
        submission_values_save(
            submission=city_submission,
            actor=operator,
            inputs={kw1.pk: ValueInput(Decimal(40)), kw2.pk: ValueInput(Decimal(7))},
            expected_version=1,
        )
    assert set(raised.value.errors) == {kw2.pk}
    assert not city_submission.values.exists()


def test_the_workflow_locks_approved_data_until_reopened(city_submission, operator, verifier):
    with pytest.raises(EntryError):
        submission_submit(submission=city_submission, actor=operator, expected_version=None)
    submission = submission_values_save(
        submission=city_submission,
        actor=operator,
        inputs=_complete_inputs(city_submission),
        expected_version=1,
    )
    with pytest.raises(EntryError, match="bukti"):
        submission_submit(submission=submission, actor=operator, expected_version=None)
    submission.values.filter(indicator__evidence_required=True).update(evidence="evidence/x.pdf")
    submission = submission_submit(submission=submission, actor=operator, expected_version=None)
    submission = submission_return(
        submission=submission, actor=verifier, reason="KW1 tidak wajar", expected_version=None
    )
    assert submission.status == Submission.Status.RETURNED
    submission = submission_submit(submission=submission, actor=operator, expected_version=None)
    submission = submission_approve(submission=submission, actor=verifier, expected_version=None)
    kw1 = Indicator.objects.get(code="KW1")
    with pytest.raises(SubmissionLocked):
        submission_values_save(
            submission=submission,
            actor=operator,
            inputs={kw1.pk: ValueInput(Decimal(1))},
            expected_version=None,
        )
    with pytest.raises(EntryError):
        submission_reopen(submission=submission, actor=verifier, reason=" ", expected_version=None)
    submission = submission_reopen(
        submission=submission, actor=verifier, reason="Koreksi KW1", expected_version=None
    )
    assert submission.status == Submission.Status.DRAFT
    reasons = [
        e.reason for e in submission_history(submission) if e.action.startswith("submission.")
    ]
    assert reasons[0] == "Koreksi KW1" and "KW1 tidak wajar" in reasons
