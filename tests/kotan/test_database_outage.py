"""With PostgreSQL unreachable every page answers the Indonesian 503 maintenance page with
Retry-After, never a 500 (kotan.middleware.DatabaseUnavailableMiddleware and
kotan.views.server_error). The real outage, a stopped PostgreSQL, is in
tests/reports/test_faults.py; here the connection refuses to open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connections
from django.test import RequestFactory

from kotan.views import server_error
from tests.factories import PASSWORD

MAINTENANCE = "Layanan sedang tidak tersedia (503)"


@contextmanager
def database_down() -> Iterator[None]:
    """Every new cursor fails as it does when PostgreSQL refuses connections."""
    connection = connections["default"]

    def refuse() -> None:
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')

    connection.ensure_connection = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        del connection.ensure_connection


def assert_maintenance_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert MAINTENANCE in body and 'lang="id"' in body


@pytest.mark.parametrize(
    "url", ["/", "/laporan/dasbor/", "/laporan/ringkasan/", "/indikator/", "/rapat/"]
)
def test_a_signed_in_user_gets_the_maintenance_page(client, operator, url, caplog):
    client.force_login(operator)
    with database_down():
        response = client.get(url)
    assert_maintenance_page(response)
    # One warning, never an error (which would mail ADMINS for every request of an outage).
    assert [r.levelname for r in caplog.records if "database unavailable" in r.getMessage()] == [
        "WARNING"
    ]
    assert not [r for r in caplog.records if r.levelno >= 40]
    # The database is back: the same session works again.
    assert client.get(url).status_code == 200


def test_signing_in_while_the_database_is_down_gets_the_maintenance_page(client, operator):
    with database_down():
        # The login form itself needs no database.
        assert client.get("/akun/login/").status_code == 200
        response = client.post(
            "/akun/login/", {"username": operator.username, "password": PASSWORD}
        )
    assert_maintenance_page(response)


def test_an_outage_outside_a_view_is_a_503_too_and_other_errors_stay_500(db):
    request = RequestFactory().get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        assert_maintenance_page(server_error(request))
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert "Terjadi kesalahan pada server (500)" in response.content.decode()


def test_an_outage_while_saving_the_session_is_a_503_with_debug_off(client, operator, settings):
    """Logging in saves the session again after the view (SessionMiddleware): an error
    there reaches no process_exception, only handler500."""
    settings.DEBUG = False
    client.raise_request_exception = False
    from django.contrib.sessions.backends.db import SessionStore

    def save_fails(self, must_create=False):
        if must_create:  # the view's own write (the new session's key) still succeeds
            return original(self, must_create=True)
        raise OperationalError("server closed the connection unexpectedly")

    original = SessionStore.save
    SessionStore.save = save_fails  # type: ignore[method-assign]
    try:
        response = client.post(
            "/akun/login/", {"username": operator.username, "password": PASSWORD}
        )
    finally:
        SessionStore.save = original  # type: ignore[method-assign]
    assert_maintenance_page(response)
