"""Persona fixtures for every role (DOMAIN.md §5) plus a user of another city."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client

from kotan.models import Region, Stakeholder, User
from tests.factories import load_kupang, make_city, make_user

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from
# such threads unless told that this is safe, which it is for tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROLES = ("anonymous", "admin", "operator", "verifikator", "pimpinan", "pemangku", "other_city")


@pytest.fixture(autouse=True)
def _fast_passwords_and_local_mail(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploads (evidence) go to a per-test directory, never into var/.
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
