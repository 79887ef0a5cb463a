"""From respondents to indicator values (DOMAIN.md §7).

For each indicator fed by Likert items: each included respondent's mean over the items
mapped to it that they answered (reverse items as 5 − answer), then the mean over
respondents — per kelurahan and for the city. The results are written through the normal
entry workflow (indicators.services.values) as the values of the indicator's level:
the city's submission for a kota-level indicator, each kelurahan's for a kelurahan-level
one. A written submission is submitted when nothing else is missing, never approved; an
approved submission or a locked period is left alone.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from indicators.models import AssessmentPeriod, Indicator, Submission
from indicators.services.values import (
    EntryError,
    ValueInput,
    missing_for_submit,
    submission_get_or_create,
    submission_lock_error,
    submission_submit,
    submission_values_save,
)
from indicators.surveys.models import AggregationRun, QuestionItem, Survey
from kotan.models import Region, User

PLACES = Decimal("0.001")  # IndicatorValue keeps three decimals


def to_decimal(value: Fraction) -> Decimal:
    """Round an exact mean half-up to the three decimals a value stores."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        PLACES, rounding=ROUND_HALF_UP
    )


def item_score(item: QuestionItem, answer: int | float) -> Fraction:
    score = Fraction(answer)
    return 5 - score if item.reverse else score


@dataclass
class Mean:
    """An exact mean of fractions, summed per denominator in integers (a respondent's mean
    has one of a dozen denominators), so that 20,000 respondents cost integer additions."""

    by_denominator: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    n: int = 0

    def add(self, value: Fraction) -> None:
        self.by_denominator[value.denominator] += value.numerator
        self.n += 1

    @property
    def total(self) -> Fraction:
        return sum((Fraction(num, den) for den, num in self.by_denominator.items()), Fraction(0))

    @property
    def value(self) -> Fraction | None:
        return self.total / self.n if self.n else None


@dataclass
class SurveyMeans:
    """Per indicator id: the city's mean and each kelurahan's (by region id)."""

    city: dict[int, Mean] = field(default_factory=lambda: defaultdict(Mean))
    kelurahan: dict[int, dict[int, Mean]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Mean))
    )
    respondents: int = 0


def feeding_items(items: Iterable[QuestionItem]) -> dict[int, list[QuestionItem]]:
    by_indicator: dict[int, list[QuestionItem]] = defaultdict(list)
    for item in items:
        if item.indicator_id and item.answer_type == QuestionItem.AnswerType.LIKERT:
            by_indicator[item.indicator_id].append(item)
    return by_indicator


def respondent_mean(items: list[QuestionItem], answers: dict[str, Any]) -> Fraction | None:
    total: Fraction | int = 0
    n = 0
    for item in items:
        answer = answers.get(item.code)
        if answer is not None:
            total += 5 - answer if item.reverse else answer
            n += 1
    return Fraction(total) / n if n else None


def survey_means(survey: Survey) -> SurveyMeans:
    by_indicator = feeding_items(survey.questionnaire.items.all())
    means = SurveyMeans()
    rows = survey.respondents.included().values_list("kelurahan_id", "answers").iterator(2000)
    for kelurahan_id, answers in rows:
        means.respondents += 1
        for indicator_id, items in by_indicator.items():
            mean = respondent_mean(items, answers)
            if mean is not None:
                means.city[indicator_id].add(mean)
                means.kelurahan[indicator_id][kelurahan_id].add(mean)
    return means


def summary_xlsx(survey: Survey, means: SurveyMeans, indicators: dict[int, Indicator]) -> bytes:
    """The evidence attached to every value written: each unit's mean and n per indicator."""
    names = dict(Region.objects.for_city(survey.period.city_id).values_list("pk", "name"))
    codes = dict(Region.objects.for_city(survey.period.city_id).values_list("pk", "code"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ringkasan"))
    sheet.append([_("Survei"), str(survey), _("Kuesioner"), str(survey.questionnaire)])
    sheet.append([_("Dihitung"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    sheet.append(
        [_("Metode"), _("rata-rata per responden atas butir indikator (butir terbalik 5 − "
                        "jawaban), lalu rata-rata atas responden; responden dikecualikan tidak "
                        "dihitung")]
    )  # fmt: skip
    sheet.append([])
    sheet.append(
        [_("Indikator"), _("Tingkat"), _("Kode wilayah"), _("Wilayah"), "n", _("Rata-rata")]
    )
    city = survey.period.city
    for indicator_id, mean in sorted(means.city.items()):
        code = indicators[indicator_id].code
        if mean.value is not None:
            sheet.append(
                [code, "kota", city.code, city.name, mean.n, float(to_decimal(mean.value))]
            )
        for region_id, unit in sorted(
            means.kelurahan[indicator_id].items(), key=lambda r: codes[r[0]]
        ):
            if unit.value is not None:
                sheet.append(
                    [code, "kelurahan", codes[region_id], names[region_id], unit.n,
                     float(to_decimal(unit.value))]
                )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _unit_values(means: SurveyMeans, indicator: Indicator, city: Region) -> dict[int, Fraction]:
    """Region id → mean for the units of the indicator's level."""
    if indicator.level == Indicator.Level.KOTA:
        value = means.city[indicator.pk].value
        return {} if value is None else {city.pk: value}
    if indicator.level == Indicator.Level.KELURAHAN:
        return {
            region_id: mean.value
            for region_id, mean in means.kelurahan[indicator.pk].items()
            if mean.value is not None
        }
    return {}  # stakeholder-level indicators are not fed by a survey


@transaction.atomic
def survey_aggregate(*, survey: Survey, actor: User) -> dict[str, Any]:
    """Compute the means and write them as indicator values; returns what was done."""
    period = AssessmentPeriod.objects.select_related("city").get(pk=survey.period_id)
    means = survey_means(survey)
    indicator_ids = set(means.city)
    indicators = Indicator.objects.in_bulk(indicator_ids)
    per_region: dict[int, dict[int, Decimal]] = defaultdict(dict)
    levels: dict[int, str] = {}
    for indicator in indicators.values():
        for region_id, value in _unit_values(means, indicator, period.city).items():
            per_region[region_id][indicator.pk] = to_decimal(value)
            levels[region_id] = indicator.level
    evidence = summary_xlsx(survey, means, indicators) if per_region else b""
    regions = Region.objects.in_bulk(list(per_region))
    result: dict[str, Any] = {
        "respondents": means.respondents,
        "written": [],
        "unchanged": [],
        "skipped": [],
        "draft": [],
    }
    for region_id in sorted(per_region, key=lambda pk: regions[pk].code):
        region = regions[region_id]
        submission = submission_get_or_create(period=period, level=levels[region_id], region=region)
        lock = submission_lock_error(submission)
        if lock:
            result["skipped"].append({"unit": region.name, "reason": lock})
            continue
        stored = {v.indicator_id: v for v in submission.values.all()}
        inputs = {
            pk: ValueInput(
                value=value,
                comment=_("Dihitung dari survei %(survey)s (%(n)s responden).")
                % {
                    "survey": period.year,
                    "n": _respondents(means, pk, region_id, levels[region_id]),
                },
                evidence=ContentFile(evidence, name=f"ringkasan-survei-{period.year}.xlsx"),
            )
            for pk, value in per_region[region_id].items()
            if pk not in stored or stored[pk].value != value or not stored[pk].evidence
        }
        codes = sorted(indicators[pk].code for pk in per_region[region_id])
        if not inputs:
            result["unchanged"].append({"unit": region.name, "indicators": codes})
        else:
            submission = submission_values_save(
                submission=submission, actor=actor, inputs=inputs, expected_version=None,
                source="survey",
            )  # fmt: skip
            result["written"].append(
                {"unit": region.name, "indicators": sorted(indicators[pk].code for pk in inputs)}
            )
        _submit_if_complete(submission, actor, region.name, result)
    return result


def _respondents(means: SurveyMeans, indicator_id: int, region_id: int, level: str) -> int:
    if level == Indicator.Level.KOTA:
        return means.city[indicator_id].n
    return means.kelurahan[indicator_id][region_id].n


def _submit_if_complete(
    submission: Submission, actor: User, unit: str, result: dict[str, Any]
) -> None:
    submission.refresh_from_db()
    if submission.status == Submission.Status.SUBMITTED:
        return
    missing = missing_for_submit(submission)
    if missing:
        result["draft"].append({"unit": unit, "missing": missing})
        return
    try:
        submission_submit(submission=submission, actor=actor, expected_version=None)
    except EntryError as error:
        result["draft"].append({"unit": unit, "missing": [str(error)]})


def aggregation_request(*, survey: Survey, actor: User) -> AggregationRun:
    """Queue an aggregation run after the current transaction commits."""
    from indicators.surveys.tasks import survey_aggregate_task

    run = AggregationRun.objects.create(survey=survey, requested_by=actor)
    transaction.on_commit(lambda: survey_aggregate_task.delay(run.pk))
    return run


def aggregation_run_execute(*, run_id: int) -> AggregationRun:
    run = AggregationRun.objects.select_related("survey__period", "requested_by").get(pk=run_id)
    run.result = survey_aggregate(survey=run.survey, actor=run.requested_by)
    run.status = AggregationRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["result", "status", "finished_at"])
    return run


def aggregation_run_fail(*, run_id: int, message: str) -> None:
    AggregationRun.objects.filter(pk=run_id).update(
        status=AggregationRun.Status.FAILED, failure=message, finished_at=timezone.now()
    )
