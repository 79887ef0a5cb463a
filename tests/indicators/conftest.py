"""Fixtures of the indicators tests: an open period."""

from __future__ import annotations

import pytest

from tests.factories import make_open_period


@pytest.fixture
def period(kupang, framework):
    return make_open_period(city=kupang)
