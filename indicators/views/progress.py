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
from indicators.models import AssessmentPeriod, Submission
from indicators.permissions import CITY_ENTRY_ROLES, PROGRESS_READERS, can_enter
from indicators.services.grid import kelurahan_grid_save, kelurahan_grid_submit
from indicators.views.common import get_period_for_user
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.models import User
from kotan.permissions import role_required


@role_required(*CITY_ENTRY_ROLES)
def kelurahan_grid(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Fill every kelurahan at once. Valid cells are saved even when others are wrong;
    a row (or every complete row) can be submitted from here."""
    user = request.user
    period = get_period_for_user(request, pk)
    data = selectors.kelurahan_grid(period)
    writable = can_enter(user, period)
    form = _grid_form(request, data, writable)
    row_errors: dict[int, str] = {}
    summary = ""
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        form.is_valid()
        result = kelurahan_grid_save(period=period, actor=user, rows=form.rows_to_save())
        row_errors = result.row_errors
        for (region_pk, indicator_pk), message in result.cell_errors.items():
            form.add_error(f"r{region_pk}_{indicator_pk}", message)
        data = selectors.kelurahan_grid(period)  # new versions, values and statuses
        submitted, submit_errors = _grid_submit(request, period, user, data, form, row_errors)
        to_fix = len(form.errors) + len(row_errors)
        summary = _grid_summary(result.cells_saved, to_fix, len(submitted))
        if not to_fix and not submit_errors:
            messages.success(request, summary)
            return redirect("indicators:kelurahan-grid", pk=period.pk)
        row_errors = {**submit_errors, **row_errors}
        for region in data.kelurahan:  # the next save must expect the new versions
            if (saved := data.submissions.get(region.pk)) is not None:
                form.data[f"ver{region.pk}"] = str(saved.version)  # type: ignore[index]
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
                "missing": selectors.grid_row_missing(data, region.pk),
                "error": row_errors.get(region.pk),
                "evidence": form[f"ef{region.pk}"] if f"ef{region.pk}" in form.fields else None,
                "evidence_for": form[f"ei{region.pk}"] if f"ei{region.pk}" in form.fields else None,
            }
            for region, cells, version in form.table()
        ],
        "summary": summary,
        "writable": writable,
        "yes": _("Ya"),
        "no": _("Tidak"),
    }
    status = 409 if row_errors and not form.errors else 200
    return render(request, "indicators/kelurahan_grid.html", context, status=status)


def _grid_form(
    request: AuthenticatedHttpRequest, data: selectors.GridData, writable: bool
) -> GridForm:
    approved = {r for r, s in data.submissions.items() if s.is_locked}
    return GridForm(
        request.POST.copy() if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        kelurahan=data.kelurahan,
        indicators=data.indicators,
        versions={r: s.version for r, s in data.submissions.items()},
        locked=approved if writable else {k.pk for k in data.kelurahan},
        stored={key: value.value for key, value in data.values.items()},
    )


SUBMITTABLE = (Submission.Status.DRAFT, Submission.Status.RETURNED)


def _grid_submit(
    request: AuthenticatedHttpRequest,
    period: AssessmentPeriod,
    user: User,
    data: selectors.GridData,
    form: GridForm,
    row_errors: dict[int, str],
) -> tuple[list[Submission], dict[int, str]]:
    """ "Ajukan" on one row, or "Ajukan semua baris lengkap": rows with an error on the page
    are never submitted."""
    action = request.POST.get("action", "")
    with_errors = {int(name[1:].split("_")[0]) for name in form.errors if name.startswith("r")}
    with_errors |= set(row_errors)
    if action == "submit-complete":
        regions = [
            r
            for r in data.kelurahan
            if r.pk not in with_errors
            and (s := data.submissions.get(r.pk)) is not None
            and s.status in SUBMITTABLE
            and not selectors.grid_row_missing(data, r.pk)
        ]
    elif action.startswith("submit-row-"):
        wanted = action.removeprefix("submit-row-")
        regions = [r for r in data.kelurahan if str(r.pk) == wanted and r.pk not in with_errors]
    else:
        return [], {}
    return kelurahan_grid_submit(period=period, actor=user, regions=regions)


def _grid_summary(saved: int, to_fix: int, submitted: int) -> str:
    parts = [
        ngettext("%(n)s isian disimpan", "%(n)s isian disimpan", saved) % {"n": saved},
        ngettext("%(n)s perlu diperbaiki", "%(n)s perlu diperbaiki", to_fix) % {"n": to_fix},
    ]
    if submitted:
        parts.append(
            ngettext("%(n)s kelurahan diajukan", "%(n)s kelurahan diajukan", submitted)
            % {"n": submitted}
        )
    return ", ".join(parts) + "."


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
