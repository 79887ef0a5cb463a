"""Background jobs of the indicators app. Thin: each takes ids and calls a service; failure
handling lives here."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils.translation import gettext as _

from indicators import importing

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
