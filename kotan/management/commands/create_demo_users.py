"""Create demo users for every role in one city and print their passwords once."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotan.models import Region
from kotan.services import demo_password, demo_users_ensure

from .load_city import KUPANG_CODE


class Command(BaseCommand):
    help = "Buat pengguna DEMO untuk setiap peran (hanya untuk uji coba lokal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--city-code", default=KUPANG_CODE)
        parser.add_argument(
            "--allow-production", action="store_true", help="Izinkan walau DEBUG mati."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("Pengguna demo hanya dibuat bila DEBUG=1 (atau --allow-production).")
        try:
            city = Region.objects.get(code=options["city_code"], level=Region.Level.KOTA)
        except Region.DoesNotExist:
            raise CommandError("Kota belum dimuat: jalankan 'manage.py load_city' dulu.") from None
        created = demo_users_ensure(city=city)
        if not created:
            self.stdout.write("Pengguna demo sudah ada; kata sandinya tidak diubah.")
            return
        self.stdout.write(
            self.style.WARNING("== AKUN DEMO (hanya untuk uji coba, bukan produksi) ==")
        )
        for demo in created:
            self.stdout.write(
                f"  {demo.role:<12} {demo.username:<12} kata sandi: {demo_password(demo.username)}"
            )
