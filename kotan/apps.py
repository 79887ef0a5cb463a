from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KotanConfig(AppConfig):
    name = "kotan"
    verbose_name = _("Kota dan pengguna")
