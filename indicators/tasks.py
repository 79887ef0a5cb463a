"""Celery tasks: thin wrappers that call the scoring services."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from indicators.services.recompute import scores_recompute, scores_recompute_nightly


# A database that is briefly unreachable is retried; if it stays down the pending request
# row remains and the nightly job recomputes the period.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def recompute_period(period_id: int) -> None:
    scores_recompute(period_ids=[period_id])


@shared_task
def recompute_nightly() -> None:
    scores_recompute_nightly()
