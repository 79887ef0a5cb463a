"""Periodic jobs (beat entries in kotan/settings.py). Thin: the work is in the services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from meetings.services.reminders import digest_send_weekly, reminders_send_daily


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_action_reminders() -> int:
    """Daily: owner organisations' officers about actions due within 7 days or overdue."""
    return reminders_send_daily(today=timezone.localdate()).sent


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_operator_digest() -> int:
    """Weekly: each city's operators get a digest of its actions."""
    return digest_send_weekly(today=timezone.localdate()).sent
