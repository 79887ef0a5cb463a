"""Fixtures for the reports tests: a period of Kupang's with the framework seeded."""

from __future__ import annotations

import pytest

from tests.factories import make_period


@pytest.fixture
def period(kupang, framework):
    return make_period(city=kupang, year=2026)
