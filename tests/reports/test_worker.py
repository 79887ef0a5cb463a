"""Briefs rendered by a real `celery -A kotan worker` process, on the test database and Redis.

The SIGKILL test slows rendering down with KOTAN_BRIEF_RENDER_DELAY (a sleep after the
worker claims the brief, settings.BRIEF_RENDER_DELAY_SECONDS) so that the kill lands while
the brief is `rendering`. Redis keeps the production visibility timeout (an hour): the brief
comes back through its expired lease, with a 3-second lease instead of 30.

Deadlines: waiting for a worker to start is generous (tests.conftest.START_TIMEOUT); what
the issue promises is measured from the moment the worker is there.
"""

import io
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from kotan.models import Stakeholder
from reports.models import Brief
from reports.services.briefs import brief_request
from reports.tasks import briefs_sweep_task
from tests.conftest import login, wait_until

pytestmark = [pytest.mark.worker]

UNREACHABLE_BROKER = "redis://127.0.0.1:1/8"


def _status(brief: Brief) -> str:
    brief.refresh_from_db()
    return brief.status


def _pdf_text(brief: Brief) -> str:
    brief.refresh_from_db()
    reader = PdfReader(io.BytesIO(brief.file.read()))
    assert brief.pages == len(reader.pages)
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_requested_brief_is_rendered_by_the_worker(start_worker, operator, kupang, period):
    start_worker()
    kesbangpol = Stakeholder.objects.get(city=kupang, code="kesbangpol")
    brief = brief_request(
        user=operator, period=period, kind=Brief.Kind.STAKEHOLDER, stakeholder=kesbangpol
    ).brief
    wait_until(lambda: _status(brief) == Brief.Status.DONE, timeout=60)
    assert brief.dispatched_at is not None and brief.attempts == 1
    text = _pdf_text(brief)
    assert "Badan Kesatuan Bangsa dan Politik Kota Kupang" in text
    assert f"Halaman 1 dari {brief.pages}" in text


SHORT_LEASE = {"KOTAN_BRIEF_LEASE": "3"}


def test_a_brief_of_a_worker_killed_mid_render_is_done_within_a_minute_of_a_new_worker(
    start_worker, operator, period
):
    first = start_worker(KOTAN_BRIEF_RENDER_DELAY="120", **SHORT_LEASE)
    brief = brief_request(user=operator, period=period, kind=Brief.Kind.CITY_SUMMARY).brief
    wait_until(lambda: _status(brief) == Brief.Status.RENDERING, timeout=60)
    first.kill()  # the whole worker, as an OOM kill or a lost machine does
    assert _status(brief) == Brief.Status.RENDERING  # nobody works on it now
    # No beat and no purge: the new worker's start-up sweep takes the brief over once the
    # dead worker's lease has expired.
    launched = time.monotonic()
    start_worker(purge=False, **SHORT_LEASE)
    wait_until(lambda: _status(brief) == Brief.Status.DONE, timeout=60)
    assert time.monotonic() - launched < 60
    assert brief.attempts == 2
    assert "Kota Kupang" in _pdf_text(brief)


def test_with_redis_down_the_brief_waits_and_the_sweeper_sends_it_later(
    start_worker, client, operator, period, settings
):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    login(client, operator)
    response = client.post(
        reverse("reports:brief-request"), {"period": period.pk, "kind": Brief.Kind.CITY_SUMMARY}
    )
    brief = Brief.objects.get()
    assert brief.status == Brief.Status.QUEUED and brief.dispatched_at is None
    assert "dalam antrean" in client.get(response["Location"]).content.decode()

    settings.CELERY_BROKER_URL = settings.REDIS_URL  # the broker is back
    start_worker()
    briefs_sweep_task.delay()  # what beat sends every minute
    wait_until(lambda: _status(brief) == Brief.Status.DONE, timeout=60)
    assert brief.dispatched_at is not None
    assert "Kota Kupang" in _pdf_text(brief)
