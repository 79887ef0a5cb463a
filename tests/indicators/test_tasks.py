"""The recompute through a real Celery worker process (see celery_worker_process)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction

from indicators.models import ScoreRecomputeRequest, ScoreSnapshot
from indicators.scoring.recompute import scores_request_recompute
from indicators.tasks import recompute_nightly
from kotan.celery import app
from tests.conftest import wait_until
from tests.factories import make_approved_submission, make_period
from tests.indicators.test_recompute import CITY_VALUES, UNREACHABLE_BROKER

pytestmark = pytest.mark.worker


def approve(period, values) -> None:
    """What the data-entry workflow does: approve values and request a recompute in one
    transaction."""
    with transaction.atomic():
        make_approved_submission(period=period, values=values)
        scores_request_recompute(period=period)


def city_snapshot(period):
    return ScoreSnapshot.objects.filter(period=period, edition__name="IKOTAN 2019").first()


def test_an_approval_is_recomputed_by_the_worker(
    transactional_db, celery_worker_process, kupang, framework
):
    period = make_period(city=kupang)
    approve(period, CITY_VALUES)
    snapshot = wait_until(lambda: city_snapshot(period))
    assert snapshot.index == D("48.5")
    assert snapshot.band_name == "Cukup Tanggap"
    wait_until(lambda: not ScoreRecomputeRequest.objects.filter(period=period).exists())


def test_with_redis_down_approving_works_and_the_nightly_job_catches_up(
    transactional_db, celery_worker_process, kupang, framework, monkeypatch
):
    period = make_period(city=kupang)
    with monkeypatch.context() as broker_down:
        broker_down.setitem(app.conf, "broker_url", UNREACHABLE_BROKER)
        approve(period, CITY_VALUES)  # no exception: the approval is committed
    assert ScoreRecomputeRequest.objects.filter(period=period).exists()
    # With the broker back, a later approval's task runs; the worker takes tasks in order,
    # so had the first approval sent one, its snapshot would exist by now.
    later = make_period(city=kupang, year=period.year + 1)
    approve(later, CITY_VALUES)
    wait_until(lambda: city_snapshot(later), timeout=60)
    assert city_snapshot(period) is None
    # The broker is back; the nightly beat entry sends this task.
    recompute_nightly.delay()
    snapshot = wait_until(lambda: city_snapshot(period))
    assert snapshot.index == D("48.5")
    wait_until(lambda: not ScoreRecomputeRequest.objects.filter(period=period).exists())
