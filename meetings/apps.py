from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Rapat dan tindak lanjut")

    def ready(self) -> None:
        from kotan.inbox import register
        from meetings.inbox import meeting_task_counts, meeting_tasks

        register(meeting_tasks, meeting_task_counts)
