from django.urls import path

from reports import views, views_briefs, views_recommendations

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("dasbor/", views.dashboard, name="dashboard"),
    path("dasbor/variabel/<str:code>/", views.variable_detail, name="variable-detail"),
    path("dasbor/indikator/<str:code>/", views.indicator_detail, name="indicator-detail"),
    path("bukti/<int:pk>/", views.value_evidence, name="value-evidence"),
    path("ringkasan/", views_briefs.brief_list, name="brief-list"),
    path("ringkasan/minta/", views_briefs.brief_request_view, name="brief-request"),
    path(
        "ringkasan/notulen/<int:meeting_pk>/",
        views_briefs.brief_request_minutes,
        name="brief-request-minutes",
    ),
    path("ringkasan/<int:pk>/", views_briefs.brief_detail, name="brief-detail"),
    path("ringkasan/<int:pk>/ulangi/", views_briefs.brief_retry_view, name="brief-retry"),
    path("ringkasan/<int:pk>/unduh/", views_briefs.brief_download, name="brief-download"),
    path("rekomendasi/", views_recommendations.recommendation_list, name="recommendation-list"),
    path(
        "rekomendasi/baru/",
        views_recommendations.recommendation_create_view,
        name="recommendation-create",
    ),
    path(
        "rekomendasi/<int:pk>/ubah/",
        views_recommendations.recommendation_edit,
        name="recommendation-edit",
    ),
]
