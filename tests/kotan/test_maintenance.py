"""Backups (the restore drill), their retention and checks, and the media clean-up."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, transaction

from indicators.models import Indicator, IndicatorValue
from kotan.maintenance import (
    BackupError,
    backup_create,
    backup_verify,
    backups_list,
    media_orphans_delete,
)
from kotan.models import AuditEntry
from kotan.tasks import backup_nightly_task, media_orphans_delete_task
from reports.models import Brief
from reports.services.briefs import brief_render
from tests.factories import (
    PDF_BYTES,
    make_action,
    make_brief,
    make_evidence,
    make_open_period,
    make_value,
    make_values,
)

ROOT = Path(__file__).resolve().parents[2]


def _table_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def drill_database_url():
    """An empty database of the drill's own, dropped afterwards."""
    base = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    name = connection.settings_dict["NAME"] + "_drill"
    admin = base._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base._replace(path="/" + name).geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore(backup: Path, *, database_url: str, media_root: Path):
    environ = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "DEBUG": "1",
    }
    environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_backup_restore_drill_brings_back_every_row_and_the_briefs_file(
    transactional_db,
    framework,
    kupang,
    kesbangpol,
    operator,
    settings,
    tmp_path,
    drill_database_url,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Data of every kind: values (one with evidence), follow-up evidence, a rendered brief.
    period = make_open_period(city=kupang)
    submission = make_values(
        period=period, level=Indicator.Level.KOTA, region=kupang, values={"HK1": 3}
    )
    make_value(submission=submission, code="KW1", value=40, evidence=PDF_BYTES)
    make_evidence(make_action(city=kupang, owner=kesbangpol))
    brief = make_brief(period=period, requested_by=operator)
    brief_render(brief_id=brief.pk)
    brief.refresh_from_db()
    assert brief.status == Brief.Status.DONE
    with connection.cursor() as cursor:
        before = _table_counts(cursor)
    assert before["indicators_indicatorvalue"] == 2 and before["reports_brief"] == 1

    backup = backup_create(target_dir=tmp_path / "backups", keep=3)

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["media"]["files"] == 3
    restored_media = tmp_path / "restored-media"
    result = _restore(backup, database_url=drill_database_url, media_root=restored_media)
    assert result.returncode == 0, result.stdout + result.stderr
    with psycopg.connect(drill_database_url) as conn, conn.cursor() as cursor:
        assert _table_counts(cursor) == before
        cursor.execute("SELECT sha256, file FROM reports_brief WHERE id = %s", [brief.pk])
        row = cursor.fetchone()
    assert row is not None
    sha256, name = row
    restored = (restored_media / name).read_bytes()
    assert hashlib.sha256(restored).hexdigest() == sha256 == brief.sha256
    evidence = IndicatorValue.objects.exclude(evidence="").get()
    assert (restored_media / evidence.evidence.name).read_bytes() == PDF_BYTES

    # A restore never merges into live data: the database is no longer empty.
    again = _restore(backup, database_url=drill_database_url, media_root=tmp_path / "other")
    assert again.returncode != 0
    assert "not empty" in again.stderr


def test_a_backup_whose_file_changed_fails_its_check(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "briefs").mkdir(parents=True)
    (tmp_path / "media" / "briefs" / "a.pdf").write_bytes(PDF_BYTES)
    backup = backup_create(target_dir=tmp_path / "backups", keep=1)
    assert backup_verify(source=backup)["media"]["files"] == 1
    copy = tmp_path / "copy"
    shutil.copytree(backup, copy)
    dump = copy / "database.dump"
    data = bytearray(dump.read_bytes())
    data[-1] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="checksum"):
        backup_verify(source=copy)


def test_the_nightly_backup_keeps_the_newest_backup_keep(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEEP = 2
    written = [Path(backup_nightly_task()) for _ in range(3)]
    assert backups_list(target_dir=settings.BACKUP_DIR) == written[1:]
    assert not written[0].exists()
    # No half-written folder is left behind.
    assert sorted(p.name for p in settings.BACKUP_DIR.iterdir()) == sorted(
        p.name for p in written[1:]
    )


# --- media clean-up -------------------------------------------------------------------------


def _age(path: Path, *, hours: float) -> None:
    stamp = time.time() - hours * 3600
    os.utime(path, (stamp, stamp))


def test_the_clean_up_deletes_only_old_files_no_row_references(
    db, framework, kupang, kesbangpol, operator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    media = Path(settings.MEDIA_ROOT)
    period = make_open_period(city=kupang)
    submission = make_values(
        period=period, level=Indicator.Level.KOTA, region=kupang, values={"HK1": 3}
    )
    kept_value = make_value(submission=submission, code="KW1", value=40, evidence=PDF_BYTES)
    follow_up = make_evidence(make_action(city=kupang, owner=kesbangpol))

    # Evidence written for a save that was then refused: the row was rolled back, the file not.
    refused = IndicatorValue(
        submission=submission, indicator=Indicator.objects.get(code="KW2"), value=1
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        refused.evidence.save("KW2.pdf", ContentFile(PDF_BYTES), save=True)
        raise RuntimeError("refused")
    assert not IndicatorValue.objects.filter(indicator__code="KW2").exists()
    refused_file = media / refused.evidence.name
    assert refused_file.exists()

    # A brief rendered again: its row points at the newer file.
    brief = make_brief(period=period, status=Brief.Status.DONE)
    superseded = media / brief.file.name
    brief.file.save("newer.pdf", ContentFile(b"%PDF-1.7\n% newer\n"), save=True)

    # Evidence replaced by a newer one: the audit trail still names the old file.
    replaced = media / "evidence" / str(period.pk) / str(submission.pk) / "old.pdf"
    replaced.write_bytes(PDF_BYTES)
    AuditEntry.objects.create(
        city=kupang,
        actor=operator,
        content_type=ContentType.objects.get_for_model(IndicatorValue),
        object_pk=str(kept_value.pk),
        object_repr="KW1",
        action="value.form",
        changes={"evidence": [replaced.relative_to(media).as_posix(), kept_value.evidence.name]},
    )
    # Outside the folders that belong to rows.
    other = media / "imports" / "x.csv"
    other.parent.mkdir(parents=True)
    other.write_text("a,b\n")
    recent_orphan = media / "briefs" / "just-written.pdf"
    recent_orphan.write_bytes(PDF_BYTES)

    for path in media.rglob("*"):
        if path.is_file() and path != recent_orphan:
            _age(path, hours=30)

    deleted = media_orphans_delete(grace=timedelta(hours=24))

    assert sorted(deleted) == sorted(
        p.relative_to(media).as_posix() for p in (refused_file, superseded)
    )
    assert not refused_file.exists() and not superseded.exists()
    for kept in (
        media / kept_value.evidence.name,
        media / follow_up.file.name,
        media / brief.file.name,
        replaced,
        other,
        recent_orphan,
    ):
        assert kept.exists(), kept


def test_the_nightly_clean_up_task_uses_the_grace_period(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    orphan = tmp_path / "media" / "evidence" / "1" / "1" / "lost.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(PDF_BYTES)
    settings.MEDIA_ORPHAN_GRACE_HOURS = 24
    _age(orphan, hours=23)
    assert media_orphans_delete_task() == 0 and orphan.exists()
    _age(orphan, hours=25)
    assert media_orphans_delete_task() == 1 and not orphan.exists()
