"""kotan.notifications: one row per event and recipient, emails after commit, a sweep for
what the broker never received, the daily digest, and the user's choice."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from kotan.celery import app as celery_app
from kotan.models import EmailMode, Notification
from kotan.notifications import (
    STALE_CLAIM,
    notification_mark_read,
    notifications_dispatch,
    notifications_emit,
    notifications_send,
    notifications_send_digests,
    notifications_sweep,
)
from tests.factories import make_user

Email = Notification.Email


def _emit(city, users, key="test:1", **extra):
    return notifications_emit(
        city=city,
        recipients=users,
        kind=Notification.Kind.SUBMISSION_RETURNED,
        event_key=key,
        title="Data Kelurahan Oebobo (2026) dikembalikan",
        body="Alasan: KK1 tidak masuk akal",
        url="/indikator/",
        **extra,
    )


def test_an_event_emitted_twice_is_stored_once_per_recipient(kupang, operator, verifier):
    assert _emit(kupang, [operator, verifier, operator]) == 2
    assert _emit(kupang, [operator, verifier]) == 0
    assert Notification.objects.filter(event_key="test:1").count() == 2


def test_each_users_choice_decides_the_email(kupang):
    now = make_user(username="segera", city=kupang, email="a@x.id")
    daily = make_user(
        username="harian", city=kupang, email="b@x.id", email_notifications=EmailMode.DIGEST
    )
    off = make_user(
        username="tidak", city=kupang, email="c@x.id", email_notifications=EmailMode.OFF
    )
    no_address = make_user(username="tanpa", city=kupang, email="")
    _emit(kupang, [now, daily, off, no_address])
    status = dict(Notification.objects.values_list("recipient__username", "email_status"))
    assert status == {
        "segera": Email.PENDING,
        "harian": Email.DIGEST,
        "tidak": Email.SKIPPED,
        "tanpa": Email.SKIPPED,
    }


def test_the_email_is_queued_only_after_commit(
    kupang, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        _emit(kupang, [operator])
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_sending_is_idempotent_and_in_indonesian(kupang, operator, settings):
    settings.SITE_URL = "https://kotan.example.id"
    operator.email = "operator@kupang.go.id"
    operator.save()
    _emit(kupang, [operator])
    assert notifications_send(event_key="test:1") == 1
    assert notifications_send(event_key="test:1") == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["operator@kupang.go.id"]
    assert "dikembalikan" in message.subject
    assert "KK1 tidak masuk akal" in message.body
    assert "https://kotan.example.id/indikator/" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html = str(message.alternatives[0][0])
    assert "Buka di Kotan" in html
    assert Notification.objects.get().email_status == Email.SENT


def test_with_the_broker_down_nothing_fails_and_the_sweep_sends_later(
    kupang, operator, monkeypatch
):
    operator.email = "operator@kupang.go.id"
    operator.save()
    # A port nothing listens on: the broker is unreachable.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    _emit(kupang, [operator])
    assert notifications_dispatch(event_key="test:1") is False
    assert Notification.objects.get().email_status == Email.PENDING
    assert mail.outbox == []
    assert notifications_sweep() == 1
    assert len(mail.outbox) == 1
    assert notifications_sweep() == 0


def test_the_email_task_runs_through_celery(kupang, operator, celery_eager):
    operator.email = "operator@kupang.go.id"
    operator.save()
    _emit(kupang, [operator])
    assert notifications_dispatch(event_key="test:1") is True
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_dead_worker_is_retried_by_the_sweep(kupang, operator):
    operator.email = "operator@kupang.go.id"
    operator.save()
    _emit(kupang, [operator])
    Notification.objects.update(email_status=Email.SENDING, email_claimed_at=timezone.now())
    assert notifications_sweep() == 0  # another worker may still be sending it
    later = timezone.now() + STALE_CLAIM + datetime.timedelta(seconds=1)
    assert notifications_sweep(now=later) == 1


def test_a_failed_send_stays_pending(kupang, operator, monkeypatch):
    operator.email = "operator@kupang.go.id"
    operator.save()
    _emit(kupang, [operator])

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("kotan.notifications.EmailMultiAlternatives.send", broken)
    with pytest.raises(OSError):
        notifications_send(event_key="test:1")
    assert Notification.objects.get().email_status == Email.PENDING


def test_the_digest_sends_one_email_per_user_with_everything_since_the_last(kupang):
    daily = make_user(
        username="harian", city=kupang, email="b@x.id", email_notifications=EmailMode.DIGEST
    )
    _emit(kupang, [daily], key="a")
    _emit(kupang, [daily], key="b")
    assert notifications_send_digests() == 1
    assert len(mail.outbox) == 1
    assert "2 pemberitahuan" in mail.outbox[0].subject
    assert notifications_send_digests() == 0
    assert set(Notification.objects.values_list("email_status", flat=True)) == {Email.SENT}


def test_inactive_users_are_not_told(kupang):
    gone = make_user(username="pensiun", city=kupang, is_active=False)
    assert _emit(kupang, [gone]) == 0


def test_marking_read_touches_only_the_users_own(kupang, operator, verifier):
    _emit(kupang, [operator, verifier], key="a")
    _emit(kupang, [operator], key="b")
    mine = Notification.objects.filter(recipient=operator, event_key="a").get()
    theirs = Notification.objects.filter(recipient=verifier).get()
    assert notification_mark_read(user=operator, notification_id=theirs.pk) == 0
    assert notification_mark_read(user=operator, notification_id=mine.pk) == 1
    assert notification_mark_read(user=operator) == 1
    assert Notification.objects.filter(recipient=verifier, read_at__isnull=True).count() == 1
