"""Fixtures of the surveys tests: the default questionnaire and a period's survey."""

from __future__ import annotations

import pytest

from indicators.surveys.services.plan import survey_start
from indicators.surveys.services.questionnaires import questionnaire_seed
from tests.factories import make_open_period


@pytest.fixture
def questionnaire(framework):
    return questionnaire_seed().questionnaire


@pytest.fixture
def period(kupang, framework):
    return make_open_period(city=kupang)


@pytest.fixture
def survey(period, questionnaire, admin_user):
    return survey_start(period=period, actor=admin_user)
