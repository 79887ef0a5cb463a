"""`manage.py backup`: a PostgreSQL dump, a tarball of MEDIA_ROOT and a manifest with
checksums, into BACKUP_DIR; keeps the newest BACKUP_KEEP (see kotan.maintenance)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotan.maintenance import BackupError, backup_create


class Command(BaseCommand):
    help = "Cadangkan basis data dan berkas unggahan ke BACKUP_DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="Bawaan: BACKUP_DIR.")
        parser.add_argument("--keep", type=int, default=None, help="Bawaan: BACKUP_KEEP.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup_create(
                target_dir=options["dir"] or settings.BACKUP_DIR,
                keep=options["keep"] or settings.BACKUP_KEEP,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(path))
