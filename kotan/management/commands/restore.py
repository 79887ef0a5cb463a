"""`manage.py restore BACKUP`: restore a backup folder written by `manage.py backup` into an
empty database (DATABASE_URL) and an empty MEDIA_ROOT, after checking its checksums."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotan.maintenance import BackupError, backup_restore


class Command(BaseCommand):
    help = "Pulihkan cadangan ke basis data dan folder unggahan yang masih kosong."
    # The database is empty until the restore: checks that query it cannot run before.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="Folder kotan-… di BACKUP_DIR.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(source=options["backup"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Dipulihkan: cadangan {manifest['created_at']}, "
            f"{manifest['media']['files']} berkas unggahan."
        )
