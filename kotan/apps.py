from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KotanConfig(AppConfig):
    name = "kotan"
    verbose_name = _("Kota dan pengguna")

    def ready(self) -> None:
        # Registers the app's named permissions (django-rules).
        from . import permissions  # noqa: F401
