from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indikator KOTAN")

    def ready(self) -> None:
        # Registers the app's named permissions (django-rules).
        from indicators.inbox import indicator_task_counts, indicator_tasks
        from kotan.inbox import register

        from . import permissions  # noqa: F401

        register(indicator_tasks, indicator_task_counts)
