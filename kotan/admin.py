"""Admin pages. Non-superusers (the city's Admin role) see and edit only their own city."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kotan.models import AuditEntry, Region, Stakeholder, User


class CityScopedAdmin(admin.ModelAdmin):
    """Limits an admin page to rows of the user's city; `city_field` names the path to it."""

    city_field = "city"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return queryset
        return queryset.filter(**{self.city_field: getattr(user, "city_id", None)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        user = request.user
        if not user.is_superuser and db_field.related_model in (Region, Stakeholder):
            kwargs["queryset"] = db_field.related_model.objects.for_user(user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Region)
class RegionAdmin(CityScopedAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]


@admin.register(Stakeholder)
class StakeholderAdmin(CityScopedAdmin):
    list_display = ["short_name", "name", "kind", "city", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["city"]

    def save_model(self, request: HttpRequest, obj: Stakeholder, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.city_id = getattr(request.user, "city_id", None)  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(User)
class UserAdmin(CityScopedAdmin, BaseUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "role",
        "stakeholder",
        "city",
        "is_active",
    ]
    list_filter = ["role", "is_active"]
    list_select_related = ["stakeholder", "city"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Kotan"), {"fields": ["city", "role", "stakeholder", "position"]}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Kotan"), {"fields": ["email", "city", "role", "stakeholder"]}),
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(CityScopedAdmin):
    list_display = ["created_at", "actor", "action", "object_repr"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEntry._meta.get_fields() if f.concrete]

    # The audit trail is append-only: nobody edits or deletes history, not even an admin.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
