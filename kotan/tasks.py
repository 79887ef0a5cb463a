"""Celery tasks of the kotan app: the nightly backup and media clean-up (beat entries in
kotan/settings.py). Thin wrappers around kotan.maintenance."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from kotan.maintenance import backup_create, media_orphans_delete


# A large media folder may take longer than the default limits allow; still below the broker's
# visibility timeout, so the running backup is never handed to a second worker.
@shared_task(soft_time_limit=1800, time_limit=1900)
def backup_nightly_task() -> str:
    return str(backup_create(target_dir=settings.BACKUP_DIR, keep=settings.BACKUP_KEEP))


@shared_task
def media_orphans_delete_task() -> int:
    grace = timedelta(hours=settings.MEDIA_ORPHAN_GRACE_HOURS)
    return len(media_orphans_delete(grace=grace))
