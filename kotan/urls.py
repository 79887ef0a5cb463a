from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from kotan import views

kotan_patterns = [
    path("", views.home, name="home"),
    path("wilayah/", views.region_list, name="region-list"),
    path("wilayah/<str:code>/", views.region_detail, name="region-detail"),
    path("pemangku/", views.stakeholder_list, name="stakeholder-list"),
    path("pemangku/<int:pk>/", views.stakeholder_detail, name="stakeholder-detail"),
    path("pemberitahuan/", views.notification_list, name="notification-list"),
    path("pemberitahuan/<int:pk>/baca/", views.notification_read, name="notification-read"),
    path("pemberitahuan/baca-semua/", views.notification_read_all, name="notification-read-all"),
    path("pemberitahuan/pengaturan/", views.notification_settings, name="notification-settings"),
]

urlpatterns = [
    path("", include((kotan_patterns, "kotan"))),
    path("akun/mfa/", include("kotan.mfa.urls")),
    path("akun/", include("django.contrib.auth.urls")),
    path("bahasa/", set_language, name="set-language"),
    path("healthz", views.healthz, name="healthz"),
    path("indikator/", include("indicators.urls")),
    path("survei/", include("indicators.surveys.urls")),
    path("rapat/", include("meetings.urls")),
    path("laporan/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

# A database outage outside a view is a 503 maintenance page, not a 500 (kotan.middleware).
handler500 = "kotan.views.server_error"
