from django.urls import path

from reports.views import briefs, dashboard, recommendations

app_name = "reports"

urlpatterns = [
    path("", dashboard.index, name="index"),
    path("dasbor/", dashboard.dashboard, name="dashboard"),
    path("dasbor/variabel/<str:code>/", dashboard.variable_detail, name="variable-detail"),
    path("dasbor/indikator/<str:code>/", dashboard.indicator_detail, name="indicator-detail"),
    path("bukti/<int:pk>/", dashboard.value_evidence, name="value-evidence"),
    path("nasional/", dashboard.national_scores, name="national-scores"),
    path("ringkasan/", briefs.brief_list, name="brief-list"),
    path("ringkasan/minta/", briefs.brief_request_view, name="brief-request"),
    path(
        "ringkasan/notulen/<int:meeting_pk>/",
        briefs.brief_request_minutes,
        name="brief-request-minutes",
    ),
    path("ringkasan/<int:pk>/", briefs.brief_detail, name="brief-detail"),
    path("ringkasan/<int:pk>/ulangi/", briefs.brief_retry_view, name="brief-retry"),
    path("ringkasan/<int:pk>/unduh/", briefs.brief_download, name="brief-download"),
    path("rekomendasi/", recommendations.recommendation_list, name="recommendation-list"),
    path(
        "rekomendasi/baru/",
        recommendations.recommendation_create_view,
        name="recommendation-create",
    ),
    path(
        "rekomendasi/<int:pk>/ubah/",
        recommendations.recommendation_edit,
        name="recommendation-edit",
    ),
]
