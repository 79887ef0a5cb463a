"""Fixtures of the indicators tests: an open period, and Celery tasks run in-process
where a test asks for it."""

from __future__ import annotations

import pytest

from kotan.celery import app as celery_app
from tests.factories import make_open_period


@pytest.fixture
def period(kupang, framework):
    return make_open_period(city=kupang)


@pytest.fixture
def celery_eager():
    """Tasks run in-process when enqueued (at the commit of the enqueuing transaction)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before
