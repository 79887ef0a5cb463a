"""The survey of a period and its sample plan: targets per setting × kelurahan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import AssessmentPeriod
from indicators.surveys.models import Questionnaire, SampleTarget, Setting, Survey
from kotan.models import Region, User
from kotan.services import audit_record

# (design) ~180 respondents per kab/kota is a common figure; the Admin changes it per period.
DEFAULT_TOTAL = 180
MAX_TOTAL = 100_000


class PlanError(Exception):
    pass


@transaction.atomic
def survey_start(
    *, period: AssessmentPeriod, actor: User, questionnaire: Questionnaire | None = None
) -> Survey:
    """The period's survey, created with `questionnaire` (default: the default one)."""
    existing = Survey.objects.filter(period=period).first()
    if existing:
        return existing
    questionnaire = questionnaire or Questionnaire.objects.filter(is_default=True).first()
    if questionnaire is None:
        raise PlanError(_("Belum ada kuesioner bawaan; jalankan seed_questionnaire."))
    survey = Survey.objects.create(period=period, questionnaire=questionnaire)
    audit_record(
        actor=actor,
        city=period.city,
        obj=survey,
        action="survey.start",
        changes={"questionnaire": [None, str(questionnaire)]},
    )
    return survey


def kelurahan_of(survey: Survey) -> list[Region]:
    return list(Region.objects.for_city(survey.period.city_id).kelurahan().order_by("code"))


def spread(total: int, kelurahan_ids: list[int], settings: list[str]) -> dict[tuple[int, str], int]:
    """Spread `total` over kelurahan × settings: each kelurahan gets total/K (the remainder
    to the first ones), and each kelurahan's respondents rotate through the settings, carried
    over from one kelurahan to the next, so every setting ends within one of total/S."""
    cells: dict[tuple[int, str], int] = {(k, s): 0 for k in kelurahan_ids for s in settings}
    if not kelurahan_ids or not settings or total <= 0:
        return cells
    base, extra = divmod(total, len(kelurahan_ids))
    cursor = 0
    for index, kelurahan in enumerate(kelurahan_ids):
        for _n in range(base + (1 if index < extra else 0)):
            cells[(kelurahan, settings[cursor % len(settings)])] += 1
            cursor += 1
    return cells


@transaction.atomic
def sample_plan_generate(*, survey: Survey, actor: User, total: int = DEFAULT_TOTAL) -> int:
    """Replace the plan with `total` respondents spread over settings and kelurahan."""
    if not 0 < total <= MAX_TOTAL:
        raise PlanError(_("Jumlah responden harus antara 1 dan %(max)s.") % {"max": MAX_TOTAL})
    kelurahan = [k.pk for k in kelurahan_of(survey)]
    cells = spread(total, kelurahan, list(Setting.values))
    SampleTarget.objects.filter(survey=survey).delete()
    SampleTarget.objects.bulk_create(
        SampleTarget(survey=survey, kelurahan_id=k, setting=s, target=n)
        for (k, s), n in cells.items()
    )
    audit_record(
        actor=actor,
        city=survey.period.city,
        obj=survey,
        action="survey.plan_generate",
        changes={"total": [None, total]},
    )
    return total


@transaction.atomic
def sample_plan_save(*, survey: Survey, actor: User, targets: Mapping[tuple[int, str], int]) -> int:
    """Store the given targets (keyed by kelurahan id and setting); returns how many changed."""
    allowed = {k.pk for k in kelurahan_of(survey)}
    if any(k not in allowed or s not in Setting.values or n < 0 for (k, s), n in targets.items()):
        raise PlanError(_("Target tidak valid."))
    stored = {(t.kelurahan_id, t.setting): t for t in survey.targets.all()}
    changed = {}
    for key, number in targets.items():
        before = stored[key].target if key in stored else 0
        if before != number:
            changed[f"{key[0]}/{key[1]}"] = [before, number]
            SampleTarget.objects.update_or_create(
                survey=survey, kelurahan_id=key[0], setting=key[1], defaults={"target": number}
            )
    if changed:
        audit_record(
            actor=actor, city=survey.period.city, obj=survey, action="survey.plan", changes=changed
        )
    return len(changed)


@dataclass(frozen=True)
class Cell:
    target: int
    collected: int

    @property
    def shortfall(self) -> int:
        return max(self.target - self.collected, 0)
