"""Persona fixtures for every role (DOMAIN.md §5) plus a user of another city."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client

from kotan.models import Region, Stakeholder, User
from tests.factories import PASSWORD, load_kupang, make_city, make_user

ROLES = ("anonymous", "admin", "operator", "verifikator", "pimpinan", "pemangku", "other_city")


@pytest.fixture(autouse=True)
def _fast_passwords_and_local_mail(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploads (evidence, briefs) go to a per-test directory, never into var/.
    settings.MEDIA_ROOT = tmp_path / "media"


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
    return make_user(username="admin-kupang", city=kupang, role=User.Role.ADMIN, is_staff=True)


@pytest.fixture
def operator(kupang) -> User:
    return make_user(username="operator-kupang", city=kupang, role=User.Role.OPERATOR)


@pytest.fixture
def verifier(kupang) -> User:
    return make_user(username="verifikator-kupang", city=kupang, role=User.Role.VERIFIKATOR)


@pytest.fixture
def pimpinan(kupang) -> User:
    return make_user(username="wawali-kupang", city=kupang, role=User.Role.PIMPINAN)


@pytest.fixture
def stakeholder_officer(kupang, kesbangpol) -> User:
    return make_user(
        username="petugas-kesbangpol", city=kupang, role=User.Role.PEMANGKU, stakeholder=kesbangpol
    )


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
            client.force_login(user)
        return client


@pytest.fixture
def personas(
    kupang, admin_user, operator, verifier, pimpinan, stakeholder_officer, other_city_operator
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
            "other_city": other_city_operator,
        },
    )


def login(client: Client, user: User) -> Client:
    client.force_login(user)
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


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/akun/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/")
