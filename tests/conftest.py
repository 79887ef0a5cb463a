"""Persona fixtures for every role (DOMAIN.md §5), officers of two more organisations and a
user of another city."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client

from kotan.mfa.services import mfa_required
from kotan.models import Region, Stakeholder, User
from tests.factories import (
    PASSWORD,
    load_kupang,
    make_city,
    make_totp_device,
    make_user,
    seed_framework_for,
    totp_code,
)
from tests.matrix import PERSONAS

ROOT = Path(__file__).resolve().parent.parent

# Every persona of the permission matrix (tests/matrix.py describes them).
ROLES = PERSONAS


@pytest.fixture(autouse=True)
def _fast_passwords_and_local_mail(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    """One directory for the session, so a Celery worker process sees the same files."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, media_root):
    # Uploads (evidence, imports, briefs) never go into var/.
    settings.MEDIA_ROOT = media_root


@pytest.fixture
def kupang(db) -> Region:
    return load_kupang()


@pytest.fixture
def other_city(db) -> Region:
    return make_city()


@pytest.fixture
def kesbangpol(kupang) -> Stakeholder:
    return Stakeholder.objects.get(city=kupang, code="kesbangpol")


@pytest.fixture
def admin_user(kupang) -> User:
    user = make_user(username="admin-kupang", city=kupang, role=User.Role.ADMIN, is_staff=True)
    make_totp_device(user)  # Admin must log in in two steps (kotan.mfa)
    return user


@pytest.fixture
def operator(kupang) -> User:
    return make_user(username="operator-kupang", city=kupang, role=User.Role.OPERATOR)


@pytest.fixture
def verifier(kupang) -> User:
    user = make_user(username="verifikator-kupang", city=kupang, role=User.Role.VERIFIKATOR)
    make_totp_device(user)  # Verifikator must log in in two steps (kotan.mfa)
    return user


@pytest.fixture
def pimpinan(kupang) -> User:
    return make_user(username="wawali-kupang", city=kupang, role=User.Role.PIMPINAN)


@pytest.fixture
def stakeholder_officer(kupang, kesbangpol) -> User:
    return make_user(
        username="petugas-kesbangpol", city=kupang, role=User.Role.PEMANGKU, stakeholder=kesbangpol
    )


@pytest.fixture
def bappeda(kupang) -> Stakeholder:
    return Stakeholder.objects.get(city=kupang, code="bappeda")


@pytest.fixture
def dinkes(kupang) -> Stakeholder:
    return Stakeholder.objects.get(city=kupang, code="dinkes")


@pytest.fixture
def other_officer(kupang, bappeda) -> User:
    """An officer of a second organisation of the same city."""
    return make_user(
        username="petugas-bappeda", city=kupang, role=User.Role.PEMANGKU, stakeholder=bappeda
    )


@pytest.fixture
def uninvited_officer(kupang, dinkes) -> User:
    """An officer of an organisation the matrix's meetings do not invite."""
    return make_user(
        username="petugas-dinkes", city=kupang, role=User.Role.PEMANGKU, stakeholder=dinkes
    )


@pytest.fixture
def admin_pusat(db) -> User:
    """BNN RI's methodology staff: national, no city; staff for the Django admin."""
    user = make_user(username="admin-pusat", city=None, role=User.Role.ADMIN_PUSAT, is_staff=True)
    make_totp_device(user)  # Admin Pusat must log in in two steps (kotan.mfa)
    return user


@pytest.fixture
def other_city_operator(other_city) -> User:
    return make_user(username="operator-kediri", city=other_city, role=User.Role.OPERATOR)


@dataclass
class Personas:
    """Every persona of the permission matrix, logged-in clients included."""

    city: Region
    users: dict[str, User | None]

    def client(self, role: str) -> Client:
        client = Client()
        user = self.users[role]
        if user is not None:
            login(client, user)
        return client


@pytest.fixture
def personas(
    kupang,
    admin_user,
    operator,
    verifier,
    pimpinan,
    stakeholder_officer,
    other_officer,
    uninvited_officer,
    other_city_operator,
    admin_pusat,
) -> Personas:
    return Personas(
        city=kupang,
        users={
            "anonymous": None,
            "admin": admin_user,
            "operator": operator,
            "verifikator": verifier,
            "pimpinan": pimpinan,
            "pemangku": stakeholder_officer,
            "pemangku_other": other_officer,
            "pemangku_uninvited": uninvited_officer,
            "other_city": other_city_operator,
            "admin_pusat": admin_pusat,
        },
    )


def login(client: Client, user: User) -> Client:
    """Log `user` in; a role that needs two-step login also passes its second step, with its
    authenticator app (one is made for a user without one), as after `mfa:verify`."""
    client.force_login(user)
    if mfa_required(user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = (device or make_totp_device(user)).persistent_id
        session.save()
    return client


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (its own browser downloads cannot work here)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
    # from such a thread unless told it is safe, which it is in tests.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="id-ID", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    # Playwright's sync API runs the test in its own greenlet, which holds its own database
    # connection; close it, or the test database cannot be dropped at the end.
    connections.close_all()


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page; a user with an authenticator app then types its code."""
    page.goto("/akun/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    browser_second_step(page, username)
    page.wait_for_url("**/")


def browser_second_step(page, username: str) -> None:
    """After the password: a user with an authenticator app types its current code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:
        page.wait_for_url("**/akun/mfa/verifikasi/**")
        page.get_by_role("textbox", name="Kode").fill(totp_code(device))
        page.get_by_role("button", name="Verifikasi").click()
        page.wait_for_url(lambda url: "/akun/mfa/" not in url)


# --- The framework and real Celery workers -----------------------------------------------


@pytest.fixture
def celery_eager():
    """Tasks run in-process when enqueued (at the commit of the enqueuing transaction)."""
    from kotan.celery import app as celery_app

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def framework(kupang) -> None:
    """Editions, variables, the default catalogue (DOMAIN.md §3–4) and the organisations
    responsible for each indicator in Kupang."""
    seed_framework_for(kupang)


def _test_database_url() -> str:
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    """A real `celery -A kotan worker` (solo pool) or `beat` process on pytest-django's test
    database."""

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


# Starting a process that imports Django and Celery takes 3 s on a quiet machine and more
# than 30 s on a loaded 2-core one; only a process that never starts fails the test.
START_TIMEOUT = 180


def _launch_celery(
    args: list[str],
    *,
    log_path: Path,
    media_root: Path,
    ready: Callable[[str], bool],
    overrides: dict[str, str],
    command: list[str] | None = None,
) -> Worker:
    """Start `celery -A kotan <args>`, or `command` (e.g. the image's .ci/start), and wait
    until `ready(log)`."""
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.fail("Worker tests need REDIS_URL (make test sets it)")
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(media_root),
        "DEBUG": "1",
        # .ci/start runs `celery` from PATH, as in the image.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        **overrides,
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command or [sys.executable, "-m", "celery", "-A", "kotan", *args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    worker = Worker(process=process, log_path=log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while not ready(worker.log()):
        if process.poll() is not None or time.monotonic() > deadline:
            worker.stop()
            pytest.fail(f"celery {args[0]} did not start:\n" + worker.log()[-3000:])
        time.sleep(0.2)
    return worker


def launch_worker(
    *, log_path: Path, media_root: Path, hostname: str, purge: bool = True, **overrides: str
) -> Worker:
    """Start a worker with this session's REDIS_URL and wait until it is ready. Tests using
    one need `transactional_db`: the worker only sees committed rows."""
    args = [
        "worker", "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle",
        "--without-heartbeat", "--hostname", f"{hostname}-{os.getpid()}@%h",
    ]  # fmt: skip
    if purge:
        # Drop tasks that earlier tests queued with no worker to run them.
        args.append("--purge")
    return _launch_celery(
        args, log_path=log_path, media_root=media_root, ready=_swept, overrides=overrides
    )


def _swept(log: str) -> bool:
    """Ready, and done with the sweeps a worker queues when it starts (reports.tasks,
    indicators.tasks): a test's own data then meets only the tasks it sends."""
    return "ready." in log and all(
        re.search(rf"{task}\[[^\]]+\] (succeeded|raised)", log)
        for task in ("reports.tasks.briefs_sweep_task", "indicators.tasks.recompute_pending")
    )


def launch_beat(*, log_path: Path, media_root: Path, **overrides: str) -> Worker:
    """Beat exactly as docker-compose.yml starts it (`.ci/start beat`), with its schedule
    file in the test's directory."""
    return _launch_celery(
        ["beat"],
        log_path=log_path,
        media_root=media_root,
        ready=lambda log: "beat: Starting" in log,
        overrides={
            "CELERY_BEAT_SCHEDULE_FILE": str(log_path.with_suffix(".schedule")),
            **overrides,
        },
        command=[str(ROOT / ".ci" / "start"), "beat"],
    )


def launch_production_worker(*, log_path: Path, media_root: Path, **overrides: str) -> Worker:
    """A worker exactly as docker-compose.yml starts it (`.ci/start worker`: prefork pool,
    two processes), waiting for its start-up sweeps like launch_worker."""
    return _launch_celery(
        ["worker"],
        log_path=log_path,
        media_root=media_root,
        ready=_swept,
        overrides=overrides,
        command=[str(ROOT / ".ci" / "start"), "worker"],
    )


@pytest.fixture
def start_worker(transactional_db, media_root, tmp_path) -> Iterator[Callable[..., Worker]]:
    """Start workers of the test's own: `start_worker(KOTAN_BRIEF_RENDER_DELAY="3")` passes
    environment overrides. Every worker is stopped at teardown, before the database is
    flushed."""
    workers: list[Worker] = []

    def start(*, purge: bool = True, production: bool = False, **overrides: str) -> Worker:
        log_path = tmp_path / f"worker-{len(workers) + 1}.log"
        if production:  # `.ci/start worker`, as the image runs it (it never purges)
            worker = launch_production_worker(log_path=log_path, media_root=media_root, **overrides)
        else:
            worker = launch_worker(
                log_path=log_path,
                media_root=media_root,
                hostname=f"test-{len(workers) + 1}",
                purge=purge,
                **overrides,
            )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def start_beat(transactional_db, media_root, tmp_path) -> Iterator[Callable[..., Worker]]:
    """Start `celery -A kotan beat` (environment overrides as for start_worker); stopped at
    teardown."""
    beats: list[Worker] = []

    def start(**overrides: str) -> Worker:
        beat = launch_beat(
            log_path=tmp_path / f"beat-{len(beats) + 1}.log", media_root=media_root, **overrides
        )
        beats.append(beat)
        return beat

    yield start
    for beat in beats:
        beat.stop()


@pytest.fixture
def celery_worker_process(start_worker) -> subprocess.Popen[bytes]:
    """A worker for one test (tests marked `worker`): a worker left running across tests
    would take the tasks meant for another test's own workers."""
    return start_worker().process


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.2):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")
