from django.urls import path

from kotan.mfa import views

app_name = "mfa"
urlpatterns = [
    path("daftar/", views.enrol, name="enrol"),
    path("verifikasi/", views.verify, name="verify"),
    path("kode-pemulihan/", views.recovery_codes, name="recovery-codes"),
]
