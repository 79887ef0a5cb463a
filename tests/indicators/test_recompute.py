"""Snapshots: written from approved values only, idempotent, safe when two run at once, and
requests that survive a broker that is down."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import (
    AssessmentPeriod,
    IndicatorValue,
    MethodologyEdition,
    ScoreRecomputeRequest,
    ScoreSnapshot,
    Submission,
)
from indicators.scoring.inputs import scores_load, values_fingerprints
from indicators.scoring.recompute import (
    scores_recompute,
    scores_recompute_nightly,
    scores_request_recompute,
)
from kotan.celery import app
from kotan.models import Region
from tests.factories import make_approved_submission, make_period

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"

# Every variable gets a city-level value; IKOTAN 2019 = (10·50 + 25·50 + 20·30 + 25·100 + 0)/100.
CITY_VALUES = {"KK2": "2.5", "KM4": "2.5", "KW1": 30, "KL1": 1, "HK1": 0}


@pytest.fixture
def period(kupang, framework) -> AssessmentPeriod:
    period = make_period(city=kupang, year=2025)
    make_approved_submission(period=period, values=CITY_VALUES)
    return period


def snapshot(period, edition_name="IKOTAN 2019") -> ScoreSnapshot:
    return ScoreSnapshot.objects.get(period=period, edition__name=edition_name)


def test_a_recompute_writes_one_snapshot_per_edition_from_approved_values(period):
    result = scores_recompute(period_ids=[period.pk])
    assert (result.written, result.unchanged) == (2, 0)
    snap = snapshot(period)
    assert snap.index == D("48.5")
    assert (snap.scaled, snap.band_name, snap.band_order) == (D("48.50"), "Cukup Tanggap", 3)
    assert snap.region == period.city
    assert snap.value_count == 5
    assert snapshot(period, "Juknis 2021 (4 kategori)").band_name == "Cukup Tanggap"
    hk = snap.detail["variables"][4]
    assert (hk["code"], hk["index"], hk["coverage"]) == (
        "HK",
        "0.0000",
        "0.4000",
    )  # HK1 weighs 4 of 10


def test_values_not_approved_do_not_count(period):
    make_approved_submission(
        period=period,
        region=Region.objects.get(code="53.71.01.1001"),
        values={"KK1": 100},
        status=Submission.Status.SUBMITTED,
    )
    scores_recompute(period_ids=[period.pk])
    kk1 = snapshot(period).detail["variables"][0]["indicators"][0]
    assert (kk1["code"], kk1["score"], kk1["units"]) == ("KK1", None, 0)


def test_the_fingerprint_is_that_of_the_approved_values_used(period):
    scores_recompute(period_ids=[period.pk])
    assert snapshot(period).fingerprint == values_fingerprints(period_ids=[period.pk])[period.pk]
    assert len(snapshot(period).fingerprint) == 64


def test_recomputing_the_same_inputs_changes_nothing(period):
    scores_recompute(period_ids=[period.pk])
    before = list(ScoreSnapshot.objects.order_by("pk").values())
    result = scores_recompute(period_ids=[period.pk])
    assert (result.written, result.unchanged) == (0, 2)
    assert list(ScoreSnapshot.objects.order_by("pk").values()) == before


def test_the_fingerprint_follows_the_approved_values_only(period):
    """PostgreSQL sums a hash per value (order does not matter); what it covers is what
    `method.fingerprint` covers: indicator, unit and value of each approved value."""
    first, second, third = Region.objects.filter(level=Region.Level.KELURAHAN).order_by("code")[:3]

    def fingerprint_now() -> str:
        return values_fingerprints(period_ids=[period.pk])[period.pk]

    before = fingerprint_now()
    make_approved_submission(
        period=period, region=third, values={"KK3": 1}, status=Submission.Status.SUBMITTED
    )
    assert fingerprint_now() == before  # not approved
    submission = make_approved_submission(period=period, region=first, values={"KK1": "12.5"})
    with_first = fingerprint_now()
    assert with_first != before
    submission.region = second
    submission.save(update_fields=["region"])
    assert fingerprint_now() != with_first  # the same value in another kelurahan
    IndicatorValue.objects.filter(submission=submission).update(value=D("12.50"))
    submission.region = first
    submission.save(update_fields=["region"])
    assert fingerprint_now() == with_first  # 12.5 and 12.50 are one number
    assert values_fingerprints(period_ids=[period.pk, 0])[0] != before  # no values at all


def test_an_unchanged_recompute_reads_no_values(period):
    scores_recompute(period_ids=[period.pk])
    with CaptureQueriesContext(connection) as queries:
        result = scores_recompute(period_ids=[period.pk])
    assert result.unchanged == 2
    assert not [q for q in queries if '"indicators_indicatorvalue"."value"' in q["sql"]]


def test_a_changed_value_updates_the_snapshot_in_place(period):
    scores_recompute(period_ids=[period.pk])
    old = snapshot(period)
    IndicatorValue.objects.filter(indicator__code="HK1").update(value=1)
    scores_recompute(period_ids=[period.pk])
    new = snapshot(period)
    assert new.pk == old.pk
    assert new.fingerprint != old.fingerprint
    assert new.index == D("68.5")  # HK 100 instead of 0
    assert new.band_name == "Tanggap"
    assert new.computed_at >= old.computed_at
    assert ScoreSnapshot.objects.filter(period=period).count() == 2


def test_a_changed_edition_weight_updates_the_snapshot(period):
    scores_recompute(period_ids=[period.pk])
    edition = MethodologyEdition.objects.get(name="IKOTAN 2019")
    edition.weights.filter(variable__code="HK").update(weight=D(10))
    edition.weights.filter(variable__code="KL").update(weight=D(35))
    scores_recompute(period_ids=[period.pk])
    # (500 + 1250 + 600 + 3500 + 0) / 100
    assert snapshot(period).index == D("58.5")


def test_a_variable_without_data_is_stored_as_incomplete(kupang, framework):
    period = make_period(city=kupang)
    make_approved_submission(
        period=period, values={k: v for k, v in CITY_VALUES.items() if k != "KW1"}
    )
    scores_recompute(period_ids=[period.pk])
    snap = snapshot(period)
    assert (snap.index, snap.scaled, snap.band_name) == (None, None, "")
    assert snap.missing_variables == ["KW"]
    assert not snap.is_complete


def test_the_loader_runs_a_fixed_number_of_queries(kupang, framework, django_assert_num_queries):
    periods = [make_period(city=kupang, year=year) for year in (2023, 2024, 2025)]
    for p in periods:
        make_approved_submission(period=p, values=CITY_VALUES)
        for kelurahan in Region.objects.filter(city=kupang, level="kelurahan")[:5]:
            make_approved_submission(period=p, region=kelurahan, values={"KK1": 50, "KM1": 3})
    with django_assert_num_queries(7):
        scores_load(period_ids=[periods[0].pk])
    with django_assert_num_queries(7):
        scores_load(period_ids=[p.pk for p in periods])


def test_a_request_is_stored_and_queued_after_commit(period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        scores_request_recompute(period=period)
        scores_request_recompute(period=period)
    request = ScoreRecomputeRequest.objects.get(period=period)
    assert request.generation == 2
    assert len(callbacks) == 2


def test_with_the_broker_down_the_request_stays_for_the_nightly_job(
    period, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setitem(app.conf, "broker_url", UNREACHABLE_BROKER)
    with django_capture_on_commit_callbacks(execute=True):
        scores_request_recompute(period=period)  # does not raise
    assert ScoreRecomputeRequest.objects.filter(period=period).exists()
    assert not ScoreSnapshot.objects.filter(period=period).exists()
    scores_recompute_nightly()
    assert not ScoreRecomputeRequest.objects.filter(period=period).exists()
    assert snapshot(period).index == D("48.5")


def test_the_nightly_job_covers_open_and_pending_periods_only(kupang, framework):
    open_period = make_period(city=kupang, year=2025)
    closed = make_period(city=kupang, year=2024, status=AssessmentPeriod.Status.CLOSED)
    pending_closed = make_period(city=kupang, year=2023, status=AssessmentPeriod.Status.LOCKED)
    ScoreRecomputeRequest.objects.create(period=pending_closed, requested_at="2025-01-01T00:00Z")
    result = scores_recompute_nightly()
    assert result.periods == 2
    computed = set(ScoreSnapshot.objects.values_list("period_id", flat=True))
    assert computed == {open_period.pk, pending_closed.pk}
    assert closed.pk not in computed


def test_a_request_made_during_a_recompute_stays_pending(period):
    ScoreRecomputeRequest.objects.create(period=period, requested_at="2025-01-01T00:00Z")
    # The recompute read generation 1; a newer request (generation 2) must survive it.
    from indicators.scoring import recompute

    original = recompute.scores_load

    def load_then_request(**kwargs):
        result = original(**kwargs)
        scores_request_recompute(period=period)
        return result

    recompute.scores_load = load_then_request
    try:
        scores_recompute(period_ids=[period.pk])
    finally:
        recompute.scores_load = original
    assert ScoreRecomputeRequest.objects.get(period=period).generation == 2


@pytest.mark.django_db(transaction=True)
def test_two_recomputes_at_once_leave_one_snapshot_per_edition(kupang, framework):
    period = make_period(city=kupang)
    make_approved_submission(period=period, values=CITY_VALUES)
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        try:
            barrier.wait()
            scores_recompute(period_ids=[period.pk])
        except BaseException as error:  # surfaced in the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ScoreSnapshot.objects.filter(period=period).count() == 2


# --- §3.9: completeness and Sementara/Final ---------------------------------------------


def test_a_snapshot_stores_completeness_and_is_provisional_while_the_period_is_open(period):
    scores_recompute(period_ids=[period.pk])
    snap = snapshot(period)
    assert snap.is_final is False
    # Only the five city-level values: far from complete, and never above 100.
    assert D(0) < snap.completeness < D(50)
    assert snap.detail["completeness"] == str(snap.completeness)
    assert snap.detail["is_final"] is False
    kk = snap.detail["variables"][0]
    kk2 = next(i for i in kk["indicators"] if i["code"] == "KK2")
    assert (kk2["units"], kk2["expected"], kk2["completeness"]) == (1, 1, "100.00")


def test_locking_a_period_recomputes_its_snapshots_as_final_and_reopening_undoes_it(
    period, verifier
):
    from indicators.services.periods import period_status_set

    scores_recompute(period_ids=[period.pk])
    period_status_set(actor=verifier, period=period, status=AssessmentPeriod.Status.CLOSED)
    assert snapshot(period).is_final is False
    period_status_set(actor=verifier, period=period, status=AssessmentPeriod.Status.LOCKED)
    assert {s.is_final for s in ScoreSnapshot.objects.filter(period=period)} == {True}
    assert snapshot(period).detail["is_final"] is True
    period_status_set(
        actor=verifier, period=period, status=AssessmentPeriod.Status.OPEN, reason="Koreksi data"
    )
    assert {s.is_final for s in ScoreSnapshot.objects.filter(period=period)} == {False}


def test_the_stored_index_and_scaled_value_never_disagree(period):
    """A kelurahan-level value over three kelurahan makes every index a third."""
    kelurahan = list(Region.objects.filter(city=period.city, level="kelurahan")[:3])
    for region, value in zip(kelurahan, ("33.334", "33.333", "33.335"), strict=True):
        make_approved_submission(period=period, region=region, values={"KK1": value})
    scores_recompute(period_ids=[period.pk])
    for snap in ScoreSnapshot.objects.filter(period=period).select_related("edition"):
        edition = snap.edition
        low, high = edition.scale_min, edition.scale_max
        assert snap.index is not None
        rescaled = low + (high - low) * snap.index / 100
        assert rescaled.quantize(D("0.01"), rounding="ROUND_HALF_UP") == snap.scaled
        for variable in snap.detail["variables"]:
            if variable["index"] is None:
                continue
            stored = low + (high - low) * D(variable["index"]) / 100
            assert (
                str(stored.quantize(D("0.01"), rounding="ROUND_HALF_UP"))
                == variable["category"]["scaled"]
            )


def test_a_changed_minimum_completeness_rewrites_the_snapshot(period):
    scores_recompute(period_ids=[period.pk])
    MethodologyEdition.objects.filter(name="IKOTAN 2019").update(min_completeness=D(50))
    assert scores_recompute(period_ids=[period.pk]).written == 1
    assert snapshot(period).detail["edition"]["min_completeness"] == "50.00"


def test_a_recompute_meeting_a_database_outage_retries_for_minutes_not_seconds(
    db, settings, monkeypatch
):
    """Issue 9: the retries used to be spent in 19 s. Eager apply runs each retry at once;
    the delays a worker would wait are the ones asked of Celery."""
    from django.db import OperationalError

    from indicators.tasks import recompute_period
    from kotan.lib.retry import TASK_MAX_RETRIES, retry_schedule

    settings.TASK_RETRY_BASE_SECONDS, settings.TASK_RETRY_MAX_SECONDS = 10, 300
    tries: list[int] = []

    def database_down(**kwargs):
        tries.append(1)
        raise OperationalError("connection refused")

    countdowns: list[int] = []
    retry = recompute_period.retry

    def recording_retry(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr("indicators.tasks.scores_recompute", database_down)
    monkeypatch.setattr(recompute_period, "retry", recording_retry)
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    recompute_period.apply(args=(1,))
    assert len(tries) == TASK_MAX_RETRIES + 1
    # The last call finds no retry left and raises; the ones before were waited for.
    waited = countdowns[:TASK_MAX_RETRIES]
    assert waited == retry_schedule()
    assert sum(waited) >= 600
