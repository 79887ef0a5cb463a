from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Dasbor dan ringkasan kebijakan")

    def ready(self) -> None:
        # Registers the app's named permissions (django-rules).
        from kotan.inbox import register
        from kotan.lib.history import register_actions
        from reports.inbox import report_task_counts, report_tasks

        from . import permissions  # noqa: F401

        register_actions(
            {
                "brief.requested": _("Ringkasan diminta"),
                "brief.done": _("Ringkasan selesai"),
                "brief.failed": _("Ringkasan gagal dibuat"),
                "brief.retried": _("Ringkasan dicoba lagi"),
                "recommendation.created": _("Rekomendasi dibuat"),
                "recommendation.updated": _("Rekomendasi diubah"),
            }
        )
        register(report_tasks, report_task_counts)
