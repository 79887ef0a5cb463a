"""Admin pages for meetings and actions, scoped to the admin's city. Edits made here bypass
the services' audit trail, so everything except the reminder log is read-only here: the
app's own pages are where meetings and actions change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kotan.admin import CityScopedAdmin
from meetings.models import Action, Meeting, ReminderLog


class ReadOnlyAdmin(CityScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "starts_at", "status", "city"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "venue"]
    list_select_related = ["city"]


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner", "category", "status", "due_on", "progress"]
    list_filter = ["status", "category"]
    search_fields = ["title"]
    list_select_related = ["owner"]


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    city_field = "recipient__city"
    list_display = ["sent_on", "kind", "email"]
    list_filter = ["kind"]
