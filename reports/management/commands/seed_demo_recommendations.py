"""Seed a few demo recommendations for a city (default Kota Kupang); safe to run again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotan.management.commands.load_city import KUPANG_CODE
from kotan.models import Region
from reports.services.recommendations import recommendations_seed_demo


class Command(BaseCommand):
    help = "Isi pustaka rekomendasi dengan contoh untuk Kota Kupang (aman dijalankan ulang)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--city-code", default=KUPANG_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        city = Region.objects.filter(code=options["city_code"], level=Region.Level.KOTA).first()
        if city is None:
            raise CommandError("Kota belum dimuat: jalankan 'manage.py load_city' dulu.")
        created = recommendations_seed_demo(city=city)
        self.stdout.write(f"Rekomendasi contoh baru: {created}.")
