"""Faults, as production meets them: PostgreSQL stopped under a running worker and web
server, and Redis stopped under a running worker and beat (issue 9).

Each test starts servers of its own and never touches the shared ones: a PostgreSQL cluster
`15 faults` on port 5440 (pg_createcluster; dropped at the end) and a Redis on port 6390.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction
from django.test import Client

from indicators.models import ScoreRecomputeRequest
from indicators.scoring.recompute import scores_request_recompute
from kotan.celery import app
from tests.conftest import ROOT, START_TIMEOUT, wait_until
from tests.factories import make_approved_submission, make_brief, make_period
from tests.indicators.test_recompute import CITY_VALUES
from tests.indicators.test_tasks import city_snapshot

pytestmark = pytest.mark.worker

FAULTS_PORT = 5440
FAULTS_DSN = f"postgresql://postgres@127.0.0.1:{FAULTS_PORT}/kotan_faults"
WEB_PORT = 8111
REDIS_PORT = 6390
MAINTENANCE = "Layanan sedang tidak tersedia (503)"


# --- An own PostgreSQL cluster -------------------------------------------------------------


def _pg(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=120)


@dataclass
class Cluster:
    def stop(self) -> None:
        _pg("pg_ctlcluster", "15", "faults", "stop", "-m", "fast")

    def start(self) -> None:
        _pg("pg_ctlcluster", "15", "faults", "start")


@pytest.fixture
def faults_cluster() -> Iterator[Cluster]:
    subprocess.run(["pg_dropcluster", "--stop", "15", "faults"], capture_output=True)  # leftover
    _pg(
        "pg_createcluster", "15", "faults", "--port", str(FAULTS_PORT), "--start",
        "--", "--auth-local=trust", "--auth-host=trust",
    )  # fmt: skip
    try:
        yield Cluster()
    finally:
        subprocess.run(["pg_dropcluster", "--stop", "15", "faults"], capture_output=True)


def _copy_test_database_to(cluster: Cluster) -> None:
    """The test database as it is now (schema and committed rows) into the faults cluster."""
    db = connection.settings_dict
    _pg("createdb", "-h", "127.0.0.1", "-p", str(FAULTS_PORT), "-U", "postgres", "kotan_faults")
    dump = subprocess.run(
        ["pg_dump", "-Fc", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
         "-U", db["USER"] or "postgres", db["NAME"]],
        check=True, capture_output=True, timeout=120,
    ).stdout  # fmt: skip
    subprocess.run(
        ["pg_restore", "--no-owner", "-h", "127.0.0.1", "-p", str(FAULTS_PORT), "-U", "postgres",
         "-d", "kotan_faults"],
        input=dump, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def _faults_query(sql: str, *params: object) -> tuple | None:
    with psycopg.connect(FAULTS_DSN, connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchone()


def _brief_on_faults(pk: int) -> tuple[str, int] | None:
    try:
        row = _faults_query("SELECT status, attempts FROM reports_brief WHERE id = %s", pk)
    except psycopg.OperationalError:
        return None  # still starting
    return (row[0], row[1]) if row else None


# --- A web server -------------------------------------------------------------------------


@pytest.fixture
def web_server(tmp_path, media_root) -> Iterator[Callable[..., None]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> None:
        log = (tmp_path / "web.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "kotan.wsgi", "--bind", f"127.0.0.1:{WEB_PORT}",
             "--workers", "1", "--timeout", "60"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "DEBUG": "1", "MEDIA_ROOT": str(media_root), **env},
        )  # fmt: skip
        processes.append(process)
        deadline = time.monotonic() + START_TIMEOUT
        while _get("/healthz")[0] not in (200, 503):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start:\n" + (tmp_path / "web.log").read_text())
            time.sleep(0.3)

    yield start
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _get(path: str, session: str = "") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(f"http://127.0.0.1:{WEB_PORT}{path}")
    if session:
        request.add_header("Cookie", f"sessionid={session}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
    except OSError:
        return 0, {}, ""


def test_with_postgresql_down_pages_answer_503_and_a_brief_finishes_after_it(
    start_worker, web_server, faults_cluster, operator, kupang, framework
):
    period = make_period(city=kupang, year=2026)
    client = Client()
    client.force_login(operator)
    session = client.cookies["sessionid"].value
    # Requested before the outage (its message never sent: the worker's start-up sweep sends
    # it); the render waits 8 s after the claim, so PostgreSQL stops mid-render.
    brief = make_brief(period=period)
    _copy_test_database_to(faults_cluster)
    web_server(DATABASE_URL=FAULTS_DSN)
    assert _get("/", session)[0] == 200
    worker = start_worker(
        DATABASE_URL=FAULTS_DSN,
        KOTAN_BRIEF_RENDER_DELAY="8",
        KOTAN_BRIEF_LEASE="3",
        KOTAN_RETRY_BASE="1",
        KOTAN_RETRY_MAX="4",
    )
    wait_until(lambda: _brief_on_faults(brief.pk) == ("rendering", 1), timeout=60)

    faults_cluster.stop()
    for path in ("/", "/laporan/ringkasan/", f"/laporan/ringkasan/{brief.pk}/", "/indikator/"):
        status, headers, body = _get(path, session)
        assert (status, headers.get("Retry-After")) == (503, "30"), path
        assert MAINTENANCE in body
    assert _get("/healthz")[0] == 503
    # The worker meets the outage, retries, and stays up.
    wait_until(lambda: "interrupted: OperationalError" in worker.log(), timeout=60)
    assert worker.process.poll() is None

    faults_cluster.start()
    done = wait_until(lambda: (_brief_on_faults(brief.pk) or ("", 0))[0] == "done", timeout=60)
    assert done
    assert (_brief_on_faults(brief.pk) or ("", 0))[1] >= 2  # claimed again after the outage
    assert _get("/", session)[0] == 200
    assert worker.process.poll() is None


# --- An own Redis --------------------------------------------------------------------------


@dataclass
class Redis:
    directory: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{REDIS_PORT}/0"

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "yes", "--dir", str(self.directory),
             "--pidfile", str(self.pidfile)],
            check=True, capture_output=True,
        )  # fmt: skip
        wait_until(lambda: self._pid() is not None and self._answers(), timeout=30)

    def stop(self) -> None:
        """Abruptly, as a crash or a lost node: SIGKILL by the pid it wrote."""
        pid = self._pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not self._answers(), timeout=30)
        self.pidfile.unlink(missing_ok=True)

    @property
    def pidfile(self) -> Path:
        return self.directory / "redis.pid"

    def _pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False


@pytest.fixture
def own_redis(tmp_path) -> Iterator[Redis]:
    server = Redis(directory=tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_after_a_redis_outage_the_scores_are_fresh_within_two_minutes(
    start_worker, start_beat, own_redis, kupang, framework, monkeypatch
):
    env = {"REDIS_URL": own_redis.url, "KOTAN_SWEEP_INTERVAL": "5"}
    worker = start_worker(**env)
    beat = start_beat(**env)
    period = make_period(city=kupang)

    own_redis.stop()
    with monkeypatch.context() as broker:
        broker.setitem(app.conf, "broker_url", own_redis.url)
        with transaction.atomic():  # what approving does: values and the request together
            make_approved_submission(period=period, values=CITY_VALUES)
            scores_request_recompute(period=period)
    assert ScoreRecomputeRequest.objects.filter(period=period).exists()
    # Beat's sweep and the worker both meet the outage, and survive it.
    wait_until(lambda: "Connection refused" in beat.log(), timeout=60)
    wait_until(lambda: "Connection refused" in worker.log(), timeout=60)
    assert city_snapshot(period) is None

    own_redis.start()
    back = time.monotonic()
    wait_until(lambda: city_snapshot(period), timeout=120)
    assert time.monotonic() - back < 120
    wait_until(lambda: not ScoreRecomputeRequest.objects.filter(period=period).exists())
    assert worker.process.poll() is None and beat.process.poll() is None
