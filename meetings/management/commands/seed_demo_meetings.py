"""Record the demo rakor of 18 November 2021 (safe to run again)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.models import Variable
from kotan.management.commands.load_city import KUPANG_CODE
from kotan.models import Region
from meetings.services.demo import demo_meetings_seed


class Command(BaseCommand):
    help = "Catat rakor KOTAN 18 November 2021 beserta keputusan dan tindak lanjutnya (demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--city-code", default=KUPANG_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        city = Region.objects.filter(code=options["city_code"], level=Region.Level.KOTA).first()
        if city is None:
            raise CommandError("Kota belum dimuat: jalankan 'manage.py load_city' dulu.")
        if not Variable.objects.exists():
            raise CommandError("Variabel belum ada: jalankan 'manage.py seed_framework' dulu.")
        if demo_meetings_seed(city=city):
            self.stdout.write("Rakor demo 18 November 2021 dicatat.")
        else:
            self.stdout.write("Rakor demo sudah ada; tidak ada yang diubah.")
