"""Admin pages for meetings and actions, scoped to the admin's city. Edits made here bypass
the services' audit trail, so everything except the reminder log is read-only here: the
app's own pages are where meetings and actions change."""

from __future__ import annotations

from django.contrib import admin

from kotan.admin import CityScopedReadOnlyAdmin
from meetings.models import Action, Meeting, ReminderLog


@admin.register(Meeting)
class MeetingAdmin(CityScopedReadOnlyAdmin):
    list_display = ["title", "kind", "starts_at", "status", "city"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "venue"]
    list_select_related = ["city"]


@admin.register(Action)
class ActionAdmin(CityScopedReadOnlyAdmin):
    list_display = ["title", "owner", "category", "status", "due_on", "progress"]
    list_filter = ["status", "category"]
    search_fields = ["title"]
    list_select_related = ["owner"]


@admin.register(ReminderLog)
class ReminderLogAdmin(CityScopedReadOnlyAdmin):
    city_field = "recipient__city"
    list_display = ["sent_on", "kind", "email"]
    list_filter = ["kind"]
