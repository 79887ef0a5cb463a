"""The image, proven without a Docker engine (STYLE.md §23).

The Dockerfile's own RUN steps run in a fresh virtualenv on a copy of the build context, then
the compose file's `migrate` and `web` commands start with the compose file's environment
(DEBUG=0), on a PostgreSQL database of the test's own. Every role logs in and opens every page
of its navigation behind `X-Forwarded-Proto: https`: all must answer 200. A green /healthz
proves nothing about the pages; a build that writes no static manifest fails here.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.test_compose import COMPOSE

ROOT = Path(__file__).resolve().parents[1]
# System layers of the Dockerfile; .ci/run installs the same Debian packages on the test machine.
SYSTEM_STEPS = ("apt-get ", "useradd ")
NETWORK_SETTINGS = r"(PIP_|UV_|SSL_CERT_|REQUESTS_CA_BUNDLE$|CURL_CA_BUNDLE$|(?i:\w*_proxy$))"
ROLES = ("admin", "operator", "verifikator", "pimpinan", "pemangku")


# The key of the authenticator app the test gives Admin and Verifikator (MFA_REQUIRED_ROLES).
TOTP_KEY = "3132333435363738393031323334353637383930"


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)  # line continuations
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _build_context(target: Path) -> Path:
    """The files `COPY . .` sends: the work tree less .dockerignore's entries."""
    ignored = {
        line.strip().removeprefix("**/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    shutil.copytree(ROOT, target, ignore=lambda _dir, names: [n for n in names if n in ignored])
    return target


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def database_url():
    """A database of the test's own beside the suite's (dropped at the end)."""
    base = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    name = base.path.lstrip("/") + "_image"
    admin = base._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base._replace(path="/" + name).geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """Runs the Dockerfile's build steps; returns (app dir, environment with the venv, CMD)."""
    tmp = tmp_path_factory.mktemp("image")
    app = _build_context(tmp / "app")
    venv = tmp / "venv"
    # A virtualenv of its own, no system site-packages: a dependency missing from the lock fails.
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The image copies the uv binary from uv's own image; here the dev extra's, same version.
    copied = re.search(r"^COPY --from=\S+/uv:(\S+) /uv ", (ROOT / "Dockerfile").read_text(), re.M)
    assert copied is not None, "the Dockerfile installs uv"
    tools = tmp / "tools"
    tools.mkdir()
    uv = Path(shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv")
    (tools / "uv").symlink_to(uv)
    version = subprocess.run([str(uv), "--version"], capture_output=True, text=True).stdout
    assert version.split()[1] == copied.group(1), version
    environ = {
        # Only the fresh venv and the system: nothing of the suite's own virtualenv.
        "PATH": f"{venv / 'bin'}:{tools}:/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(tmp)),
        "VIRTUAL_ENV": str(venv),
        # The machine's network settings (indexes, certificates, proxies); nothing else of
        # the suite's own environment.
        **{k: v for k, v in os.environ.items() if re.match(NETWORK_SETTINGS, k)},
    }
    command: list[str] = []
    skipped = []
    for keyword, rest in _dockerfile_instructions():
        if keyword == "ENV":
            for item in shlex.split(rest):
                name, _, value = item.partition("=")
                environ[name] = value
            # Reuse the download caches between runs, and let Python cache the bytecode of
            # what it imports rather than compile every installed module up front.
            for name in (
                "PIP_NO_CACHE_DIR",
                "UV_NO_CACHE",
                "UV_COMPILE_BYTECODE",
                "PYTHONDONTWRITEBYTECODE",
            ):
                environ.pop(name, None)
        elif keyword == "RUN":
            if rest.startswith(SYSTEM_STEPS):
                skipped.append(rest)
                continue
            result = subprocess.run(
                ["sh", "-c", rest], cwd=app, env=environ, capture_output=True, text=True
            )
            assert result.returncode == 0, f"RUN {rest}\n{result.stdout}\n{result.stderr}"
        elif keyword == "CMD":
            command = json.loads(rest)
    assert len(skipped) == 2, skipped
    assert command, "the Dockerfile has no CMD"
    return app, environ, command


def _compose_services(tmp_path: Path) -> dict:
    env_file = tmp_path / "compose.env"
    env_file.write_text(
        f"SECRET_KEY={secrets.token_urlsafe(50)}\nALLOWED_HOSTS=127.0.0.1\nPOSTGRES_PASSWORD=p\n"
    )
    result = subprocess.run(
        [str(COMPOSE), "-f", str(ROOT / "docker-compose.yml"), "--env-file", str(env_file),
         "config", "--format", "json"],
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)["services"]


def _run(command: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def production(image, database_url, tmp_path_factory):
    """The compose file's migrate, then demo data, then its web command: (base URL, passwords,
    log file)."""
    app, build_environ, cmd = image
    tmp = tmp_path_factory.mktemp("production")
    services = _compose_services(tmp)
    web = services["web"]
    assert web["command"] == cmd, "compose starts web as the image's CMD does"
    port = _free_port()
    # Only what differs on this machine: the services' addresses and the data folders.
    overrides = {
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "MEDIA_ROOT": str(tmp / "media"),
        "BACKUP_DIR": str(tmp / "backups"),
    }
    assert set(overrides) <= set(web["environment"])
    environ = {
        **build_environ,
        **{k: v or "" for k, v in web["environment"].items()},
        **overrides,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    assert environ["DEBUG"] == "0"
    migrate = services["migrate"]
    _run(migrate["command"], cwd=app, env=environ)
    # The city, the framework and demo data (`make setup`'s commands), in one process.
    seed = "; ".join(
        f"call_command({', '.join(map(repr, command))})"
        for command in (
            ("load_city",),
            ("seed_framework",),
            ("create_demo_users", "--allow-production"),
            ("seed_demo_meetings",),
            ("seed_demo_scores",),
            ("seed_demo_recommendations",),
        )
    )
    # Roles that log in in two steps get an authenticator app whose key the test knows.
    seed += (
        "; from django.conf import settings; from kotan.models import User"
        "; from django_otp.plugins.otp_totp.models import TOTPDevice"
        f"; [TOTPDevice.objects.create(user=u, name='app', confirmed=True, key={TOTP_KEY!r})"
        " for u in User.objects.filter(role__in=settings.MFA_REQUIRED_ROLES)]"
    )
    python = str(Path(build_environ["VIRTUAL_ENV"]) / "bin" / "python")
    printed = _run(
        [python, "manage.py", "shell", "-c", f"from django.core.management import *; {seed}"],
        cwd=app,
        env=environ,
    )
    # role → (username, password), the first demo user of each role.
    passwords: dict[str, tuple[str, str]] = {}
    for role, username, password in re.findall(
        r"^\s+(\w+)\s+(\S+)\s+kata sandi: (\S+)$", printed, re.M
    ):
        passwords.setdefault(role, (username, password))

    log_path = tmp / "web.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            web["command"], cwd=app, env=environ, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except urllib.error.HTTPError:
            break  # it answers: whether it answers well is for the tests to say
        except OSError as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"web did not start ({exc}):\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
    yield base, passwords, log_path, process
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


class _Browser:
    """urllib behind an HTTPS proxy: X-Forwarded-Proto on every request, secure cookies kept."""

    def __init__(self, base: str) -> None:
        self.base = base
        policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "http"))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar(policy))
        )

    def open(self, path: str, data: dict[str, str] | None = None):
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data).encode() if data is not None else None,
            headers={
                "X-Forwarded-Proto": "https",
                "Referer": self.base.replace("http://", "https://") + path,
            },
        )
        try:
            return self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            return error

    def login(self, username: str, password: str) -> str:
        page = self.open("/akun/login/")
        assert page.status == 200, page.read()[:2000]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        assert token is not None
        home = self.open(
            "/akun/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
        )
        if "/akun/mfa/verifikasi/" in home.url:
            home = self._second_step(home.read().decode(), home.url)
        assert home.status == 200 and home.url.rstrip("/") == self.base, home.url
        return home.read().decode()

    def _second_step(self, page: str, url: str):
        """The authenticator app's current code, as a user types it after the password."""
        from django_otp.oath import totp

        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        code = f"{totp(bytes.fromhex(TOTP_KEY)):06d}"
        return self.open(
            url.removeprefix(self.base), {"csrfmiddlewaretoken": token.group(1), "token": code}
        )


def test_the_image_serves_every_roles_pages_with_debug_off(production):
    base, passwords, _log_path, process = production
    # .ci/start execs gunicorn: the process compose signals is gunicorn itself.
    assert "gunicorn" in Path(f"/proc/{process.pid}/cmdline").read_text()
    assert set(ROLES) <= set(passwords), passwords
    opened = {}
    for role in ROLES:
        browser = _Browser(base)
        home = browser.login(*passwords[role])
        links = re.findall(r'<a class="nav-link[^"]*" href="([^"]+)"', home)
        assert len(links) >= 6, (role, links)
        for path in links:
            response = browser.open(path)
            opened[(role, path)] = response.status
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', home)
        # Hashed names from the manifest, served by whitenoise.
        assert assets and all(re.search(r"\.[0-9a-f]{12}\.(css|js)$", a) for a in assets), assets
        assert all(browser.open(asset).status == 200 for asset in assets)
    assert opened and all(status == 200 for status in opened.values()), {
        key: status for key, status in opened.items() if status != 200
    }


def test_the_images_healthz_is_green(production):
    base, _passwords, _log_path, _process = production
    response = urllib.request.urlopen(base + "/healthz", timeout=10)
    assert json.loads(response.read()) == {"database": "ok", "broker": "ok", "static": "ok"}


def test_the_image_logs_one_json_line_per_request_with_its_id(production):
    base, _passwords, log_path, _process = production
    response = _Browser(base).open("/akun/login/")
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)

    def request_lines():
        lines = [line for line in log_path.read_text().splitlines() if request_id in line]
        return [json.loads(line) for line in lines]

    deadline = time.monotonic() + 10
    while not request_lines() and time.monotonic() < deadline:
        time.sleep(0.1)  # the worker writes its line right after answering
    (line,) = request_lines()
    assert line["request_id"] == request_id
    assert (line["method"], line["path"], line["status"]) == ("GET", "/akun/login/", 200)
