"""Background jobs of the surveys app: thin, each takes ids and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils.translation import gettext as _

from indicators.surveys.services import aggregation, importing

logger = logging.getLogger(__name__)


@shared_task
def survey_aggregate_task(run_id: int) -> None:
    try:
        aggregation.aggregation_run_execute(run_id=run_id)
    except Exception:
        # The run's transaction rolled back; the page shows a failed run, not a spinner.
        logger.exception("survey aggregation %s failed", run_id)
        aggregation.aggregation_run_fail(
            run_id=run_id,
            message=_("Agregasi gagal karena kesalahan sistem; tidak ada nilai yang diubah."),
        )
        raise


@shared_task
def survey_import_check_task(import_id: int) -> None:
    try:
        importing.survey_import_check(import_id=import_id)
    except Exception:
        logger.exception("survey import %s: check failed", import_id)
        importing.survey_import_fail(
            import_id=import_id,
            message=_("Pemeriksaan berkas gagal karena kesalahan sistem. Coba unggah ulang."),
        )
        raise


@shared_task
def survey_import_apply_task(import_id: int) -> None:
    try:
        importing.survey_import_apply(import_id=import_id)
    except Exception:
        # The import's transaction rolled back: nothing of the file was saved.
        logger.exception("survey import %s: import failed", import_id)
        importing.survey_import_fail(
            import_id=import_id,
            message=_("Impor gagal karena kesalahan sistem; tidak ada responden yang disimpan."),
        )
        raise
