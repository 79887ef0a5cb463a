from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KotanConfig(AppConfig):
    name = "kotan"
    verbose_name = _("Kota dan pengguna")

    def ready(self) -> None:
        from celery.signals import task_failure
        from django.core.signals import request_finished

        # Registers the app's named permissions (django-rules).
        from kotan import permissions  # noqa: F401
        from kotan.lib.logs import on_task_failure, request_id_clear

        # Every task failure is logged with the id of the object the task worked on.
        task_failure.connect(on_task_failure, weak=False, dispatch_uid="kotan-task-failure-log")
        # Lines logged after a request (by the worker process) carry no stale request id.
        request_finished.connect(request_id_clear, weak=False, dispatch_uid="kotan-request-id")
