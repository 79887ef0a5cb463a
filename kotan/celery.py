"""The Celery application. Settings live in kotan/settings.py under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")

app = Celery("kotan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
