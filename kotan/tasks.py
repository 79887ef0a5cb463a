"""Background jobs of the core: notification emails. Thin: the work is in kotan.notifications."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from kotan.notifications import notifications_send, notifications_send_digests, notifications_sweep


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
