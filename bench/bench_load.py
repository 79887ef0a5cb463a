"""Pages under load, the way production serves them: gunicorn with 2 sync workers and
DEBUG=0 on loopback, 50 concurrent logged-in clients for 20 s on each of the home page, the
dashboard and the brief list (one page at a time), on Kota Kupang's demo data.

Uses its own database, DATABASE_URL's name + "_load" (e.g. kotan_bench_load), created,
migrated and seeded when missing. The clients are threads of this process; they share the two
cores with gunicorn, equally for every page, so the ratio between pages is fair.

Prints
  BENCH load_<page>_rps, BENCH load_<page>_p95_ms   for home, dashboard, brief_list
  BENCH load_dashboard_vs_home_rps   (target ≥ 0.8)
  BENCH load_errors                  (responses other than 200, and failed connections; target 0)
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from common import database_ensure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")

CLIENTS = 50
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
PORT = int(os.environ.get("BENCH_LOAD_PORT", "8099"))
PAGES = {"home": "/", "dashboard": "/laporan/dasbor/", "brief_list": "/laporan/ringkasan/"}
# The Wakil Wali Kota's demo account: it reads every one of these pages.
USERNAME = "pimpinan"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kotan_bench")
    name = urlparse(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to use database {name!r}: its name must contain 'bench'.")
    return url.rsplit("/", 1)[0] + f"/{name}_load"


def _production_env(url: str, static_root: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": url,
        "DB_CONN_MAX_AGE": "60",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def _seed(env: dict[str, str]) -> None:
    """The demo data of `make setup`, once per database."""
    _manage(env, "migrate", "--noinput")
    for command in ("load_city", "seed_framework"):
        _manage(env, command)
    _manage(env, "create_demo_users", "--allow-production")
    for command in ("seed_demo_meetings", "seed_demo_scores", "seed_demo_recommendations"):
        _manage(env, command)
    _manage(env, "collectstatic", "--noinput")


def _session_cookie(env: dict[str, str]) -> str:
    """A logged-in session for the demo Pimpinan, made by Django itself in a child process
    (this process keeps no Django state: it only measures)."""
    code = (
        "import django; django.setup()\n"
        "from importlib import import_module\n"
        "from django.conf import settings\n"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from kotan.models import User\n"
        f"user = User.objects.get(username={USERNAME!r})\n"
        "store = import_module(settings.SESSION_ENGINE).SessionStore()\n"
        "store[SESSION_KEY] = str(user.pk)\n"
        "store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]\n"
        "store[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "store.save()\n"
        "print(settings.SESSION_COOKIE_NAME + '=' + store.session_key)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


def _start_gunicorn(env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "kotan.wsgi", "--workers", "2",
            "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None:
                _out, err = process.communicate()
                sys.exit("gunicorn did not start:\n" + err.decode()[-3000:])
            time.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not listen within 60 s")


def _get(path: str, cookie: str) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        conn.request(
            "GET",
            path,
            headers={"Cookie": cookie, "X-Forwarded-Proto": "https", "Host": "127.0.0.1"},
        )
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, time.perf_counter() - start


def _load(path: str, cookie: str) -> tuple[float, float, int]:
    """50 clients request `path` back to back for SECONDS: (requests/s, p95 ms, errors)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def client() -> None:
        nonlocal errors
        while time.monotonic() < stop_at:
            status, elapsed = _get(path, cookie)
            with lock:
                latencies.append(elapsed)
                errors += status != 200

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) > 1 else 0.0
    return len(latencies) / elapsed, p95, errors


def main() -> None:
    url = _database_url()
    database_ensure(url)
    static_root = tempfile.mkdtemp(prefix="kotan-bench-static-")
    env = _production_env(url, static_root)
    _seed(env)
    cookie = _session_cookie(env)
    server = _start_gunicorn(env)
    try:
        for path in PAGES.values():  # warm both workers' caches and connections
            for _ in range(4):
                _get(path, cookie)
        results = {name: _load(path, cookie) for name, path in PAGES.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)
    total_errors = 0
    for name, (rps, p95, errors) in results.items():
        print(f"  {name}: {rps:.1f} req/s, p95 {p95:.0f} ms, {errors} errors", flush=True)
        print(f"BENCH load_{name}_rps {rps:.1f}")
        print(f"BENCH load_{name}_p95_ms {p95:.0f}")
        total_errors += errors
    print(f"BENCH load_dashboard_vs_home_rps {results['dashboard'][0] / results['home'][0]:.2f}")
    print(f"BENCH load_errors {total_errors}")


if __name__ == "__main__":
    main()
