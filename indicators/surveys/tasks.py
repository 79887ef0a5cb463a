"""Background jobs of the surveys app: thin, each takes ids and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils.translation import gettext as _

from indicators.surveys.services import aggregation

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
