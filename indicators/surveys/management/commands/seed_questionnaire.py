"""Seed the default (design) survey questionnaire (DOMAIN.md §7)."""

from typing import Any

from django.core.management.base import BaseCommand

from indicators.surveys.services.questionnaires import questionnaire_seed


class Command(BaseCommand):
    help = "Isi kuesioner survei bawaan (design); aman dijalankan ulang."

    def handle(self, *args: Any, **options: Any) -> None:
        result = questionnaire_seed()
        self.stdout.write(
            f"Kuesioner {result.questionnaire}: "
            f"{'baru' if result.created else 'sudah ada'}; butir baru: {result.items_created}."
        )
