"""The brief job: request, reuse, render, idempotence, failure, retry, sweeper."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from pypdf import PdfReader

from indicators.models import Indicator, MethodologyEdition
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
from reports.tasks import BRIEF_MAX_RETRIES, brief_render_task
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


def test_a_brief_left_rendering_by_a_dead_worker_is_rendered_again(operator, period):
    brief = _request(operator, period).brief
    Brief.objects.filter(pk=brief.pk).update(
        status=Brief.Status.RENDERING, render_token="dead-worker", attempts=1
    )
    brief_render(brief_id=brief.pk)
    brief.refresh_from_db()
    assert brief.status == Brief.Status.DONE
    assert brief.attempts == 2


def test_a_superseded_rendering_does_not_store_its_result(operator, period):
    brief = _request(operator, period).brief
    claimed = service._claim(brief.pk)
    assert claimed is not None
    old_token = claimed[1]
    brief_render(brief_id=brief.pk)  # a later delivery claims and finishes
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
    # Eager apply runs each retry at once, in this process (a worker waits 5 s, 10 s, …).
    monkeypatch.setitem(brief_render_task.app.conf, "task_eager_propagates", False)
    brief_render_task.apply(args=(brief.pk,))
    brief.refresh_from_db()
    assert brief.status == Brief.Status.FAILED
    assert "NotADirectoryError" in brief.failure_reason
    assert brief.attempts == BRIEF_MAX_RETRIES + 1
    assert getattr(brief_render_task, "retry_backoff", None)
    assert brief_render_task.max_retries == BRIEF_MAX_RETRIES


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


def test_only_a_failed_brief_can_be_retried(operator, period):
    brief = make_brief(period=period, status=Brief.Status.DONE)
    with pytest.raises(BriefRequestError):
        brief_retry(brief=brief, user=operator)


def test_the_sweeper_picks_undispatched_lost_and_abandoned_briefs(period):
    now = timezone.now()
    never_sent = make_brief(period=period)
    lost = make_brief(period=period, dispatched_at=now - timedelta(minutes=30))
    abandoned = make_brief(
        period=period, status=Brief.Status.RENDERING, started_at=now - timedelta(hours=1)
    )
    make_brief(period=period, dispatched_at=now)  # just sent
    make_brief(period=period, status=Brief.Status.RENDERING, started_at=now)  # busy
    make_brief(period=period, status=Brief.Status.DONE)
    make_brief(period=period, status=Brief.Status.FAILED)
    assert set(briefs_stale_ids()) == {never_sent.pk, lost.pk, abandoned.pk}


def test_with_the_broker_down_the_sweeper_sends_nothing_and_keeps_the_briefs(period, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    brief = make_brief(period=period)
    assert briefs_sweep() == 0
    brief.refresh_from_db()
    assert brief.status == Brief.Status.QUEUED and brief.dispatched_at is None


def test_the_sweeper_runs_every_minute_from_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["reports-briefs-sweep"]
    assert entry == {"task": "reports.tasks.briefs_sweep_task", "schedule": 60.0}


def test_briefs_of_a_period_of_another_year_are_kept_apart(operator, kupang, period):
    older = make_period(city=kupang, year=2025)
    a = _request(operator, period).brief
    b = _request(operator, older).brief
    assert a != b and a.period != b.period


def test_a_resource_fetch_failure_fails_the_brief_with_its_reason(operator, period, monkeypatch):
    """WeasyPrint's FatalURLFetchingError derives from BaseException; it must not escape."""
    real = service.render_to_string
    monkeypatch.setattr(
        service,
        "render_to_string",
        lambda *args, **kwargs: real(*args, **kwargs).replace(
            "</head>", '<link rel="stylesheet" href="tidak-ada.css"></head>'
        ),
    )
    brief = _request(operator, period).brief
    assert brief_render(brief_id=brief.pk) is None
    brief.refresh_from_db()
    assert brief.status == Brief.Status.FAILED
    assert "tidak-ada.css" in brief.failure_reason
