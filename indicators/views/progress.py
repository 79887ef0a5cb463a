"""The kelurahan grid (fill a whole city at once) and the completeness page of a period."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators import selectors
from indicators.forms import GridForm
from indicators.permissions import CITY_ENTRY_ROLES, PROGRESS_READERS, can_enter
from indicators.services.values import GridErrors, kelurahan_grid_save
from indicators.views.common import get_period_for_user
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.models import User
from kotan.permissions import role_required


@role_required(*CITY_ENTRY_ROLES)
def kelurahan_grid(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    period = get_period_for_user(request, pk)
    data = selectors.kelurahan_grid(period)
    approved = {r for r, s in data.submissions.items() if s.is_locked}
    writable = can_enter(user, period)
    form = GridForm(
        request.POST or None,
        kelurahan=data.kelurahan,
        indicators=data.indicators,
        versions={r: s.version for r, s in data.submissions.items()},
        locked=approved if writable else {k.pk for k in data.kelurahan},
        stored={key: value.value for key, value in data.values.items()},
    )
    row_errors: dict[int, str] = {}
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        if form.is_valid():
            try:
                saved = kelurahan_grid_save(period=period, actor=user, rows=form.changed_rows())
            except GridErrors as errors:
                row_errors = errors.row_errors
                for (region, indicator), message in errors.cell_errors.items():
                    form.add_error(f"r{region}_{indicator}", message)
                form.add_error(None, str(errors))
            else:
                count = len(saved)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s kelurahan disimpan.", "%(count)s kelurahan disimpan.", count
                    )
                    % {"count": count},
                )
                return redirect("indicators:kelurahan-grid", pk=period.pk)
    context = {
        "period": period,
        "form": form,
        "indicators": data.indicators,
        "rows": [
            {
                "region": region,
                "cells": cells,
                "version": version,
                "submission": data.submissions.get(region.pk),
                "error": row_errors.get(region.pk),
            }
            for region, cells, version in form.table()
        ],
        "writable": writable,
        "yes": _("Ya"),
        "no": _("Tidak"),
    }
    status = 409 if row_errors else 200
    return render(request, "indicators/kelurahan_grid.html", context, status=status)


@role_required(*PROGRESS_READERS)
def completeness(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    period = get_period_for_user(request, pk)
    today = timezone.localdate()
    context = {
        "period": period,
        "progress": selectors.period_completeness(period, today),
        "can_open": request.user.role != User.Role.PIMPINAN,
    }
    return render(request, "indicators/completeness.html", context)
