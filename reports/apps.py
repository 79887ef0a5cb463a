from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Dasbor dan ringkasan kebijakan")

    def ready(self) -> None:
        from kotan.inbox import register
        from reports.inbox import report_task_counts, report_tasks

        register(report_tasks, report_task_counts)
