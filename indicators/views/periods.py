"""The indicators hub and assessment periods: list, create, edit, status, the units to fill."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from indicators import selectors
from indicators.forms import PeriodForm, PeriodStatusForm
from indicators.models import AssessmentPeriod, Indicator
from indicators.permissions import (
    CITY_ENTRY_ROLES,
    FRAMEWORK_ADMINS,
    PERIOD_MANAGERS,
    can_enter,
    entry_window_open,
)
from indicators.services.periods import (
    allowed_transitions,
    period_create,
    period_status_set,
    period_update,
)
from indicators.services.values import EntryError
from indicators.views.common import get_period_for_user
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.models import Region, User
from kotan.permissions import ALL_ROLES, role_required

TRANSITION_LABELS: dict[str, object] = {
    AssessmentPeriod.Status.CLOSED: gettext_lazy("Tutup pengisian"),
    AssessmentPeriod.Status.OPEN: gettext_lazy("Buka kembali pengisian"),
    AssessmentPeriod.Status.LOCKED: gettext_lazy("Kunci periode"),
}


@role_required(*ALL_ROLES)
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "periods": selectors.periods_for_user(user),
        "can_manage_periods": user.has_role(*PERIOD_MANAGERS),
        "can_manage_framework": user.has_role(*FRAMEWORK_ADMINS),
    }
    return render(request, "indicators/index.html", context)


@role_required(*PERIOD_MANAGERS)
def period_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert user.city is not None
        try:
            period = period_create(actor=user, city=user.city, **form.cleaned_data)
        except EntryError as error:
            form.add_error("year", str(error))
        else:
            messages.success(request, _("Periode %(year)s dibuat.") % {"year": period.year})
            return redirect("indicators:period-detail", pk=period.pk)
    return render(
        request, "indicators/form_page.html", {"form": form, "title": _("Periode penilaian baru")}
    )


@role_required(*PERIOD_MANAGERS)
def period_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    period = get_period_for_user(request, pk)
    form = PeriodForm(request.POST or None, period=period)
    if request.method == "POST" and form.is_valid():
        try:
            period_update(
                actor=request.user,
                period=period,
                opens_on=form.cleaned_data["opens_on"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except EntryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Jadwal pengisian diperbarui."))
            return redirect("indicators:period-detail", pk=period.pk)
    title = _("Ubah periode %(year)s") % {"year": period.year}
    return render(request, "indicators/form_page.html", {"form": form, "title": title})


@role_required(*ALL_ROLES)
def period_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The period's hub: its status and window, and the units the user can open."""
    user = request.user
    period = get_period_for_user(request, pk)
    assigned_levels: set[str] = set()
    if user.role == User.Role.PEMANGKU:
        assigned_levels = set(
            Indicator.objects.active()
            .filter(responsible=user.stakeholder_id)
            .values_list("level", flat=True)
        )
    staff = user.has_role(*CITY_ENTRY_ROLES, User.Role.VERIFIKATOR)
    context = {
        "period": period,
        "window_open": entry_window_open(period),
        "can_enter": can_enter(user, period),
        "transitions": [
            (status, TRANSITION_LABELS[status]) for status in allowed_transitions(user, period)
        ],
        "can_edit": user.has_role(*PERIOD_MANAGERS) and period.status != period.Status.LOCKED,
        "staff": staff,
        "show_city": staff or Indicator.Level.KOTA in assigned_levels,
        "kelurahan": (
            Region.objects.for_user(user).kelurahan().order_by("code")
            if not staff and Indicator.Level.KELURAHAN in assigned_levels
            else []
        ),
        "own_stakeholder": (
            user.stakeholder if Indicator.Level.STAKEHOLDER in assigned_levels else None
        ),
        "stakeholders": selectors.stakeholders_with_entry(period) if staff else [],
        "can_grid": user.has_role(*CITY_ENTRY_ROLES),
    }
    return render(request, "indicators/period_detail.html", context)


@require_POST
@role_required(*PERIOD_MANAGERS, User.Role.VERIFIKATOR)
def period_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    period = get_period_for_user(request, pk)
    form = PeriodStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Status tidak dikenal."))
        return redirect("indicators:period-detail", pk=period.pk)
    try:
        period = period_status_set(
            actor=request.user,
            period=period,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except EntryError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Status periode: %(status)s.") % {"status": period.get_status_display()}
        )
    return redirect("indicators:period-detail", pk=period.pk)
