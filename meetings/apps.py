from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Rapat dan tindak lanjut")

    def ready(self) -> None:
        # Registers the app's named permissions (django-rules).
        from kotan.inbox import register
        from meetings.inbox import meeting_task_counts, meeting_tasks

        from . import permissions  # noqa: F401

        register(meeting_tasks, meeting_task_counts)
