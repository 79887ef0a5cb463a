"""Questionnaires are edited in the Django admin by their national owner
(`can_own_questionnaires`); a version a survey used is frozen and shown read-only — the
questionnaire page's "new version" makes an editable copy."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from indicators.surveys.models import QuestionItem, Questionnaire
from indicators.surveys.permissions import can_own_questionnaires
from kotan.models import User


def _owner(request: HttpRequest) -> bool:
    user = request.user
    return user.is_superuser or (
        isinstance(user, User) and user.is_staff and can_own_questionnaires(user)
    )


def _editable(request: HttpRequest, obj: Questionnaire | None) -> bool:
    return _owner(request) and (obj is None or not obj.is_frozen)


class QuestionItemInline(admin.TabularInline):
    model = QuestionItem
    extra = 0
    fields = ["order", "code", "text_id", "text_en", "variable", "answer_type", "reverse",
              "settings", "indicator"]  # fmt: skip

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _owner(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(request, obj)


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "is_default", "is_design"]
    fields = ["name", "version", "description", "is_design"]
    inlines = [QuestionItemInline]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _owner(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _owner(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _owner(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(request, obj)
