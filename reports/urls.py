from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("dasbor/", views.dashboard, name="dashboard"),
    path("dasbor/variabel/<str:code>/", views.variable_detail, name="variable-detail"),
    path("dasbor/indikator/<str:code>/", views.indicator_detail, name="indicator-detail"),
    path("bukti/<int:pk>/", views.value_evidence, name="value-evidence"),
]
