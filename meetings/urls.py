from django.urls import path

from meetings.views import actions, meetings

app_name = "meetings"

urlpatterns = [
    path("", meetings.index, name="index"),
    path("baru/", meetings.meeting_create_view, name="meeting-create"),
    path("<int:pk>/", meetings.meeting_detail, name="meeting-detail"),
    path("<int:pk>/ubah/", meetings.meeting_edit, name="meeting-edit"),
    path("<int:pk>/kehadiran/", meetings.meeting_attendance, name="meeting-attendance"),
    path("<int:pk>/notulen/", meetings.meeting_minutes, name="meeting-minutes"),
    path("<int:pk>/notulen/buka/", meetings.meeting_reopen, name="meeting-reopen"),
    path("<int:pk>/kalender.ics", meetings.meeting_ics_download, name="meeting-ics"),
    path("agenda-berikutnya/", meetings.agenda_draft, name="agenda-draft"),
    path("agenda-berikutnya/jadwalkan/", meetings.agenda_schedule, name="agenda-schedule"),
    path("tindak-lanjut/", actions.action_list_view, name="action-list"),
    path("tindak-lanjut/xlsx/", actions.action_export, name="action-export"),
    path("tindak-lanjut/instansi-saya/", actions.action_mine, name="action-mine"),
    path("tindak-lanjut/baru/", actions.action_create_view, name="action-create"),
    path("tindak-lanjut/<int:pk>/", actions.action_detail, name="action-detail"),
    path("tindak-lanjut/<int:pk>/ubah/", actions.action_edit, name="action-edit"),
    path("tindak-lanjut/<int:pk>/kemajuan/", actions.action_progress, name="action-progress"),
    path("tindak-lanjut/<int:pk>/tutup/", actions.action_close_view, name="action-close"),
    path("bukti/<int:pk>/", actions.evidence_download, name="evidence-download"),
]
