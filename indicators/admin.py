"""Django admin for the indicators app. The browser pages are the main tools; the admin is a
fallback that obeys the same rules: edits go through the services (audit, ranges), approved
values cannot be changed, indicators holding values cannot be deleted, editions (whose
validity spans weights and bands together) are edited only in the browser page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from indicators.models import (
    AssessmentPeriod,
    CategoryBand,
    Indicator,
    IndicatorValue,
    MethodologyEdition,
    Submission,
    Variable,
    VariableWeight,
)
from indicators.services.framework import (
    FROZEN_ONCE_USED,
    INDICATOR_FIELDS,
    FrameworkError,
    indicator_save,
    indicator_scale_errors,
    variable_update,
)
from indicators.services.values import (
    ValueInput,
    submission_lock_error,
    submission_values_save,
    value_error,
)
from kotan.admin import CityScopedAdmin, CityScopedReadOnlyAdmin, ReadOnlyAdminMixin, is_city_admin
from kotan.models import User
from kotan.permissions import holds_role


def _changes_catalogue(request: HttpRequest) -> bool:
    """The methodology is national: Admin Pusat (staff) and superusers change it."""
    user = request.user
    return user.is_superuser or (user.is_staff and holds_role(user, User.Role.ADMIN_PUSAT))


class CatalogueAdmin(admin.ModelAdmin):
    """The national catalogue: a city's Admin reads it, Admin Pusat changes it."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _changes_catalogue(request) or is_city_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _changes_catalogue(request) or is_city_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _changes_catalogue(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _changes_catalogue(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _changes_catalogue(request)


class WeightInline(admin.TabularInline):
    model = VariableWeight
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BandInline(WeightInline):
    model = CategoryBand  # type: ignore[assignment]


@admin.register(MethodologyEdition)
class MethodologyEditionAdmin(ReadOnlyAdminMixin, CatalogueAdmin):
    list_display = ["name", "scale_min", "scale_max", "is_default"]
    inlines = [WeightInline, BandInline]


@admin.register(Variable)
class VariableAdmin(CatalogueAdmin):
    list_display = ["code", "name", "order"]
    fields = ["name", "description", "order"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the five variables are fixed (DOMAIN.md §1)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Variable, form: Any, change: bool) -> None:
        assert isinstance(request.user, User)
        variable_update(
            actor=request.user,
            variable=Variable.objects.get(pk=obj.pk),
            name=obj.name,
            description=obj.description,
            order=obj.order,
        )


class IndicatorAdminForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)  # `responsible` is per city: the browser page

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, worst, best = (cleaned.get(n) for n in ("kind", "worst", "best"))
        if kind and worst is not None and best is not None:
            for message in indicator_scale_errors(kind, worst, best):
                self.add_error(None, message)
        instance = self.instance
        if instance.pk and instance.values.exists():
            stored = Indicator.objects.get(pk=instance.pk)
            for name in FROZEN_ONCE_USED:
                if name in cleaned and cleaned[name] != getattr(stored, name):
                    self.add_error(
                        name, _("Indikator yang sudah memiliki nilai tidak dapat diubah tipenya.")
                    )
        return cleaned


@admin.register(Indicator)
class IndicatorAdmin(CatalogueAdmin):
    form = IndicatorAdminForm
    list_display = ["code", "name", "variable", "kind", "level", "weight", "active"]
    list_filter = ["variable", "level", "kind", "active"]
    search_fields = ["code", "name"]
    list_select_related = ["variable"]

    def has_delete_permission(self, request: HttpRequest, obj: Indicator | None = None) -> bool:
        # An indicator that holds values is retired (active off), never deleted.
        if obj is not None and obj.values.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # would bypass the per-object rule above
        return actions

    def save_model(self, request: HttpRequest, obj: Indicator, form: Any, change: bool) -> None:
        assert isinstance(request.user, User)
        fields = {name: form.cleaned_data[name] for name in form.cleaned_data}
        stored = Indicator.objects.get(pk=obj.pk) if change else None
        try:
            saved = indicator_save(actor=request.user, indicator=stored, fields=fields)
        except FrameworkError as error:  # clean() catches these first; a race ends here
            raise forms.ValidationError(error.errors) from error
        obj.pk = saved.pk


@admin.register(AssessmentPeriod)
class AssessmentPeriodAdmin(CityScopedReadOnlyAdmin):
    """Periods and their status change in the browser (with the audit trail)."""

    list_display = ["city", "year", "opens_on", "closes_on", "status"]
    list_filter = ["status"]
    list_select_related = ["city"]


@admin.register(Submission)
class SubmissionAdmin(CityScopedReadOnlyAdmin):
    city_field = "period__city"
    list_display = ["period", "level", "region", "stakeholder", "status", "version"]
    list_filter = ["status", "level"]
    list_select_related = ["period__city", "region", "stakeholder"]


class IndicatorValueAdminForm(forms.ModelForm):
    class Meta:
        model = IndicatorValue
        fields = ["value", "comment"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lock = submission_lock_error(self.instance.submission)
        if lock:
            raise forms.ValidationError(lock)
        message = value_error(self.instance.indicator, cleaned.get("value"))
        if message:
            self.add_error("value", message)
        return cleaned


@admin.register(IndicatorValue)
class IndicatorValueAdmin(CityScopedAdmin):
    city_field = "submission__period__city"
    form = IndicatorValueAdminForm
    list_display = ["indicator", "submission", "value", "updated_at"]
    list_filter = ["indicator__variable", "submission__status"]
    list_select_related = ["indicator", "submission__period__city", "submission__region"]
    readonly_fields = ["indicator", "submission", "evidence", "entered_by", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("submission__period")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # values belong to a unit's submission: entered in the browser or imported

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # history must stay whole; a wrong value is corrected, not removed

    def has_change_permission(
        self, request: HttpRequest, obj: IndicatorValue | None = None
    ) -> bool:
        if obj is not None and submission_lock_error(obj.submission):
            return False  # approved (or in a locked period): a verifier must reopen it first
        return super().has_change_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: IndicatorValue, form: Any, change: bool
    ) -> None:
        assert isinstance(request.user, User)
        submission_values_save(
            submission=obj.submission,
            actor=request.user,
            inputs={
                obj.indicator_id: ValueInput(
                    value=form.cleaned_data["value"], comment=form.cleaned_data["comment"]
                )
            },
            expected_version=None,
            source="admin",
        )
