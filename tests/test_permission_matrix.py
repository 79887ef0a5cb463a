"""Every URL of the project has a row: role × URL → expected status.

A new view without a row in some tests/<app>/matrix.py makes test_every_url_has_a_row fail.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import ROLES
from tests.matrix import Row

TESTS_DIR = Path(__file__).resolve().parent

# Django admin pages other than its index: the admin checks staff and model permissions
# itself, and our scoping of its querysets is tested in tests/kotan/test_admin.py.
NOT_IN_MATRIX_PREFIXES = ("admin:",)


def _collect_rows() -> list[Row]:
    rows: list[Row] = []
    for matrix in sorted(TESTS_DIR.glob("*/matrix.py")):
        module = importlib.import_module(f"tests.{matrix.parent.name}.matrix")
        rows.extend(module.ROWS)
    return rows


ROWS = _collect_rows()


def _url_names(patterns, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None and not namespace.startswith(NOT_IN_MATRIX_PREFIXES):
                raise AssertionError(f"URL pattern {pattern.pattern} has no name")
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_a_row():
    routed = {
        name
        for name in _url_names(get_resolver().url_patterns)
        if not name.startswith(NOT_IN_MATRIX_PREFIXES) or name == "admin:index"
    }
    listed = [row.name for row in ROWS]
    assert sorted(routed - set(listed)) == [], "URLs without a row in the permission matrix"
    assert sorted(set(listed) - routed) == [], "rows for URLs that no longer exist"
    assert len(listed) == len(set(listed)), "a URL has two rows"


def test_every_row_names_every_persona():
    for row in ROWS:
        assert set(row.expect) == set(ROLES), row.name


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_each_persona_gets_the_expected_status(row: Row, personas):
    url = reverse(row.name, kwargs=row.kwargs(personas)) + row.query
    data = row.data(personas)
    mismatches = {}
    for role in ROLES:
        client = personas.client(role)
        response = getattr(client, row.method)(url, data)
        if response.status_code != row.expect[role]:
            mismatches[role] = (response.status_code, row.expect[role])
    assert mismatches == {}, f"{row.method.upper()} {url}: role → (got, expected)"
