"""Building respondents for the survey tests."""

from __future__ import annotations

import uuid
from typing import Any

from indicators.surveys.models import Respondent, Survey
from kotan.models import Region


def kelurahan(code: str = "53.71.01.1001") -> Region:
    return Region.objects.get(code=code)


def make_respondent(*, survey: Survey, answers: dict[str, Any], **overrides: Any) -> Respondent:
    """A stored respondent, written directly (no validation, no flags)."""
    fields: dict[str, Any] = {
        "uuid": uuid.uuid4(),
        "survey": survey,
        "kelurahan": kelurahan(),
        "setting": "keluarga",
        "source": Respondent.Source.PHONE,
        "answers": answers,
    }
    fields.update(overrides)
    return Respondent.objects.create(**fields)


def likert_answers(survey: Survey, setting: str, value: int = 3) -> dict[str, int]:
    return {i.code: value for i in survey.questionnaire.items.all() if setting in i.settings}
