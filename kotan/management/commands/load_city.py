"""Load a city's regions and stakeholders. Safe to run again: rows are keyed by code."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotan.models import Region
from kotan.services import DATA_DIR, regions_load_csv, stakeholders_load_csv

KUPANG_CODE = "53.71"


class Command(BaseCommand):
    help = "Muat wilayah (Kemendagri) dan pemangku kepentingan sebuah kota. Default: Kota Kupang."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--regions", type=Path, default=DATA_DIR / "wilayah_kota_kupang.csv")
        parser.add_argument(
            "--stakeholders", type=Path, default=DATA_DIR / "pemangku_kepentingan_kota_kupang.csv"
        )
        parser.add_argument("--city-code", default=KUPANG_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            regions = regions_load_csv(path=options["regions"])
            city = Region.objects.get(code=options["city_code"], level=Region.Level.KOTA)
            stakeholders = stakeholders_load_csv(path=options["stakeholders"], city=city)
        except (OSError, ValueError, KeyError, Region.DoesNotExist) as error:
            raise CommandError(f"Gagal memuat data kota: {error}") from error
        self.stdout.write(
            f"{city.name}: wilayah {regions.created} baru, {regions.updated} diperbarui; "
            f"pemangku kepentingan {stakeholders.created} baru, {stakeholders.updated} diperbarui."
        )
