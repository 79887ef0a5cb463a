"""Retry delays for Celery tasks that meet a transient error (the database is down).

Celery's own `retry_backoff` with jitter may draw any delay between 0 and the backoff, so
four retries could be spent in a few seconds; an outage of a few minutes needs delays that
are known to add up.
"""

from __future__ import annotations

from django.conf import settings

# Retries of a task after a transient error; with the default delays (10 s doubling, at
# most 300 s) they span 10 + 20 + 40 + 80 + 160 + 300 + 300 + 300 s, about 20 minutes.
TASK_MAX_RETRIES = 8


def retry_delay(retries: int) -> int:
    """Seconds to wait before retry number `retries + 1`: base × 2^retries, capped."""
    base = settings.TASK_RETRY_BASE_SECONDS
    cap = settings.TASK_RETRY_MAX_SECONDS
    return int(min(cap, base * 2 ** min(retries, 20)))


def retry_schedule(max_retries: int = TASK_MAX_RETRIES) -> list[int]:
    """Every delay of a task retried `max_retries` times (for the tests and the README)."""
    return [retry_delay(n) for n in range(max_retries)]
