"""Background jobs of the indicators app. Thin: each takes ids and calls a service; failure
handling lives here: spreadsheet imports and score recomputes."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from indicators import importing
from indicators.scoring.recompute import (
    scores_recompute,
    scores_recompute_nightly,
    scores_recompute_pending,
)
from kotan.lib.retry import TASK_MAX_RETRIES, retry_delay

logger = logging.getLogger(__name__)


@shared_task
def import_check_task(batch_id: int) -> None:
    try:
        importing.import_batch_check(batch_id=batch_id)
    except Exception:
        # The operator sees a failed batch instead of a spinner that never ends.
        logger.exception("import %s: check failed", batch_id)
        importing.import_batch_fail(
            batch_id=batch_id,
            message=_("Pemeriksaan berkas gagal karena kesalahan sistem. Coba unggah ulang."),
        )
        raise


@shared_task
def import_apply_task(batch_id: int) -> None:
    try:
        importing.import_batch_apply(batch_id=batch_id)
    except Exception:
        # The import's transaction has rolled back: nothing of the file was saved.
        logger.exception("import %s: import failed", batch_id)
        importing.import_batch_fail(
            batch_id=batch_id,
            message=_("Impor gagal karena kesalahan sistem; tidak ada data yang disimpan."),
        )
        raise


# --- Scores --------------------------------------------------------------------------


# A database that is unreachable is retried for minutes (kotan.lib.retry); if it stays
# down the pending request row remains and the next pending sweep recomputes the period.
@shared_task(bind=True, max_retries=TASK_MAX_RETRIES)
def recompute_period(self: Task, period_id: int) -> None:
    try:
        scores_recompute(period_ids=[period_id])
    except (OperationalError, InterfaceError) as exc:
        logger.warning("recompute of period %s: database error, retrying: %s", period_id, exc)
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc


@shared_task
def recompute_nightly() -> None:
    scores_recompute_nightly()


@shared_task
def recompute_pending() -> int:
    """Beat, every SWEEP_INTERVAL_SECONDS: recompute periods whose request is still pending
    (its task never reached the broker, or was lost). Returns how many periods."""
    return scores_recompute_pending().periods


@worker_ready.connect
def recompute_pending_when_a_worker_starts(**_kwargs: Any) -> None:
    """A worker is available (e.g. after the broker or the worker was down): catch up at once."""
    try:
        recompute_pending.apply_async()
    except Exception:  # the broker went away again; beat's sweeps remain
        logger.warning("could not queue the pending recompute at worker start", exc_info=True)
