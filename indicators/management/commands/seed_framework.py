"""Seed the KOTAN framework (editions, variables, catalogue) and a city's responsibilities."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from indicators.services.framework import framework_seed, responsibilities_assign
from kotan.management.commands.load_city import KUPANG_CODE
from kotan.models import Region


class Command(BaseCommand):
    help = "Isi edisi metodologi, variabel dan katalog indikator bawaan (aman dijalankan ulang)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--city-code", default=KUPANG_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        result = framework_seed()
        city = Region.objects.filter(code=options["city_code"], level=Region.Level.KOTA).first()
        links = responsibilities_assign(city=city) if city else 0
        self.stdout.write(
            f"Edisi baru: {result.editions_created}; indikator baru: {result.indicators_created}; "
            f"penugasan pemangku kepentingan baru: {links}."
        )
