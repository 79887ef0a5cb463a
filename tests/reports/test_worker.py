"""Briefs rendered by a real `celery -A kotan worker` process, on the test database and Redis.

The SIGKILL test slows rendering down with KOTAN_BRIEF_RENDER_DELAY (a sleep after the
worker claims the brief, settings.BRIEF_RENDER_DELAY_SECONDS) so that the kill lands while
the brief is `rendering`; and it gives the workers a short CELERY_VISIBILITY_TIMEOUT so that
Redis hands the unacknowledged task to the next worker in seconds instead of an hour.
"""

import io

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


def test_a_worker_killed_mid_render_loses_nothing(start_worker, operator, period):
    short_visibility = {"CELERY_VISIBILITY_TIMEOUT": "3"}
    first = start_worker(KOTAN_BRIEF_RENDER_DELAY="30", **short_visibility)
    brief = brief_request(user=operator, period=period, kind=Brief.Kind.CITY_SUMMARY).brief
    wait_until(lambda: _status(brief) == Brief.Status.RENDERING, timeout=30)
    first.kill()
    assert _status(brief) == Brief.Status.RENDERING  # stuck: nobody works on it now
    # The next worker must not purge: the killed worker's task is still unacknowledged.
    start_worker(purge=False, **short_visibility)
    wait_until(lambda: _status(brief) == Brief.Status.DONE, timeout=90)
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
