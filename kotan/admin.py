"""Admin pages. Non-superusers (the city's Admin role) see and edit only their own city."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kotan.models import AuditEntry, Region, Stakeholder, User


def is_city_admin(request: HttpRequest) -> bool:
    """Superusers, and staff with the Admin role of a city (DOMAIN.md §5)."""
    user = request.user
    if user.is_superuser:
        return True
    return bool(
        user.is_active
        and user.is_staff
        and getattr(user, "role", None) == User.Role.ADMIN
        and getattr(user, "city_id", None)
    )


class CityScopedAdmin(admin.ModelAdmin):
    """Limits an admin page to rows of the user's city; `city_field` names the path to it.

    A city's Admin role may manage everything of its city without per-model permissions:
    the role is the permission, and the queryset scoping keeps other cities out.
    """

    city_field = "city"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_city_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_city_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_city_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_city_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_city_admin(request)

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


class ReadOnlyAdminMixin:
    """Admin pages that show but never change: the app's own pages write through services,
    which keep the audit trail; the admin would bypass it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CityScopedReadOnlyAdmin(ReadOnlyAdminMixin, CityScopedAdmin):
    pass


@admin.register(Region)
class RegionAdmin(CityScopedAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]

    # Regions come from Kemendagri codes (manage.py load_city); only superusers edit them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


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
    # Fields through which a city admin could escalate beyond their city.
    superuser_only_fields = ("is_superuser", "groups", "user_permissions", "city")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in self.superuser_only_fields],
                },
            )
            for name, options in fieldsets
        ]

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role" and not request.user.is_superuser:
            # Admin Pusat is national: only a superuser names one, never a city's Admin.
            kwargs["choices"] = [c for c in User.Role.choices if c[0] != User.Role.ADMIN_PUSAT]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.city_id = getattr(request.user, "city_id", None)
        super().save_model(request, obj, form, change)


@admin.register(AuditEntry)
class AuditEntryAdmin(CityScopedReadOnlyAdmin):
    """The audit trail is append-only: nobody edits or deletes history, not even an admin."""

    list_display = ["created_at", "actor", "action", "object_repr"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEntry._meta.get_fields() if f.concrete]
