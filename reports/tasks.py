"""Celery tasks of the reports app: thin wrappers around reports.services.briefs."""

from __future__ import annotations

from celery import Task, shared_task

from reports.services.briefs import (
    TRANSIENT_ERRORS,
    brief_fail,
    brief_render,
    brief_requeue_for_retry,
    briefs_sweep,
)

BRIEF_MAX_RETRIES = 4


@shared_task(
    bind=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=BRIEF_MAX_RETRIES,
)
def brief_render_task(self: Task, brief_id: int) -> None:
    """Render one brief. Transient errors retry with exponential backoff (5 s, 10 s, …);
    after the last retry the brief is marked failed with the error as its reason."""
    try:
        brief_render(brief_id=brief_id)
    except TRANSIENT_ERRORS as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if self.request.retries >= BRIEF_MAX_RETRIES:
            brief_fail(brief_id=brief_id, reason=reason)
            return
        brief_requeue_for_retry(brief_id=brief_id, reason=reason)
        raise


@shared_task
def briefs_sweep_task() -> int:
    """Beat, every minute: dispatch briefs the broker never received or lost."""
    return briefs_sweep()
