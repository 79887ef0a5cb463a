"""Fixtures of the indicators tests: a seeded framework and an open period; for the
spreadsheet import, Celery tasks run in-process, and a real Celery worker process for the
tests marked `worker`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from kotan.celery import app as celery_app
from tests.factories import make_open_period, seed_framework_for

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def framework(kupang):
    seed_framework_for(kupang)


@pytest.fixture
def period(kupang, framework):
    return make_open_period(city=kupang)


@pytest.fixture
def celery_eager():
    """Tasks run in-process when enqueued (at the commit of the enqueuing transaction)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, media_root):
    """`celery -A kotan worker` against the test database and this session's Redis db.

    Skipped without REDIS_URL (then settings run tasks eagerly and there is no broker)."""
    if not django_settings.REDIS_URL:
        pytest.skip("a real worker needs REDIS_URL")
    database = connection.settings_dict  # NAME is the test database's by now
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or ''}"
            f":{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "MEDIA_ROOT": str(media_root),
        "DEBUG": "1",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "kotan",
            "worker",
            "--pool=solo",
            "--purge",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_until_ready(process)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_until_ready(process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    for line in process.stdout:
        if " ready." in line:
            # Keep draining the output so that the worker never blocks on a full pipe.
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return
        if time.monotonic() > deadline:
            break
    process.kill()
    raise RuntimeError("the Celery worker did not start")
