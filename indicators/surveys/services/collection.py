"""Recording respondents: one at a time from the phone page (idempotent by the client's
UUID), and the validation the import shares."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from indicators.surveys.models import QuestionItem, Respondent, Setting, Survey
from indicators.surveys.services.quality import quality_flags
from kotan.models import Region, User

_YES = frozenset({"1", "ya", "y", "yes", "true"})
_NO = frozenset({"0", "tidak", "tdk", "no", "n", "false"})
NUMBER_LIMIT = Decimal(1_000_000)


class RespondentInvalid(Exception):
    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(_("Isian responden tidak valid."))
        self.errors = dict(errors)


@dataclass
class RespondentInput:
    uuid: uuid.UUID
    kelurahan: Region | None
    setting: str
    answers: Mapping[str, Any]
    sex: str = ""
    age_group: str = ""
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None
    external_id: str = ""
    extra_errors: dict[str, str] = field(default_factory=dict)


# The answers nearly every cell holds, as spreadsheets and forms send them: one dict lookup
# instead of text and Decimal parsing (an import reads 1.2 million of them). 1.0 and 1 hash
# alike, so XLSX floats hit too.
_LIKERT_FAST: dict[Any, int] = {**{n: n for n in (1, 2, 3, 4)}, **{str(n): n for n in (1, 2, 3, 4)}}
_SETTINGS = frozenset(Setting.values)
_SEXES = frozenset(Respondent.Sex.values)
_AGE_GROUPS = frozenset(Respondent.AgeGroup.values)
LIKERT = QuestionItem.AnswerType.LIKERT.value


def parse_answer(item: QuestionItem, raw: Any) -> tuple[int | float | None, str | None]:
    """A raw answer (form text, spreadsheet cell) as the stored number, or an error."""
    if item.answer_type == LIKERT and not isinstance(raw, bool):
        fast = _LIKERT_FAST.get(raw)
        if fast is not None:
            return fast, None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    text = str(raw).strip().casefold()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    if item.answer_type == QuestionItem.AnswerType.YES_NO:
        if text in _YES:
            return 1, None
        if text in _NO:
            return 0, None
        return None, _("Jawaban harus ya atau tidak.")
    try:
        number = Decimal(text.replace(",", "."))
    except (InvalidOperation, ValueError):
        return None, _("Jawaban harus berupa angka.")
    if not number.is_finite() or abs(number) > NUMBER_LIMIT:
        return None, _("Jawaban harus berupa angka.")
    if item.answer_type == QuestionItem.AnswerType.LIKERT:
        if number not in (1, 2, 3, 4):
            return None, _("Jawaban Likert harus 1, 2, 3 atau 4.")
        return int(number), None
    return (int(number) if number == number.to_integral_value() else float(number)), None


def asked_items(items: list[QuestionItem], setting: str) -> list[QuestionItem]:
    return [item for item in items if item.asked_in(setting)]


def respondent_build(
    *,
    survey: Survey,
    items: list[QuestionItem],
    data: RespondentInput,
    asked: list[QuestionItem] | None = None,
) -> tuple[Respondent | None, dict[str, str]]:
    """An unsaved respondent from `data`, or the errors by field (item code for answers).
    `asked` (the items of `data.setting`) saves working them out per respondent."""
    errors = dict(data.extra_errors)
    kelurahan = data.kelurahan
    if (
        kelurahan is None
        or kelurahan.city_id != survey.period.city_id
        or kelurahan.level != Region.Level.KELURAHAN
    ):
        errors["kelurahan"] = _("Pilih kelurahan kota ini.")
    if data.setting not in _SETTINGS:
        errors["setting"] = _("Pilih setting.")
    if data.sex and data.sex not in _SEXES:
        errors["sex"] = _("Jenis kelamin tidak dikenal.")
    if data.age_group and data.age_group not in _AGE_GROUPS:
        errors["age_group"] = _("Kelompok umur tidak dikenal.")
    if asked is None:
        asked = asked_items(items, data.setting)
    answers: dict[str, int | float] = {}
    for item in asked:
        value, message = parse_answer(item, data.answers.get(item.code))
        if message:
            errors[item.code] = message
        elif value is not None:
            answers[item.code] = value
    if not errors and not answers:
        errors["answers"] = _("Belum ada jawaban.")
    if errors:
        return None, errors
    assert data.kelurahan is not None
    respondent = Respondent(
        uuid=data.uuid,
        survey=survey,
        kelurahan=data.kelurahan,
        setting=data.setting,
        sex=data.sex,
        age_group=data.age_group,
        started_at=data.started_at,
        finished_at=data.finished_at,
        external_id=data.external_id[:120],
        answers=answers,
        flags=quality_flags(
            asked=asked, answers=answers, started_at=data.started_at, finished_at=data.finished_at
        ),
    )
    return respondent, {}


def survey_items(survey: Survey) -> list[QuestionItem]:
    return list(survey.questionnaire.items.all())


def respondent_record(
    *, survey: Survey, enumerator: User, data: RespondentInput
) -> tuple[Respondent, bool]:
    """Store one respondent sent from the phone page; (respondent, created).

    Idempotent on the client's UUID: a resubmission (the phone did not hear the answer, or
    sent twice) returns the stored respondent and changes nothing. A UUID already used in
    another survey is refused rather than silently mixed."""
    existing = Respondent.objects.filter(uuid=data.uuid).first()
    if existing is not None:
        if existing.survey_id != survey.pk:
            raise RespondentInvalid({"uuid": _("UUID ini sudah dipakai survei lain.")})
        return existing, False
    respondent, errors = respondent_build(survey=survey, items=survey_items(survey), data=data)
    if respondent is None:
        raise RespondentInvalid(errors)
    respondent.enumerator = enumerator
    respondent.source = Respondent.Source.PHONE
    try:
        with transaction.atomic():
            respondent.save()
    except IntegrityError:
        # The same UUID arrived twice at once: the other request stored it.
        return Respondent.objects.get(uuid=data.uuid), False
    return respondent, True
