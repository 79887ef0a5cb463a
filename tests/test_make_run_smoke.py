"""The `make run` path on a machine with no services: SQLite, tasks in-process."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def local_environ(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    # MAKEFLAGS carries `make test VAR=value` overrides into the inner `make setup`, which
    # would then migrate the PostgreSQL test database instead of the SQLite file.
    dropped = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    environ = {k: v for k, v in os.environ.items() if k not in dropped}
    environ.update({"DEBUG": "1", "KOTAN_VAR_DIR": str(var_dir)})
    return environ


@pytest.fixture(scope="module")
def server(local_environ):
    for _ in range(2):  # the second run must keep the data and succeed again
        result = subprocess.run(
            ["make", "setup"], cwd=ROOT, env=local_environ, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=local_environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    # A deadline that holds on a loaded machine, and a failure that says so.
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("runserver did not answer /healthz within 90 s")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_the_database_is_sqlite_under_the_var_dir(local_environ, server):
    assert (Path(local_environ["KOTAN_VAR_DIR"]) / "kotan.sqlite3").exists()


def test_healthz_is_ok_without_a_broker(server):
    assert (
        urllib.request.urlopen(server + "/healthz").read()
        == b'{"database": "ok", "broker": "ok", "static": "ok"}'
    )


def test_a_demo_user_logs_in_and_sees_the_main_pages(server):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login_page = opener.open(server + "/akun/login/").read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
    assert match is not None
    token = match.group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "operator", "password": "demo-operator-kotan"}
    ).encode()
    home = opener.open(
        urllib.request.Request(server + "/akun/login/", data=form, headers={"Referer": server})
    ).read()
    assert "Selamat datang" in home.decode()
    for path in ("/wilayah/", "/pemangku/", "/indikator/", "/rapat/", "/laporan/"):
        response = opener.open(server + path)
        assert response.status == 200, path
    assert "Namosain" in opener.open(server + "/wilayah/53.71.01/").read().decode()
