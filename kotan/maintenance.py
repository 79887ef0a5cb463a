"""Services that keep a deployment healthy: backups (and their restore) and the clean-up of
files under MEDIA_ROOT that no row references any more.

A backup is a folder `kotan-<UTC time>` in BACKUP_DIR holding a PostgreSQL dump in custom
format (`database.dump`), a tarball of MEDIA_ROOT (`media.tar.gz`) and `manifest.json` with
their sizes and SHA-256 checksums. It is written under a hidden name and renamed when
complete, so a folder with a manifest is always a whole backup.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import FileField
from django.utils import timezone

logger = logging.getLogger(__name__)

DUMP_NAME = "database.dump"
MEDIA_NAME = "media.tar.gz"
MANIFEST_NAME = "manifest.json"
BACKUP_PREFIX = "kotan-"
# Folders of MEDIA_ROOT whose files belong to rows (evidence of values and follow-up
# actions, rendered briefs); the clean-up looks nowhere else.
MEDIA_OWNED_FOLDERS = ("evidence", "meetings/evidence", "briefs")


class BackupError(Exception):
    """A backup that cannot be made, checked or restored; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _postgres_environ() -> dict[str, str]:
    """libpq's variables for the default database, for pg_dump and pg_restore."""
    if connection.vendor != "postgresql":
        raise BackupError("Backups need PostgreSQL (DATABASE_URL=postgres://…).")
    db = connection.settings_dict
    environ = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            environ[variable] = str(db[key])
    return environ


def _run(command: list[str], *, environ: dict[str, str]) -> None:
    result = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _file_entry(path: Path) -> dict[str, Any]:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}


def backup_create(*, target_dir: Path, keep: int, now: datetime | None = None) -> Path:
    """Write a backup into `target_dir` and delete all but the newest `keep`; returns its
    folder."""
    if keep < 1:
        raise BackupError("BACKUP_KEEP must be at least 1.")
    environ = _postgres_environ()
    created = (now or timezone.now()).astimezone(UTC)
    target_dir.mkdir(parents=True, exist_ok=True)
    name = f"{BACKUP_PREFIX}{created:%Y%m%dT%H%M%SZ}"
    suffix = 1
    while (target_dir / name).exists():
        suffix += 1
        name = f"{BACKUP_PREFIX}{created:%Y%m%dT%H%M%SZ}-{suffix}"
    partial = target_dir / f".{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        _run(["pg_dump", "--format=custom", f"--file={partial / DUMP_NAME}"], environ=environ)
        media_root = Path(settings.MEDIA_ROOT)
        media_files = 0
        with tarfile.open(partial / MEDIA_NAME, "w:gz") as tar:
            if media_root.is_dir():
                for path in sorted(media_root.rglob("*")):
                    if path.is_file():
                        tar.add(path, arcname=path.relative_to(media_root).as_posix())
                        media_files += 1
        manifest = {
            "format": 1,
            "created_at": created.isoformat(),
            "database": {**_file_entry(partial / DUMP_NAME), "name": environ["PGDATABASE"]},
            "media": {**_file_entry(partial / MEDIA_NAME), "files": media_files},
        }
        (partial / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
        final = target_dir / name
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    removed = backups_prune(target_dir=target_dir, keep=keep)
    logger.info(
        "backup %s written (%s media files); %s old backups removed",
        final,
        media_files,
        len(removed),
        extra={"backup": str(final), "removed": [str(p) for p in removed]},
    )
    return final


def backups_list(*, target_dir: Path) -> list[Path]:
    """Complete backups in `target_dir`, oldest first (their names sort by time)."""
    if not target_dir.is_dir():
        return []
    return sorted(
        path
        for path in target_dir.iterdir()
        if path.name.startswith(BACKUP_PREFIX) and (path / MANIFEST_NAME).is_file()
    )


def backups_prune(*, target_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns the deleted folders."""
    backups = backups_list(target_dir=target_dir)
    removed = backups[:-keep] if len(backups) > keep else []
    for path in removed:
        shutil.rmtree(path)
    return removed


def backup_verify(*, source: Path) -> dict[str, Any]:
    """The backup's manifest, once every file matches its size and checksum."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST_NAME).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source}: no readable {MANIFEST_NAME} ({exc})") from None
    for part in ("database", "media"):
        entry = manifest[part]
        path = source / entry["file"]
        if not path.is_file() or path.stat().st_size != entry["bytes"]:
            raise BackupError(f"{path}: missing or of the wrong size")
        if _sha256(path) != entry["sha256"]:
            raise BackupError(f"{path}: checksum does not match the manifest")
    return manifest


def backup_restore(*, source: Path) -> dict[str, Any]:
    """Restore a backup into the configured database and MEDIA_ROOT, both of which must be
    empty (a new database, a new media folder): a restore never merges into live data."""
    manifest = backup_verify(source=source)
    environ = _postgres_environ()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        (tables,) = cursor.fetchone() or (0,)
    if tables:
        raise BackupError(
            f"The database {environ['PGDATABASE']} is not empty ({tables} tables): "
            "restore into a new, empty database."
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(f"MEDIA_ROOT {media_root} is not empty: restore into an empty folder.")
    connection.close()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={environ['PGDATABASE']}",
            str(source / manifest["database"]["file"]),
        ],
        environ=environ,
    )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / manifest["media"]["file"], "r:gz") as tar:
        # The "data" filter refuses absolute paths, links out of the folder and devices.
        tar.extractall(media_root, filter="data")
    logger.info("backup %s restored", source, extra={"backup": str(source)})
    return manifest


def media_referenced_names() -> set[str]:
    """Every file name under MEDIA_ROOT that a row refers to: all FileFields of all models,
    and the earlier evidence names the audit trail keeps (replaced evidence stays on disk
    for the history)."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                names.update(
                    model._default_manager.exclude(**{field.attname: ""}).values_list(
                        field.attname, flat=True
                    )
                )
    from kotan.models import AuditEntry

    for changes in AuditEntry.objects.filter(changes__has_key="evidence").values_list(
        "changes", flat=True
    ):
        for value in changes.get("evidence") or []:
            if isinstance(value, str) and value:
                names.add(value)
    return names


def media_orphans_delete(*, grace: timedelta, now: datetime | None = None) -> list[str]:
    """Delete files under MEDIA_OWNED_FOLDERS that no row references and that are older than
    `grace` (a file being saved right now has no row yet); returns their names.

    Such files are evidence written for a save that was then refused (its transaction rolled
    back) and briefs whose row now points at a newer rendering."""
    media_root = Path(settings.MEDIA_ROOT)
    cutoff = ((now or timezone.now()) - grace).timestamp()
    referenced = media_referenced_names()
    deleted: list[str] = []
    for folder in MEDIA_OWNED_FOLDERS:
        base = media_root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            name = path.relative_to(media_root).as_posix()
            if name in referenced or path.stat().st_mtime > cutoff:
                continue
            path.unlink()
            deleted.append(name)
    if deleted:
        logger.info(
            "media clean-up: %s unreferenced files deleted",
            len(deleted),
            extra={"deleted": deleted[:100]},
        )
    return deleted
