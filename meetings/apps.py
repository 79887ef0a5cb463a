from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Rapat dan tindak lanjut")

    def ready(self) -> None:
        # Registers the app's named permissions (django-rules).
        from kotan.inbox import register
        from kotan.lib.history import register_actions
        from meetings.inbox import meeting_task_counts, meeting_tasks

        from . import permissions  # noqa: F401

        register_actions(
            {
                "meeting.create": _("Rapat dibuat"),
                "meeting.update": _("Rapat diubah"),
                "meeting.attendance": _("Daftar hadir dicatat"),
                "meeting.minutes": _("Notulen disimpan"),
                "meeting.minutes.finalise": _("Notulen difinalkan"),
                "meeting.minutes.reopen": _("Notulen dibuka kembali"),
                "action.create": _("Tindak lanjut dibuat"),
                "action.update": _("Tindak lanjut diubah"),
                "action.progress": _("Kemajuan dilaporkan"),
                "action.close": _("Tindak lanjut ditutup"),
            }
        )
        register(meeting_tasks, meeting_task_counts)
