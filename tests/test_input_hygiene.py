"""NUL bytes and lone surrogates anywhere in a request: a 400 or 404, never a 500.

The fuzz walks every URL of the permission matrix (its rows say how to build each URL) and
every admin changelist, as several roles, with hostile text in the path parameters, the
query string and the form fields. Surrogates arrive as a raw client would send them: as the
UTF-8 bytes of U+D800 (%ED%A0%80), which no browser would produce."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from kotan.middleware import has_unstorable_text
from tests.test_permission_matrix import ROWS

pytestmark = pytest.mark.django_db

HOSTILE_PATH = ("%00", "a%00b", "%ED%A0%80", "%ED%BF%BF%00")
QUERY_KEYS = ("periode", "edisi", "q", "status", "owner", "next", "page", "o", "role", "city")
HOSTILE_QUERY = "&".join(
    f"{key}={value}" for key, value in zip(QUERY_KEYS, HOSTILE_PATH * 3, strict=False)
)
FORM_FIELDS = ("reason", "title", "name", "version", "token", "note", "username", "text")
ROLES = ("admin", "operator", "verifikator", "pemangku", "admin_pusat")
PLACEHOLDER = "QQSTRQQ"


def _hostile_paths(row, valid: dict) -> list[str]:
    """The row's URL with each text parameter replaced by hostile text (int parameters
    cannot hold it: their URL does not match and answers 404 anyway)."""
    names = _text_params(row)
    if not names:
        return []
    kwargs = {**valid, **dict.fromkeys(names, PLACEHOLDER)}
    try:
        template = reverse(row.name, kwargs=kwargs)
    except NoReverseMatch:
        return []
    return [template.replace(PLACEHOLDER, value) for value in HOSTILE_PATH]


def _text_params(row) -> tuple[str, ...]:
    return _TEXT_PARAMS.get(row.name, ())


def _collect_text_params() -> dict[str, tuple[str, ...]]:
    """URL name → the names of its str/path converter parameters."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.converters import PathConverter, StringConverter

    found: dict[str, tuple[str, ...]] = {}

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                converters = getattr(pattern.pattern, "converters", {})
                names = tuple(
                    name
                    for name, converter in converters.items()
                    if isinstance(converter, StringConverter | PathConverter)
                )
                if names:
                    found[f"{namespace}{pattern.name}"] = names

    walk(get_resolver().url_patterns, "")
    return found


_TEXT_PARAMS = _collect_text_params()


def _requests(client: Client, row, kwargs):
    url = reverse(row.name, kwargs=kwargs)
    yield "GET ?query", client.get(f"{url}?{HOSTILE_QUERY}")
    yield "POST form", client.post(url, {name: "x\x00y" for name in FORM_FIELDS})
    yield (
        "POST raw",
        client.generic(
            "POST",
            url,
            "&".join(f"{name}=%ED%A0%80" for name in FORM_FIELDS),
            content_type="application/x-www-form-urlencoded",
        ),
    )
    for path in _hostile_paths(row, kwargs):
        yield f"GET {path}", client.get(path)


def test_no_url_answers_500_to_nul_bytes_or_surrogates(personas):
    failures = []
    clients = {role: personas.client(role) for role in ROLES}
    for client in clients.values():
        client.raise_request_exception = False
    for row in ROWS:
        # Each row in a savepoint rolled back afterwards: a POST (e.g. a delete by Admin
        # Pusat) must not take away the objects of the next rows.
        with transaction.atomic():
            kwargs = row.kwargs(personas)  # builds the row's objects once
            for role, client in clients.items():
                for what, response in _requests(client, row, kwargs):
                    if response.status_code >= 500:
                        failures.append((role, row.name, what, response.status_code))
            transaction.set_rollback(True)
    assert failures == []


def test_admin_changelist_filters_with_nul_bytes_are_refused(personas):
    client = personas.client("admin")
    client.raise_request_exception = False
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for query in ("q=%00", "role=%00", "city__id__exact=%00", "o=%ED%A0%80", "p=%00"):
            response = client.get(f"{url}?{query}")
            assert response.status_code < 500, (url, query)


@pytest.mark.parametrize(
    "path",
    ["/wilayah/%00/", "/wilayah/53.71%00/", "/pemangku/?q=%00", "/laporan/dasbor/?periode=%00"],
)
def test_a_nul_byte_in_the_address_is_a_400_in_indonesian(client, operator, path):
    client.force_login(operator)
    response = client.get(path)
    assert response.status_code == 400
    assert "karakter yang tidak sah" in response.content.decode()


def test_a_nul_byte_in_a_form_field_is_a_400(client, verifier):
    from tests.conftest import login

    login(client, verifier)
    response = client.post(reverse("password_change"), {"old_password": "x\x00"})
    assert response.status_code == 400


def test_a_nul_byte_in_the_session_cookie_is_a_400(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/").status_code == 400


@pytest.mark.parametrize(
    ("text", "bad"),
    [("biasa", False), ("a\x00b", True), ("\ud800", True), ("x\udfff", True), ("é😀", False)],
)
def test_unstorable_text_is_nul_or_a_lone_surrogate(text, bad):
    assert has_unstorable_text(text) is bad
