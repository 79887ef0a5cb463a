"""Celery tasks of the kotan app (beat entries in kotan/settings.py): the nightly backup and
media clean-up (kotan.maintenance), and notification emails (kotan.notifications). Thin."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from kotan.maintenance import backup_create, media_orphans_delete
from kotan.notifications import notifications_send, notifications_send_digests, notifications_sweep


# A large media folder may take longer than the default limits allow; still below the broker's
# visibility timeout, so the running backup is never handed to a second worker.
@shared_task(soft_time_limit=1800, time_limit=1900)
def backup_nightly_task() -> str:
    return str(backup_create(target_dir=settings.BACKUP_DIR, keep=settings.BACKUP_KEEP))


@shared_task
def media_orphans_delete_task() -> int:
    grace = timedelta(hours=settings.MEDIA_ORPHAN_GRACE_HOURS)
    return len(media_orphans_delete(grace=grace))


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def notifications_email_task(event_key: str) -> int:
    """Queued on commit of the change that emitted the event."""
    return notifications_send(event_key=event_key)


@shared_task
def notifications_sweep_task() -> int:
    """Beat, every minute: emails the broker never received, or whose worker died."""
    return notifications_sweep()


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def notifications_digest_task() -> int:
    """Beat, daily: one digest email per user who chose the daily digest."""
    return notifications_send_digests(now=timezone.now())
