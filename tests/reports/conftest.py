"""Fixtures for the reports tests: the framework seeded for Kupang, a period, and real
Celery worker processes on pytest-django's test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from indicators.services.framework import framework_seed, responsibilities_assign
from tests.factories import make_period

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def framework(kupang) -> None:
    framework_seed()
    responsibilities_assign(city=kupang)


@pytest.fixture
def period(kupang, framework):
    return make_period(city=kupang, year=2026)


def wait_until(predicate: Callable[[], object], *, timeout: float = 30, interval: float = 0.2):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")


def _test_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: the worker dies without acknowledging its task (a crash, an OOM kill)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def start_worker(transactional_db, settings, tmp_path) -> Iterator[Callable[..., Worker]]:
    """Start real `celery -A kotan worker` processes (solo pool) on the test database, the
    test's MEDIA_ROOT and REDIS_URL; `start_worker(KOTAN_BRIEF_RENDER_DELAY="3")` passes
    environment overrides. Every worker is stopped at teardown, before the database is
    flushed."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.fail("Worker tests need REDIS_URL (make test sets it)")
    workers: list[Worker] = []

    def start(*, purge: bool = True, **overrides: str) -> Worker:
        n = len(workers) + 1
        log_path = tmp_path / f"worker-{n}.log"
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DEBUG": "1",
            **overrides,
        }
        args = [
            sys.executable, "-m", "celery", "-A", "kotan", "worker",
            "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--hostname", f"briefs-{os.getpid()}-{n}@%h",
        ]  # fmt: skip
        if purge:
            # Drop tasks that earlier tests queued with no worker to run them.
            args.append("--purge")
        with log_path.open("w") as log:
            process = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        worker = Worker(process=process, log_path=log_path)
        workers.append(worker)
        deadline = time.monotonic() + 60
        while "ready." not in worker.log():
            if process.poll() is not None or time.monotonic() > deadline:
                worker.stop()
                pytest.fail("Celery worker did not start:\n" + worker.log()[-3000:])
            time.sleep(0.2)
        return worker

    yield start
    for worker in workers:
        worker.stop()
