"""The brief job: request, reuse, render, idempotence, failure, retry, sweeper."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.utils import timezone
from pypdf import PdfReader

from indicators.models import Indicator, MethodologyEdition
from kotan.celery import app
from kotan.lib.retry import TASK_MAX_RETRIES, retry_schedule
from kotan.models import AuditEntry, Stakeholder
from reports.briefs import brief_content
from reports.models import Brief
from reports.services import briefs as service
from reports.services.briefs import (
    BriefRequestError,
    brief_render,
    brief_request,
    brief_retry,
    briefs_stale_ids,
    briefs_sweep,
)
from reports.tasks import brief_render_task
from tests.conftest import wait_until
from tests.factories import make_brief, make_period, make_values

UNREACHABLE_BROKER = "redis://127.0.0.1:1/8"


def _request(operator, period, **kwargs):
    return brief_request(user=operator, period=period, kind=Brief.Kind.CITY_SUMMARY, **kwargs)


def test_a_request_creates_a_queued_brief_and_dispatches_it_after_commit(
    operator, period, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = _request(operator, period)
    assert not result.reused
    brief = result.brief
    assert brief.status == Brief.Status.QUEUED
    assert brief.requested_by == operator
    assert brief.dispatched_at is None
    assert len(callbacks) == 1
    assert AuditEntry.objects.for_object(brief).get().action == "brief.requested"


def test_rendering_stores_the_pdf_with_its_size_pages_and_checksum(operator, period):
    brief = _request(operator, period).brief
    brief_render(brief_id=brief.pk)
    brief.refresh_from_db()
    assert brief.status == Brief.Status.DONE
    data = brief.file.read()
    assert brief.size == len(data)
    assert brief.sha256 == hashlib.sha256(data).hexdigest()
    assert brief.pages == len(PdfReader(io.BytesIO(data)).pages)
    assert brief.attempts == 1
    assert brief.finished_at is not None
    assert len(brief.fingerprint) == 64
    assert str(django_settings.MEDIA_ROOT) in brief.file.path


def test_asking_again_for_the_same_data_reuses_the_done_brief_unless_regenerating(
    operator, kupang, period
):
    first = _request(operator, period).brief
    brief_render(brief_id=first.pk)
    again = _request(operator, period)
    assert again.reused and again.brief == first
    regenerated = _request(operator, period, regenerate=True)
    assert not regenerated.reused and regenerated.brief != first
    brief_render(brief_id=regenerated.brief.pk)
    make_values(period=period, level=Indicator.Level.KOTA, region=kupang, values={"HK1": 1})
    changed = _request(operator, period)
    assert not changed.reused


def test_a_pending_brief_of_the_same_unit_answers_a_second_request(operator, period):
    first = _request(operator, period).brief
    second = _request(operator, period, regenerate=True)
    assert second.reused and second.brief == first


@pytest.mark.parametrize("regenerate", [False, True])
def test_asking_again_for_a_stuck_brief_starts_it_again(
    operator, period, regenerate, django_capture_on_commit_callbacks
):
    stuck = _leave_rendering(_request(operator, period).brief, heartbeat_at=_expired_lease())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = _request(operator, period, regenerate=regenerate)
    assert again.brief == stuck and not again.reused
    assert len(callbacks) == 1  # dispatched when the request commits
    stuck.refresh_from_db()
    assert (stuck.status, stuck.render_token, stuck.dispatched_at) == (
        Brief.Status.QUEUED,
        "",
        None,
    )
    assert AuditEntry.objects.for_object(stuck).filter(action="brief.restarted").exists()
    brief_render(brief_id=stuck.pk)
    stuck.refresh_from_db()
    assert stuck.status == Brief.Status.DONE


def test_another_edition_is_another_brief(operator, period):
    first = _request(operator, period).brief
    other = MethodologyEdition.objects.exclude(pk=first.edition_id).get()
    assert _request(operator, period, edition=other).brief != first


def test_it_refuses_a_stakeholder_brief_without_an_organisation_of_the_city(
    operator, period, other_city
):
    with pytest.raises(BriefRequestError):
        brief_request(user=operator, period=period, kind=Brief.Kind.STAKEHOLDER)
    foreign = Stakeholder.objects.get(city=other_city)
    with pytest.raises(BriefRequestError):
        brief_request(
            user=operator, period=period, kind=Brief.Kind.STAKEHOLDER, stakeholder=foreign
        )


def test_it_refuses_a_period_of_another_city(other_city_operator, period):
    with pytest.raises(BriefRequestError):
        _request(other_city_operator, period)


def test_a_redelivered_task_for_a_done_brief_does_nothing(operator, period):
    brief = _request(operator, period).brief
    brief_render(brief_id=brief.pk)
    brief.refresh_from_db()
    name, finished = brief.file.name, brief.finished_at
    assert brief_render(brief_id=brief.pk) is None
    brief.refresh_from_db()
    assert (brief.file.name, brief.finished_at, brief.attempts) == (name, finished, 1)


def _expired_lease():
    return timezone.now() - timedelta(seconds=django_settings.BRIEF_LEASE_SECONDS + 1)


def _leave_rendering(brief, *, heartbeat_at, token="dead-worker", attempts=1):
    Brief.objects.filter(pk=brief.pk).update(
        status=Brief.Status.RENDERING,
        render_token=token,
        attempts=attempts,
        started_at=heartbeat_at,
        heartbeat_at=heartbeat_at,
        dispatched_at=heartbeat_at,
    )
    brief.refresh_from_db()
    return brief


def test_a_brief_whose_worker_lease_expired_is_rendered_again(operator, period):
    brief = _leave_rendering(_request(operator, period).brief, heartbeat_at=_expired_lease())
    assert brief.is_stuck
    brief_render(brief_id=brief.pk)
    brief.refresh_from_db()
    assert brief.status == Brief.Status.DONE
    assert brief.attempts == 2
    assert brief.heartbeat_at is None  # the lease ends with the rendering


def test_a_duplicate_delivery_leaves_a_brief_with_a_live_lease_to_its_worker(operator, period):
    brief = _leave_rendering(
        _request(operator, period).brief, heartbeat_at=timezone.now(), token="live-worker"
    )
    assert brief_render(brief_id=brief.pk) is None
    brief.refresh_from_db()
    assert (brief.status, brief.render_token, brief.attempts) == (
        Brief.Status.RENDERING,
        "live-worker",
        1,
    )
    # The task's own retry resumes its claim although the lease has not expired yet.
    assert brief_render(brief_id=brief.pk, resume_token="live-worker") is not None
    brief.refresh_from_db()
    assert brief.status == Brief.Status.DONE


def test_the_lease_is_refreshed_while_the_worker_renders(
    transactional_db, operator, period, settings
):
    settings.BRIEF_HEARTBEAT_SECONDS = 0.1
    brief = make_brief(period=period)
    claimed = service._claim(brief.pk)
    assert claimed is not None
    first_beat = Brief.objects.get(pk=brief.pk).heartbeat_at
    assert first_beat is not None
    with service._lease(brief.pk, claimed[1]):
        wait_until(lambda: Brief.objects.get(pk=brief.pk).heartbeat_at != first_beat, timeout=30)
    # Another claim's token: the old worker's refresh no longer counts.
    Brief.objects.filter(pk=brief.pk).update(render_token="someone-else", heartbeat_at=first_beat)
    with service._lease(brief.pk, claimed[1]):
        pass
    assert Brief.objects.get(pk=brief.pk).heartbeat_at == first_beat


def test_a_superseded_rendering_does_not_store_its_result(operator, period):
    brief = _request(operator, period).brief
    claimed = service._claim(brief.pk)
    assert claimed is not None
    old_token = claimed[1]
    # The first worker stalls past its lease; a later delivery claims and finishes.
    Brief.objects.filter(pk=brief.pk).update(heartbeat_at=_expired_lease())
    brief_render(brief_id=brief.pk)
    brief.refresh_from_db()
    content = brief_content(kind=brief.kind, period=period, edition=brief.edition)
    assert (
        service._store(
            brief_id=brief.pk, token=old_token, data=b"%PDF-old", pages=1, content=content
        )
        is None
    )
    brief.refresh_from_db()
    assert brief.file.read().startswith(b"%PDF-1.")


def test_a_minutes_brief_renders_and_is_reused_until_the_meeting_changes(operator, kupang, period):
    from django.utils import timezone

    from meetings.models import Meeting
    from tests.factories import make_meeting

    meeting = make_meeting(city=kupang, status=Meeting.Status.HELD, minutes="Catatan rapat.")
    first = brief_request(
        user=operator, period=period, kind=Brief.Kind.MINUTES, meeting_id=meeting.pk
    ).brief
    brief_render(brief_id=first.pk)
    first.refresh_from_db()
    assert first.status == Brief.Status.DONE and first.pages and first.pages >= 2
    again = brief_request(
        user=operator, period=period, kind=Brief.Kind.MINUTES, meeting_id=meeting.pk
    )
    assert again.reused and again.brief.pk == first.pk
    Meeting.objects.filter(pk=meeting.pk).update(minutes="Diubah.", updated_at=timezone.now())
    changed = brief_request(
        user=operator, period=period, kind=Brief.Kind.MINUTES, meeting_id=meeting.pk
    )
    assert not changed.reused


def test_it_refuses_a_minutes_brief_of_a_meeting_of_another_city(operator, period, other_city):
    from meetings.models import Meeting
    from tests.factories import make_meeting

    meeting = make_meeting(city=other_city, status=Meeting.Status.HELD)
    with pytest.raises(BriefRequestError):
        brief_request(user=operator, period=period, kind=Brief.Kind.MINUTES, meeting_id=meeting.pk)


def test_transient_errors_retry_with_backoff_then_fail_with_the_reason(
    operator, period, settings, tmp_path, monkeypatch
):
    """The media directory cannot be created (a real OSError): every retry fails, and after
    the last one the brief is failed with the error as its reason."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"
    brief = _request(operator, period).brief
    # Eager apply runs each retry at once, in this process (a worker waits 10 s, 20 s, …).
    monkeypatch.setitem(brief_render_task.app.conf, "task_eager_propagates", False)
    brief_render_task.apply(args=(brief.pk,))
    brief.refresh_from_db()
    assert brief.status == Brief.Status.FAILED
    assert "NotADirectoryError" in brief.failure_reason
    assert brief.attempts == TASK_MAX_RETRIES + 1


def test_the_retry_delays_grow_to_a_cap_and_span_at_least_ten_minutes(settings):
    settings.TASK_RETRY_BASE_SECONDS, settings.TASK_RETRY_MAX_SECONDS = 10, 300
    delays = retry_schedule()
    assert delays[:4] == [10, 20, 40, 80]
    assert max(delays) == 300 and delays == sorted(delays)
    assert sum(delays) >= 600


def test_when_the_failure_cannot_be_written_the_task_retries_instead_of_leaving_it_rendering(
    operator, period, settings, tmp_path, monkeypatch
):
    """The last retry fails and the database is down for the final "mark failed" write too:
    the task tries once more rather than leave the brief `rendering` with no task."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"
    brief = _request(operator, period).brief
    real_fail = service.brief_fail
    calls: list[int] = []

    def fail_while_the_database_is_down(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("connection refused")
        real_fail(**kwargs)

    monkeypatch.setattr("reports.tasks.brief_fail", fail_while_the_database_is_down)
    monkeypatch.setitem(brief_render_task.app.conf, "task_eager_propagates", False)
    brief_render_task.apply(args=(brief.pk,), retries=TASK_MAX_RETRIES)
    brief.refresh_from_db()
    assert len(calls) == 2
    assert brief.status == Brief.Status.FAILED and brief.attempts == 2


def test_a_failed_brief_can_be_retried_and_then_renders(
    operator, period, django_capture_on_commit_callbacks
):
    brief = make_brief(period=period, status=Brief.Status.FAILED, failure_reason="boom")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        brief_retry(brief=brief, user=operator)
    assert len(callbacks) == 1
    brief.refresh_from_db()
    assert brief.status == Brief.Status.QUEUED and brief.dispatched_at is None
    brief_render(brief_id=brief.pk)
    brief.refresh_from_db()
    assert brief.status == Brief.Status.DONE and brief.failure_reason == ""


def test_only_a_failed_or_stuck_brief_can_be_retried(operator, period):
    for brief in (
        make_brief(period=period, status=Brief.Status.DONE),
        _leave_rendering(make_brief(period=period), heartbeat_at=timezone.now()),
    ):
        with pytest.raises(BriefRequestError):
            brief_retry(brief=brief, user=operator)
    stuck = _leave_rendering(make_brief(period=period), heartbeat_at=_expired_lease())
    brief_retry(brief=stuck, user=operator)
    stuck.refresh_from_db()
    assert stuck.status == Brief.Status.QUEUED and stuck.requested_by == operator


def test_the_sweeper_picks_undispatched_lost_and_abandoned_briefs(period):
    now = timezone.now()
    never_sent = make_brief(period=period)
    lost = make_brief(period=period, dispatched_at=now - timedelta(minutes=30))
    abandoned = make_brief(
        period=period, status=Brief.Status.RENDERING, started_at=now - timedelta(hours=1)
    )
    lease_expired = make_brief(
        period=period,
        status=Brief.Status.RENDERING,
        started_at=now - timedelta(hours=1),
        heartbeat_at=_expired_lease(),
    )
    make_brief(period=period, dispatched_at=now)  # just sent
    make_brief(period=period, status=Brief.Status.RENDERING, started_at=now)  # busy
    make_brief(  # a long rendering whose worker is alive
        period=period,
        status=Brief.Status.RENDERING,
        started_at=now - timedelta(hours=1),
        heartbeat_at=now,
    )
    make_brief(period=period, status=Brief.Status.DONE)
    make_brief(period=period, status=Brief.Status.FAILED)
    assert set(briefs_stale_ids()) == {never_sent.pk, lost.pk, abandoned.pk, lease_expired.pk}


def test_with_the_broker_down_the_sweeper_sends_nothing_and_keeps_the_briefs(period, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    brief = make_brief(period=period)
    assert briefs_sweep() == 0
    brief.refresh_from_db()
    assert brief.status == Brief.Status.QUEUED and brief.dispatched_at is None


def test_the_beat_sweep_takes_a_brief_back_from_a_dead_worker_and_sends_it(operator, period):
    """What beat runs at least every minute: the task named in its schedule."""
    entry = django_settings.CELERY_BEAT_SCHEDULE["reports-briefs-sweep"]
    assert isinstance(entry["schedule"], float) and entry["schedule"] <= 60
    assert isinstance(entry["task"], str)
    stuck = _leave_rendering(make_brief(period=period), heartbeat_at=_expired_lease())
    busy = _leave_rendering(make_brief(period=period), heartbeat_at=timezone.now(), token="busy")
    assert app.tasks[entry["task"]]() == 1
    stuck.refresh_from_db()
    assert stuck.status == Brief.Status.QUEUED and stuck.render_token == ""
    assert stuck.dispatched_at is not None  # reached the broker (this session's Redis)
    assert AuditEntry.objects.for_object(stuck).filter(action="brief.requeued").exists()
    busy.refresh_from_db()
    assert (busy.status, busy.render_token) == (Brief.Status.RENDERING, "busy")


def test_a_brief_that_keeps_killing_its_worker_is_failed_not_requeued(period):
    from reports.services.briefs import BRIEF_MAX_ATTEMPTS

    brief = _leave_rendering(
        make_brief(period=period), heartbeat_at=_expired_lease(), attempts=BRIEF_MAX_ATTEMPTS
    )
    assert briefs_sweep() == 0
    brief.refresh_from_db()
    assert brief.status == Brief.Status.FAILED
    assert str(BRIEF_MAX_ATTEMPTS) in brief.failure_reason


def test_briefs_of_a_period_of_another_year_are_kept_apart(operator, kupang, period):
    older = make_period(city=kupang, year=2025)
    a = _request(operator, period).brief
    b = _request(operator, older).brief
    assert a != b and a.period != b.period


def test_an_uninvited_organisation_s_officer_may_not_have_the_minutes(
    uninvited_officer, stakeholder_officer, period, kupang, kesbangpol
):
    from django.core.exceptions import PermissionDenied

    from meetings.models import Meeting
    from tests.factories import make_meeting

    meeting = make_meeting(city=kupang, status=Meeting.Status.HELD, invited=[kesbangpol])
    with pytest.raises(PermissionDenied):
        brief_request(
            user=uninvited_officer, period=period, kind=Brief.Kind.MINUTES, meeting_id=meeting.pk
        )
    result = brief_request(
        user=stakeholder_officer, period=period, kind=Brief.Kind.MINUTES, meeting_id=meeting.pk
    )
    assert result.brief.meeting_id == meeting.pk
