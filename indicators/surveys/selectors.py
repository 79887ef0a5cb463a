"""Reads of the survey pages: progress against the sample plan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from indicators.surveys.models import Respondent, Setting, Survey
from indicators.surveys.services.plan import kelurahan_of
from kotan.models import Region, User


@dataclass
class ProgressCell:
    target: int = 0
    collected: int = 0
    setting: str = ""
    label: str = ""

    @property
    def shortfall(self) -> int:
        return max(self.target - self.collected, 0)


@dataclass
class ProgressRow:
    kelurahan: Region
    cells: list[ProgressCell]
    total: ProgressCell = field(default_factory=ProgressCell)


@dataclass
class Progress:
    settings: list[tuple[str, str]]
    rows: list[ProgressRow]
    by_setting: list[ProgressCell]
    total: ProgressCell
    by_enumerator: list[tuple[str, int]]


def survey_progress(survey: Survey) -> Progress:
    """Collected (included and excluded alike: they were collected) against target per
    kelurahan and setting, with totals and counts per enumerator. Four queries."""
    settings = [(code, str(label)) for code, label in Setting.choices]
    codes = [code for code, _label in settings]
    targets = {(t.kelurahan_id, t.setting): t.target for t in survey.targets.all()}
    counts = {
        (row["kelurahan_id"], row["setting"]): row["n"]
        for row in Respondent.objects.for_city(survey.period.city_id)
        .filter(survey=survey)
        .values("kelurahan_id", "setting")
        .annotate(n=Count("id"))
    }
    by_setting = [ProgressCell() for _code in codes]
    total = ProgressCell()
    rows = []
    for kelurahan in kelurahan_of(survey):
        row = ProgressRow(kelurahan=kelurahan, cells=[])
        for index, code in enumerate(codes):
            cell = ProgressCell(
                targets.get((kelurahan.pk, code), 0),
                counts.get((kelurahan.pk, code), 0),
                code,
                str(settings[index][1]),
            )
            row.cells.append(cell)
            for acc in (row.total, by_setting[index], total):
                acc.target += cell.target
                acc.collected += cell.collected
        rows.append(row)
    per_user: dict[int | None, int] = defaultdict(int)
    for count in (
        Respondent.objects.for_city(survey.period.city_id)
        .filter(survey=survey)
        .values("enumerator_id")
        .annotate(n=Count("id"))
    ):
        per_user[count["enumerator_id"]] = count["n"]
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=[k for k in per_user if k])}
    by_enumerator = sorted(
        ((names.get(pk, "") if pk else "", n) for pk, n in per_user.items()),
        key=lambda item: (-item[1], item[0]),
    )
    return Progress(settings, rows, by_setting, total, by_enumerator)
