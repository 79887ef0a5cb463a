"""Views of the spreadsheet import and export (indicators.importing, indicators.exporting).

Who may do what (tests/indicators/matrix.py):
- admin and operator: download the template, upload, preview, confirm or cancel an import;
- admin, operator, verifikator and pimpinan: export a period's values (read-only; the
  verifier checks data in a spreadsheet, the mayor's office reads it);
- pemangku: neither — an officer sees only their organisation's indicators, and an export
  holds the whole city.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from indicators import exporting, importing
from indicators.import_forms import ImportUploadForm
from indicators.models import AssessmentPeriod, ImportBatch
from indicators.permissions import EXPORT_ROLES, IMPORT_ROLES
from kotan.lib.http import AuthenticatedHttpRequest
from kotan.permissions import role_required

ROWS_PER_PAGE = 100


def _get_period_for_user(request: AuthenticatedHttpRequest, pk: int) -> AssessmentPeriod:
    return get_object_or_404(
        AssessmentPeriod.objects.for_user(request.user).select_related("city"), pk=pk
    )


def _get_batch_for_user(request: AuthenticatedHttpRequest, pk: int) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.for_user(request.user).select_related("period__city", "created_by"),
        pk=pk,
    )


@role_required(*EXPORT_ROLES)
def import_periods(request: AuthenticatedHttpRequest) -> HttpResponse:
    periods = AssessmentPeriod.objects.for_user(request.user).select_related("city")
    can_import = request.user.has_role(*IMPORT_ROLES)
    return render(
        request,
        "indicators/imports/import_periods.html",
        {"periods": periods, "can_import": can_import},
    )


@role_required(*IMPORT_ROLES)
def import_upload(request: AuthenticatedHttpRequest, period_pk: int) -> HttpResponse:
    period = _get_period_for_user(request, period_pk)
    # Bound on every POST, even an empty one, so that a missing file gets its message.
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST, request.FILES) if posted else ImportUploadForm()
    if posted and form.is_valid():
        try:
            batch = importing.import_batch_create(
                period=period,
                actor=request.user,
                upload=form.cleaned_data["file"],
                file_format=form.file_format,
            )
        except importing.ImportRefused as refused:
            form.add_error("file", str(refused))
        else:
            return redirect("indicators:import-detail", pk=batch.pk)
    batches = (
        ImportBatch.objects.for_city(period.city_id)
        .filter(period=period)
        .select_related("created_by")[:10]
    )
    return render(
        request,
        "indicators/imports/import_upload.html",
        {"period": period, "form": form, "batches": batches},
    )


@role_required(*IMPORT_ROLES)
def import_template(request: AuthenticatedHttpRequest, period_pk: int) -> HttpResponse:
    period = _get_period_for_user(request, period_pk)
    content = exporting.workbook_bytes(period, with_values=False)
    return _download(content, exporting.XLSX_CONTENT_TYPE, f"templat-{_slug(period)}.xlsx")


@role_required(*EXPORT_ROLES)
def export_xlsx(request: AuthenticatedHttpRequest, period_pk: int) -> HttpResponse:
    period = _get_period_for_user(request, period_pk)
    content = exporting.workbook_bytes(period, with_values=True)
    return _download(content, exporting.XLSX_CONTENT_TYPE, f"nilai-{_slug(period)}.xlsx")


@role_required(*EXPORT_ROLES)
def export_csv(request: AuthenticatedHttpRequest, period_pk: int) -> HttpResponse:
    period = _get_period_for_user(request, period_pk)
    content = exporting.csv_bytes(period)
    return _download(content, "text/csv; charset=utf-8", f"nilai-{_slug(period)}.csv")


def _slug(period: AssessmentPeriod) -> str:
    return f"kotan-{period.city.code}-{period.year}"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page(
    request: AuthenticatedHttpRequest, items: list[dict[str, object]], parameter: str
) -> Page:
    paginator = Paginator(items, ROWS_PER_PAGE)
    return paginator.get_page(request.GET.get(parameter))


@role_required(*IMPORT_ROLES)
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request, pk)
    context = {
        "batch": batch,
        "period": batch.period,
        "progress": importing.import_progress(batch),
        "errors_page": _page(request, batch.errors, "galat"),
        "rows_page": _page(request, batch.rows, "baris"),
        "hidden_errors": batch.counts.get("errors", 0) - len(batch.errors),
    }
    return render(request, "indicators/imports/import_detail.html", context)


@role_required(*IMPORT_ROLES)
def import_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request, pk)
    if not batch.is_running and request.htmx:
        # The job ended: reload the page, which now shows its outcome.
        return HttpResponseClientRefresh()
    return render(
        request,
        "indicators/imports/includes/_import_progress.html",
        {"batch": batch, "progress": importing.import_progress(batch)},
    )


@require_POST
@role_required(*IMPORT_ROLES)
def import_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request, pk)
    try:
        importing.import_batch_confirm(batch=batch, actor=request.user)
    except importing.ImportRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Impor dimulai. Halaman ini memperlihatkan kemajuannya."))
    return redirect("indicators:import-detail", pk=batch.pk)


@require_POST
@role_required(*IMPORT_ROLES)
def import_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request, pk)
    try:
        importing.import_batch_cancel(batch=batch, actor=request.user)
    except importing.ImportRefused as refused:
        messages.error(request, str(refused))
        return redirect("indicators:import-detail", pk=batch.pk)
    messages.success(request, _("Impor dibatalkan; berkasnya dihapus."))
    return redirect("indicators:import-upload", period_pk=batch.period_id)
