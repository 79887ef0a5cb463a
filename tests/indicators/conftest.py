import pytest

from tests.factories import make_open_period, seed_framework_for


@pytest.fixture
def framework(kupang):
    seed_framework_for(kupang)


@pytest.fixture
def period(kupang, framework):
    return make_open_period(city=kupang)
