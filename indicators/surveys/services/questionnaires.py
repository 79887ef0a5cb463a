"""Questionnaires as data: seeding the default (design) questionnaire and new versions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from indicators.models import Indicator, Variable
from indicators.surveys.models import QuestionItem, Questionnaire, Setting
from kotan.models import User

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "kuesioner_bawaan.json"


class QuestionnaireError(Exception):
    pass


@dataclass(frozen=True)
class SeedResult:
    questionnaire: Questionnaire
    created: bool
    items_created: int


@transaction.atomic
def questionnaire_seed(*, path: Path = DATA_FILE) -> SeedResult:
    """Create the default questionnaire from `path` if its version is missing; safe to rerun.

    Needs the variables and the catalogue (seed_framework) for the variable and indicator
    codes; an unknown code fails loudly."""
    data = json.loads(path.read_text(encoding="utf-8"))
    questionnaire, created = Questionnaire.objects.get_or_create(
        name=data["name"],
        version=data["version"],
        defaults={"description": data.get("description", ""), "is_design": True},
    )
    if not Questionnaire.objects.filter(is_default=True).exists():
        questionnaire.is_default = True
        questionnaire.save(update_fields=["is_default"])
    variables = {v.code: v for v in Variable.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    existing = set(questionnaire.items.values_list("code", flat=True))
    valid_settings = set(Setting.values)
    new_items = []
    for order, row in enumerate(data["items"], start=1):
        if row["code"] in existing:
            continue
        if not set(row["settings"]) <= valid_settings:
            raise QuestionnaireError(f"{row['code']}: unknown setting in {row['settings']}")
        indicator_code = row.get("indicator")
        new_items.append(
            QuestionItem(
                questionnaire=questionnaire,
                code=row["code"],
                order=order,
                text_id=row["text_id"],
                text_en=row.get("text_en", ""),
                variable=variables[row["variable"]],
                answer_type=row.get("answer_type", QuestionItem.AnswerType.LIKERT),
                reverse=row.get("reverse", False),
                settings=row["settings"],
                indicator=indicators[indicator_code] if indicator_code else None,
            )
        )
    QuestionItem.objects.bulk_create(new_items)
    return SeedResult(questionnaire, created, len(new_items))


@transaction.atomic
def questionnaire_new_version(*, questionnaire: Questionnaire, actor: User) -> Questionnaire:
    """A copy of `questionnaire` as the next version of its name, with every item, for the
    owner to change while surveys keep the version they used."""
    latest = Questionnaire.objects.filter(name=questionnaire.name).order_by("-version").first()
    assert latest is not None
    copy = Questionnaire.objects.create(
        name=questionnaire.name,
        version=latest.version + 1,
        description=questionnaire.description,
        is_design=questionnaire.is_design,
    )
    QuestionItem.objects.bulk_create(
        [
            QuestionItem(
                questionnaire=copy,
                code=item.code,
                order=item.order,
                text_id=item.text_id,
                text_en=item.text_en,
                variable_id=item.variable_id,
                answer_type=item.answer_type,
                reverse=item.reverse,
                settings=list(item.settings),
                indicator_id=item.indicator_id,
            )
            for item in questionnaire.items.all()
        ]
    )
    return copy


@transaction.atomic
def questionnaire_make_default(*, questionnaire: Questionnaire) -> None:
    Questionnaire.objects.filter(is_default=True).exclude(pk=questionnaire.pk).update(
        is_default=False
    )
    questionnaire.is_default = True
    questionnaire.save(update_fields=["is_default"])
