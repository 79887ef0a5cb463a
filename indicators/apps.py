from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indikator KOTAN")

    def ready(self) -> None:
        from indicators.inbox import indicator_task_counts, indicator_tasks
        from kotan.inbox import register

        register(indicator_tasks, indicator_task_counts)
