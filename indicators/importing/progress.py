"""How far a running check or import is, kept in the cache."""

from __future__ import annotations

from django.core.cache import cache

from indicators.importing.checking import Progress
from indicators.models import ImportBatch

# --- Progress ----------------------------------------------------------------------------


def progress_key(batch_id: int) -> str:
    return f"kotan:import-progress:{batch_id}"


def import_progress(batch: ImportBatch) -> int:
    """How far the running job is, 0–100. Kept in the cache, not the database: the import
    runs in one transaction, whose writes nobody else sees before it ends."""
    if not batch.is_running:
        return 100
    return int(cache.get(progress_key(batch.pk), 0))


def progress_reporter(batch_id: int, low: int, high: int) -> Progress:
    """Map rows done onto the share [low, high) of the job's percentage."""

    def report(done: int, expected: int) -> None:
        share = min(done / expected, 1) if expected else 0
        cache.set(progress_key(batch_id), low + int(share * (high - low - 1)), 3600)

    return report
