"""Structured logs, request ids, task failures with their object, errors mailed to ADMINS,
and Sentry only when configured."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import shared_task
from django.core import mail

from kotan.lib.logs import JsonFormatter, RequestIdFilter, task_failure_log

ROOT = Path(__file__).resolve().parents[2]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collected():
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler.records
    root.removeHandler(handler)


def test_the_json_formatter_writes_one_object_with_the_extra_fields_and_traceback():
    try:
        raise ValueError("rusak")
    except ValueError:
        record = logging.getLogger("kotan.test").makeRecord(
            "kotan.test", logging.ERROR, __file__, 1, "nilai %s", ("HK1",), sys.exc_info(),
            extra={"object_id": 12, "request_id": "abc12345"},
        )  # fmt: skip
    line = JsonFormatter().format(record)
    assert "\n" not in line
    payload = json.loads(line)
    assert payload["message"] == "nilai HK1"
    assert (payload["level"], payload["logger"]) == ("ERROR", "kotan.test")
    assert (payload["object_id"], payload["request_id"]) == (12, "abc12345")
    assert "ValueError: rusak" in payload["exception"]


def test_every_request_is_logged_once_with_the_id_it_returns(client, db, collected):
    response = client.get("/akun/login/")
    request_id = response.headers["X-Request-ID"]
    lines = [r for r in collected if r.name == "kotan.request"]
    assert len(lines) == 1
    (line,) = lines
    assert line.request_id == request_id
    assert (line.method, line.path, line.status) == ("GET", "/akun/login/", 200)


def test_other_lines_of_the_request_carry_its_id(client, db, collected):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    not_found = [r for r in collected if r.name == "django.request"]
    assert not_found and not_found[0].request_id == response.headers["X-Request-ID"]
    # Outside a request the id is empty.
    logging.getLogger("kotan.test").warning("di luar permintaan")
    assert collected[-1].request_id == ""


def test_a_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(client, db):
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-1234abcd"})
    assert kept.headers["X-Request-ID"] == "proxy-1234abcd"
    replaced = client.get("/healthz", headers={"X-Request-ID": "a b\nc"})
    assert replaced.headers["X-Request-ID"] != "a b\nc"
    assert len(replaced.headers["X-Request-ID"]) == 32


def test_a_server_error_is_mailed_to_admins(client, operator, settings, monkeypatch):
    settings.ADMINS = [("Operasional", "ops@bnn.example")]
    client.force_login(operator)
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("templat rusak")

    monkeypatch.setattr("kotan.views.render", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@bnn.example"]
    assert "templat rusak" in mail.outbox[0].body


def test_an_unavailable_service_is_not_mailed(client, db, settings):
    settings.ADMINS = [("Operasional", "ops@bnn.example")]
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert client.get("/healthz").status_code == 503
    assert mail.outbox == []


def test_a_final_task_failure_is_logged_with_its_object_and_mailed(settings, caplog):
    settings.ADMINS = [("Operasional", "ops@bnn.example")]
    with caplog.at_level(logging.INFO, logger="kotan.tasks"):
        task_failure_log(
            task="reports.tasks.brief_render_task",
            object_type="brief",
            object_id=12,
            error=OSError("disk penuh"),
            final=False,
        )
        task_failure_log(
            task="reports.tasks.brief_render_task",
            object_type="brief",
            object_id=12,
            error=OSError("disk penuh"),
        )
    retry, final = caplog.records
    assert (retry.levelname, final.levelname) == ("WARNING", "ERROR")
    assert (final.object_type, final.object_id, final.final) == ("brief", 12, True)
    # Only the final failure is mailed.
    assert len(mail.outbox) == 1
    assert "brief 12" in mail.outbox[0].subject


@shared_task(name="tests.kotan.failing_task")
def _failing_task(submission_id: int) -> None:
    raise ValueError(f"pengajuan {submission_id} rusak")


def test_a_task_that_raises_is_logged_with_the_id_of_its_object(caplog):
    with caplog.at_level(logging.ERROR, logger="kotan.tasks"):
        result = _failing_task.apply(args=(7,), throw=False)
    assert result.failed()
    (record,) = [r for r in caplog.records if r.name == "kotan.tasks"]
    assert (record.task, record.object_type, record.object_id) == (
        "tests.kotan.failing_task",
        "submission",
        7,
    )


def _django_python(code: str, **environ: str) -> str:
    env = {**os.environ, **environ}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "kotan.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sentry_is_not_even_imported_without_a_dsn():
    code = "import sys; print('sentry_sdk' in sys.modules)"
    assert _django_python(code, SENTRY_DSN="") == "False"


def test_sentry_reports_to_the_configured_dsn():
    code = "import sentry_sdk; print(sentry_sdk.get_client().dsn)"
    dsn = "https://public@sentry.example/42"
    assert _django_python(code, SENTRY_DSN=dsn) == dsn
