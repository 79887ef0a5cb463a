from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indikator KOTAN")

    def ready(self) -> None:
        # Registers the app's named permissions (django-rules).
        from indicators.inbox import indicator_task_counts, indicator_tasks
        from kotan.inbox import register
        from kotan.lib.history import register_actions

        from . import permissions  # noqa: F401

        register_actions(
            {
                "value.form": _("Diisi lewat formulir"),
                "value.grid": _("Diisi lewat tabel kelurahan"),
                "value.import": _("Diimpor dari berkas"),
                "submission.draft": _("Kembali menjadi draf"),
                "submission.submitted": _("Diajukan"),
                "submission.returned": _("Dikembalikan"),
                "submission.approved": _("Disetujui"),
                "period.create": _("Periode dibuat"),
                "period.update": _("Periode diubah"),
                "period.open": _("Pengisian dibuka"),
                "period.closed": _("Pengisian ditutup"),
                "period.locked": _("Periode dikunci"),
                "import.upload": _("Berkas impor diunggah"),
                "import.confirm": _("Impor dikonfirmasi"),
                "import.cancel": _("Impor dibatalkan"),
                "import.done": _("Impor selesai"),
                "edition.create": _("Edisi dibuat"),
                "edition.update": _("Edisi diubah"),
                "variable.update": _("Variabel diubah"),
                "indicator.create": _("Indikator dibuat"),
                "indicator.update": _("Indikator diubah"),
                "indicator.retire": _("Indikator dipensiunkan"),
                "indicator.delete": _("Indikator dihapus"),
            }
        )
        register(indicator_tasks, indicator_task_counts)
