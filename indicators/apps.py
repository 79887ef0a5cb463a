from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indikator KOTAN")

    def ready(self) -> None:
        # Registers the app's named permissions (django-rules).
        from . import permissions  # noqa: F401
