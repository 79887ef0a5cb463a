"""Demo scores for a local trial: 2024 and 2025 periods with approved values and snapshots."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.services.demo import demo_scores_seed
from kotan.management.commands.load_city import KUPANG_CODE
from kotan.models import Region


class Command(BaseCommand):
    help = "Isi periode 2024 dan 2025 dengan data DEMO yang disetujui lalu hitung skornya."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--city-code", default=KUPANG_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            city = Region.objects.get(code=options["city_code"], level=Region.Level.KOTA)
        except Region.DoesNotExist:
            raise CommandError("Kota belum dimuat: jalankan 'manage.py load_city' dulu.") from None
        periods, result = demo_scores_seed(city=city)
        years = ", ".join(str(p.year) for p in periods)
        self.stdout.write(
            f"Periode demo {years}: {result.written} potret skor ditulis, "
            f"{result.unchanged} tidak berubah."
        )
