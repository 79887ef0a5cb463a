from django.urls import path

from indicators import import_views, views

app_name = "indicators"

urlpatterns = [
    path("", views.index, name="index"),
]

# Spreadsheet import and export (indicators/import_views.py).
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
