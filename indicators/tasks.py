"""Background jobs of the indicators app. Thin: each takes ids and calls a service; failure
handling lives here: spreadsheet imports and score recomputes."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils.translation import gettext as _

from indicators import importing
from indicators.scoring.recompute import scores_recompute, scores_recompute_nightly

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


# A database that is briefly unreachable is retried; if it stays down the pending request
# row remains and the nightly job recomputes the period.
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def recompute_period(period_id: int) -> None:
    scores_recompute(period_ids=[period_id])


@shared_task
def recompute_nightly() -> None:
    scores_recompute_nightly()
