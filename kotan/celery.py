"""The Celery application. Settings live in kotan/settings.py under the CELERY_ prefix."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")

app = Celery("kotan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def urls_load() -> None:
    """Import the URLconf, and with it every view: tasks link to pages with reverse(), and
    the first reverse() in a process spends most of a second on those imports (a 10,000-row
    import took 5.4 s instead of 4.6 s). A worker process pays it once, when it starts."""
    from django.urls import reverse

    reverse("kotan:home")


@worker_process_init.connect
def _load_urls_when_a_worker_process_starts(**_kwargs: Any) -> None:
    urls_load()
