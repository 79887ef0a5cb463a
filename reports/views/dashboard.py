from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from indicators.models import Indicator, IndicatorValue
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.permissions import ALL_ROLES, Role, role_required
from reports.selectors import (
    choice_load,
    dashboard_cache_key,
    dashboard_detail_fill,
    dashboard_head_load,
    follow_ups_attach,
    indicator_values,
    national_latest_scores,
    variable_load,
)


@role_required(*ALL_ROLES)
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "reports/index.html")


# Fragments are keyed by the snapshots they show, so a recompute never serves old numbers;
# the timeout only bounds what a recompute does not cover (renamed regions, editions).
DASHBOARD_CACHE_SECONDS = 60 * 60


@require_GET
@role_required(*ALL_ROLES)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The city's readiness for the Wakil Wali Kota; read-only for everyone in the city.

    The snapshot-derived fragments (headline, path, variables, trend, territory,
    completeness, provenance) come from the cache; the page shell (navbar, CSRF), the pending
    recompute notice and the weakest indicators' follow-ups are rendered on every request."""
    user = request.user
    board = dashboard_head_load(
        user=user,
        year=request.GET.get("periode"),
        edition_id=request.GET.get("edisi"),
        sort=request.GET.get("urut"),
        descending=request.GET.get("arah") == "turun",
    )
    sort_columns = [
        ("nama", _("Kelurahan")),
        ("nilai", _("Nilai")),
        ("kategori", _("Kategori")),
        ("kelengkapan", _("Kelengkapan")),
    ]
    context: dict[str, Any] = {
        "board": board,
        "choice": board.choice,
        "sort_columns": sort_columns,
    }
    if board.snapshot is not None:
        key = dashboard_cache_key(board, role=user.role, language=get_language())
        cached = cache.get(key)
        if cached is None:
            dashboard_detail_fill(board)
            cached = {
                "top": render_to_string("reports/includes/_dashboard_top.html", context),
                "rest": render_to_string("reports/includes/_dashboard_rest.html", context),
                "weakest": board.weakest,
                "category": board.category,
            }
            cache.set(key, cached, DASHBOARD_CACHE_SECONDS)
        board.weakest = [dict(lever) for lever in cached["weakest"]]
        board.category = cached["category"]
        follow_ups_attach(user=user, levers=board.weakest, today=timezone.localdate())
        # Rendered by our own templates above (autoescaped), never from user input as-is.
        context["fragments"] = {"top": mark_safe(cached["top"]), "rest": mark_safe(cached["rest"])}
    return render(request, "reports/dashboard.html", context)


@require_GET
@role_required(*ALL_ROLES)
def variable_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Drill-down step 1: a variable's indicators, their scores and contributions."""
    choice = choice_load(
        user=request.user,
        year=request.GET.get("periode"),
        edition_id=request.GET.get("edisi"),
    )
    snapshot, variable = variable_load(choice=choice, code=code)
    context = {"choice": choice, "snapshot": snapshot, "variable": variable}
    return render(request, "reports/variable_detail.html", context)


@require_GET
@role_required(*ALL_ROLES)
def indicator_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Drill-down step 2: every value of an indicator, who entered and approved it, when,
    and its evidence."""
    user = request.user
    choice = choice_load(
        user=user, year=request.GET.get("periode"), edition_id=request.GET.get("edisi")
    )
    indicator = get_object_or_404(Indicator.objects.select_related("variable"), code=code)
    values = (
        list(indicator_values(user=user, period=choice.period, indicator_id=indicator.pk))
        if choice.period
        else []
    )
    context = {"choice": choice, "indicator": indicator, "values": values}
    return render(request, "reports/indicator_detail.html", context)


def _get_value_for_user(request: AuthenticatedHttpRequest, pk: int) -> IndicatorValue:
    return get_object_or_404(IndicatorValue.objects.for_user(request.user), pk=pk)


@require_GET
@role_required(*ALL_ROLES)
def value_evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A value's evidence file, for anyone of the value's city (never a public URL)."""
    value = _get_value_for_user(request, pk)
    if not value.evidence:
        raise Http404
    response: StreamingHttpResponse = FileResponse(value.evidence.open("rb"), as_attachment=True)
    return response  # type: ignore[return-value]


@require_GET
@role_required(Role.ADMIN_PUSAT)
def national_scores(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Read-only: every city's latest IKOTAN score, the first step towards province and
    national views."""
    context = {"snapshots": national_latest_scores()}
    return render(request, "reports/national_scores.html", context)
