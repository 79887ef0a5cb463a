from django.urls import path

from indicators.views import entry, framework, periods, progress, review
from indicators.views import imports as import_views

app_name = "indicators"

urlpatterns = [
    path("", periods.index, name="index"),
    # The framework (Admin Pusat edits, a city's Admin assigns; everyone reads).
    path("kerangka/", framework.framework_overview, name="framework"),
    path("kerangka/edisi/baru/", framework.edition_create, name="edition-create"),
    path("kerangka/edisi/<int:pk>/", framework.edition_edit, name="edition-edit"),
    path("kerangka/variabel/<int:pk>/", framework.variable_edit, name="variable-edit"),
    path("kerangka/indikator/baru/", framework.indicator_create, name="indicator-create"),
    path("kerangka/indikator/<int:pk>/", framework.indicator_edit, name="indicator-edit"),
    path(
        "kerangka/indikator/<int:pk>/pensiun/",
        framework.indicator_retire_view,
        name="indicator-retire",
    ),
    path(
        "kerangka/indikator/<int:pk>/penanggung-jawab/",
        framework.indicator_assign_view,
        name="indicator-assign",
    ),
    path(
        "kerangka/indikator/<int:pk>/hapus/",
        framework.indicator_delete_view,
        name="indicator-delete",
    ),
    # Periods and data entry.
    path("periode/baru/", periods.period_create_view, name="period-create"),
    path("periode/<int:pk>/", periods.period_detail, name="period-detail"),
    path("periode/<int:pk>/ubah/", periods.period_edit, name="period-edit"),
    path("periode/<int:pk>/status/", periods.period_status, name="period-status"),
    path("periode/<int:pk>/kota/", entry.entry_city, name="entry-city"),
    path("periode/<int:pk>/kelurahan/<str:code>/", entry.entry_kelurahan, name="entry-kelurahan"),
    path(
        "periode/<int:pk>/pemangku/<int:stakeholder>/",
        entry.entry_stakeholder,
        name="entry-stakeholder",
    ),
    path("periode/<int:pk>/grid-kelurahan/", progress.kelurahan_grid, name="kelurahan-grid"),
    path("periode/<int:pk>/kelengkapan/", progress.completeness, name="completeness"),
    path("pengajuan/<int:pk>/setujui/", entry.submission_approve_view, name="submission-approve"),
    path("pengajuan/<int:pk>/kembalikan/", entry.submission_return_view, name="submission-return"),
    path("pengajuan/<int:pk>/buka/", entry.submission_reopen_view, name="submission-reopen"),
    path("bukti/<int:pk>/", entry.evidence_download, name="evidence"),
    # The verifier's queue.
    path("verifikasi/", review.review_queue, name="review-queue"),
    path("verifikasi/setujui/", review.review_bulk_approve, name="review-bulk-approve"),
    path("verifikasi/<int:pk>/", review.review_detail, name="review-detail"),
    path("verifikasi/<int:pk>/putuskan/", review.review_decide, name="review-decide"),
]

# Spreadsheet import and export (indicators/views/imports.py).
urlpatterns += [
    path("impor-ekspor/", import_views.import_periods, name="import-periods"),
    path("periode/<int:period_pk>/impor/", import_views.import_upload, name="import-upload"),
    path(
        "periode/<int:period_pk>/impor/templat.xlsx",
        import_views.import_template,
        name="import-template",
    ),
    path("periode/<int:period_pk>/ekspor.xlsx", import_views.export_xlsx, name="export-xlsx"),
    path("periode/<int:period_pk>/ekspor.csv", import_views.export_csv, name="export-csv"),
    path("impor/<int:pk>/", import_views.import_detail, name="import-detail"),
    path("impor/<int:pk>/progres/", import_views.import_progress, name="import-progress"),
    path("impor/<int:pk>/konfirmasi/", import_views.import_confirm, name="import-confirm"),
    path("impor/<int:pk>/batal/", import_views.import_cancel, name="import-cancel"),
]
