"""The survey report: per setting × variable, the mean of respondents' variable means, n and
a 95 % confidence interval, suppressed below MIN_CELL respondents; and the anonymised
microdata export."""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from indicators.models import Variable
from indicators.surveys.models import QuestionItem, Respondent, Setting, Survey
from indicators.surveys.services.aggregation import item_score

# (design) Cells with fewer respondents are not shown: too few to mean anything, and small
# groups in one kelurahan could identify a respondent.
MIN_CELL = 5
# Two-sided 97.5 % quantiles of Student's t by degrees of freedom (n − 1).
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
         9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
         16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074,
         23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045,
         30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}  # fmt: skip


def t_quantile(df: int) -> float:
    """Between table rows, the quantile of the nearest smaller df (slightly wider: the
    conservative side); past 120, the normal 1.96."""
    if df > max(_T975):
        return 1.96
    return _T975[max(key for key in _T975 if key <= df)]


@dataclass(frozen=True)
class Cell:
    n: int
    mean: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.n < MIN_CELL


def cell_of(values: list[float]) -> Cell:
    n = len(values)
    if n < MIN_CELL:
        return Cell(n)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(n - 1) * sd / math.sqrt(n)
    return Cell(n, mean, mean - half, mean + half)


@dataclass
class Report:
    variables: list[Variable]
    rows: list[tuple[str, list[Cell]]]  # (setting label, one cell per variable)
    total: list[Cell]
    respondents: int
    excluded: int


def variable_means(items: list[QuestionItem], answers: dict[str, Any]) -> dict[int, float]:
    """One respondent's mean per variable over the Likert items answered (reverse 5 − a)."""
    sums: dict[int, list[float]] = defaultdict(list)
    for item in items:
        answer = answers.get(item.code)
        if answer is not None and item.answer_type == QuestionItem.AnswerType.LIKERT:
            sums[item.variable_id].append(float(item_score(item, answer)))
    return {variable: sum(v) / len(v) for variable, v in sums.items()}


def survey_report(survey: Survey) -> Report:
    items = list(survey.questionnaire.items.all())
    variables = list(Variable.objects.filter(pk__in={i.variable_id for i in items}))
    per_cell: dict[tuple[str, int], list[float]] = defaultdict(list)
    per_variable: dict[int, list[float]] = defaultdict(list)
    respondents = 0
    for setting, answers in survey.respondents.included().values_list("setting", "answers"):
        respondents += 1
        for variable, mean in variable_means(items, answers).items():
            per_cell[(setting, variable)].append(mean)
            per_variable[variable].append(mean)
    rows = [
        (str(label), [cell_of(per_cell[(code, v.pk)]) for v in variables])
        for code, label in Setting.choices
    ]
    return Report(
        variables=variables,
        rows=rows,
        total=[cell_of(per_variable[v.pk]) for v in variables],
        respondents=respondents,
        excluded=survey.respondents.filter(excluded=True).count(),
    )


# --- Microdata ---------------------------------------------------------------------------


def microdata_header(items: list[QuestionItem]) -> list[str]:
    return ["no", "kode_kelurahan", "kelurahan", "setting", "jenis_kelamin", "kelompok_umur",
            "sumber", "tanda_mutu", "dikecualikan", *(item.code for item in items)]  # fmt: skip


def microdata_rows(survey: Survey) -> Iterator[list[Any]]:
    """One row per respondent, in a stable order, without anything that could identify the
    respondent or the enumerator: no UUID or submission id, no enumerator, no timestamps, no
    exclusion reason (free text)."""
    items = list(survey.questionnaire.items.all())
    yield microdata_header(items)
    respondents = (
        Respondent.objects.for_city(survey.period.city_id)
        .filter(survey=survey)
        .order_by("kelurahan__code", "setting", "id")
        .values_list("kelurahan__code", "kelurahan__name", "setting", "sex", "age_group",
                     "source", "flags", "excluded", "answers")
    )  # fmt: skip
    for number, row in enumerate(respondents.iterator(2000), start=1):
        code, name, setting, sex, age, source, flags, excluded, answers = row
        yield [number, code, name, setting, sex, age, source, " ".join(flags),
               1 if excluded else 0, *(answers.get(item.code) for item in items)]  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def microdata_csv_lines(survey: Survey) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in microdata_rows(survey):
        yield writer.writerow(["" if cell is None else cell for cell in row])


def microdata_xlsx(survey: Survey) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Mikrodata"))
    for row in microdata_rows(survey):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
