"""Count the score tallies (models.ValueTally) afresh from the approved values."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from indicators.models import ValueTally
from indicators.scoring.recompute import tallies_rebuild


class Command(BaseCommand):
    help = (
        "Hitung ulang penjumlahan nilai untuk skor (ValueTally) dari nilai yang disetujui. "
        "Perlu setelah data dimuat dengan trigger PostgreSQL dimatikan; aman dijalankan ulang."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite tidak menyimpan penjumlahan: tidak ada yang dihitung ulang.")
            return
        tallies_rebuild()
        self.stdout.write(f"Penjumlahan dihitung ulang: {ValueTally.objects.count()} baris.")
