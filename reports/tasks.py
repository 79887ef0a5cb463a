"""Celery tasks of the reports app: thin wrappers around reports.services.briefs."""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.conf import settings

from kotan.lib.retry import TASK_MAX_RETRIES, retry_delay
from reports.services.briefs import (
    TRANSIENT_ERRORS,
    BriefRenderInterrupted,
    brief_fail,
    brief_render,
    brief_requeue_for_retry,
    briefs_sweep,
)

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=TASK_MAX_RETRIES)
def brief_render_task(self: Task, brief_id: int, lease_token: str = "") -> None:
    """Render one brief. A transient error (the database is down) is retried after
    kotan.lib.retry's delays, minutes in all; after the last retry the brief is marked
    failed with the error as its reason. If even that cannot be written, the task tries
    again later instead of leaving the brief `rendering`."""
    try:
        brief_render(brief_id=brief_id, resume_token=lease_token)
        return
    except BriefRenderInterrupted as exc:
        token, error = exc.token, exc.error
    except TRANSIENT_ERRORS as exc:  # the claim itself could not be written
        token, error = lease_token, exc
    reason = f"{type(error).__name__}: {error}"
    retries = self.request.retries
    logger.warning("brief %s: try %s interrupted: %s", brief_id, retries + 1, reason)
    try:
        if retries >= TASK_MAX_RETRIES:
            brief_fail(brief_id=brief_id, reason=reason)
            return
        brief_requeue_for_retry(brief_id=brief_id, reason=reason)
    except TRANSIENT_ERRORS:
        logger.warning("brief %s: database still unreachable; trying again later", brief_id)
    raise self.retry(
        exc=error,
        args=(brief_id, token),
        kwargs={},
        countdown=retry_delay(retries),
        max_retries=max(TASK_MAX_RETRIES, retries + 1),
    )


@shared_task
def briefs_sweep_task() -> int:
    """Beat, every SWEEP_INTERVAL_SECONDS: take back briefs whose worker died and dispatch
    briefs the broker never received or lost."""
    return briefs_sweep()


def _queue_sweep() -> None:
    try:
        briefs_sweep_task.apply_async()
    except Exception:  # the broker went away again; beat's sweeps remain
        logger.warning("could not queue the brief sweep at worker start", exc_info=True)


@worker_ready.connect
def sweep_briefs_when_a_worker_starts(**_kwargs: Any) -> None:
    """A worker is available: take over the briefs of a dead worker now, and those whose
    lease was still running once it has expired (without waiting for beat)."""
    _queue_sweep()
    # A timer rather than a countdown task: a worker holding an unacknowledged message when
    # Redis goes away dies in kombu 5.7 ("'NoneType' object has no attribute 'hostname'").
    later = threading.Timer(settings.BRIEF_LEASE_SECONDS + 1, _queue_sweep)
    later.daemon = True
    later.start()
