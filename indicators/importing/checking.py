"""Judging every cell of a file against the period's current data: the analysis shared by
the check (the preview) and the import."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from indicators.importing.reading import (
    GUIDE_SHEET,
    INFO_COLUMNS,
    LEVEL_COLUMN,
    MAX_DATA_ROWS,
    NOTE_MARK,
    UNIT_COLUMN,
    Level,
    RefusedFile,
    Sheet,
    UnreadableFile,
    cell_text,
    level_of,
    open_sheets,
    parse_cell,
)
from indicators.models import AssessmentPeriod, ImportBatch, Indicator, IndicatorValue, Submission
from indicators.services.values import value_error
from kotan.models import Region, Stakeholder

logger = logging.getLogger(__name__)

# Errors beyond this are counted but not listed (a wrong file can produce one per cell).
MAX_ERRORS_LISTED = 5_000
_PROGRESS_EVERY = 500


UnitKey = tuple[str, int | None, int | None]  # (level, region_id, stakeholder_id)
Progress = Callable[[int, int], None]  # (rows done, rows expected)


# --- The analysis shared by the check and the import -------------------------------------


@dataclass(frozen=True)
class Unit:
    key: UnitKey
    label: str  # as str(unit) is written in the audit trail by the entry forms
    name: str


class Change(NamedTuple):
    # A named tuple, not a dataclass: a large file makes ~100,000 of them, twice (check and
    # import), and a tuple is several times cheaper to build.
    key: UnitKey
    unit_label: str
    indicator: Indicator
    value: Decimal
    stored_pk: int | None
    old: Decimal | None


@dataclass
class Context:
    period: AssessmentPeriod
    indicators: dict[str, Indicator]  # by upper-case code, retired ones included
    units: dict[str, dict[str, Unit]]  # level → unit code → unit
    assigned: set[tuple[int, int]]  # (indicator_id, stakeholder_id)
    submissions: dict[UnitKey, tuple[int, str]]  # → (pk, status)
    stored: dict[tuple[int, int], tuple[int, Decimal | None]]  # (submission, indicator) → …
    # (indicator pk, raw cell) → (value, message) of parse_cell and value_error.
    judged: dict[tuple[int, Any], tuple[Decimal | None, str | None]] = field(default_factory=dict)


# Statuses a changed unit leaves for draft, as a save in the entry form does. A submitted
# unit waits for the verifier: the import changes it only with the operator's consent.
BACK_TO_DRAFT = (Submission.Status.SUBMITTED, Submission.Status.RETURNED)


@dataclass
class Analysis:
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_total: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def error(self, sheet: str, row: int, column: str, message: str, value: Any = None) -> None:
        """`value` is the offending cell as written in the file, shown beside the message."""
        self.error_total += 1
        if len(self.errors) < MAX_ERRORS_LISTED:
            self.errors.append(
                {
                    "sheet": sheet,
                    "row": row,
                    "column": column,
                    "message": message,
                    "value": cell_text(value)[:100] if value is not None else "",
                }
            )

    def counts(self) -> dict[str, int]:
        new = sum(1 for change in self.changes if change.stored_pk is None)
        to_draft = [row["status"] for row in self.rows if row.get("status")]
        return {
            "rows": len(self.rows),
            "empty": sum(1 for row in self.rows if row_is_empty(row)),
            "new": new,
            "changed": len(self.changes) - new,
            "unchanged": self.unchanged,
            "errors": self.error_total,
            "submitted_to_draft": to_draft.count(Submission.Status.SUBMITTED),
            "returned_to_draft": to_draft.count(Submission.Status.RETURNED),
        }


def row_is_empty(row: dict[str, Any]) -> bool:
    return not (row["new"] or row["changed"] or row["unchanged"] or row["errors"])


def load_context(period: AssessmentPeriod) -> Context:
    city = period.city
    indicators = {i.code.upper(): i for i in Indicator.objects.all()}
    kelurahan = Region.objects.filter(city=city, level=Region.Level.KELURAHAN)
    stakeholders = Stakeholder.objects.filter(city=city, active=True)
    units: dict[str, dict[str, Unit]] = {
        Level.KOTA: {city.code: Unit((Level.KOTA, city.pk, None), str(city), city.name)},
        Level.KELURAHAN: {
            r.code: Unit((Level.KELURAHAN, r.pk, None), str(r), r.name) for r in kelurahan
        },
        Level.STAKEHOLDER: {
            s.code: Unit((Level.STAKEHOLDER, None, s.pk), str(s), s.name) for s in stakeholders
        },
    }
    assigned = set(
        Indicator.responsible.through.objects.filter(stakeholder__city=city).values_list(
            "indicator_id", "stakeholder_id"
        )
    )
    submissions: dict[UnitKey, tuple[int, str]] = {
        (level, region_id, stakeholder_id): (pk, status)
        for pk, level, region_id, stakeholder_id, status in Submission.objects.filter(
            period=period
        ).values_list("pk", "level", "region_id", "stakeholder_id", "status")
    }
    stored = {
        (submission_id, indicator_id): (pk, value)
        for submission_id, indicator_id, pk, value in IndicatorValue.objects.filter(
            submission__period=period
        ).values_list("submission_id", "indicator_id", "pk", "value")
    }
    return Context(period, indicators, units, assigned, submissions, stored)


@dataclass
class _Layout:
    unit_index: int
    level_index: int | None
    columns: list[tuple[int, Indicator, str]]  # (index, indicator, column letter)
    ignored: set[int]  # columns without a header: any value under them is an error
    level: str | None  # the sheet's level, when not given per row
    unit_letter: str = ""


def _layout(sheet: Sheet, header: list[Any], ctx: Context, out: Analysis) -> _Layout | None:
    names = [cell_text(cell) for cell in header]
    lowered = [name.casefold() for name in names]
    if UNIT_COLUMN not in lowered:
        out.error(
            sheet.name,
            1,
            "",
            _("Baris 1 harus memuat judul kolom %(column)s dan kode indikator.")
            % {"column": UNIT_COLUMN},
        )
        return None
    sheet_level = level_of(sheet.name)
    level_index = lowered.index(LEVEL_COLUMN) if LEVEL_COLUMN in lowered else None
    columns: list[tuple[int, Indicator, str]] = []
    ignored: set[int] = set()
    seen: dict[str, str] = {}
    for index, (name, low) in enumerate(zip(names, lowered, strict=True)):
        letter = get_column_letter(index + 1)
        if low in (UNIT_COLUMN, LEVEL_COLUMN) or low in INFO_COLUMNS:
            continue
        if not name:
            ignored.add(index)
            continue
        indicator = ctx.indicators.get(name.upper())
        if indicator is None:
            out.error(
                sheet.name,
                1,
                letter,
                _("Kode indikator tidak dikenal: %(code)s.") % {"code": name},
                name,
            )
        elif not indicator.active:
            out.error(
                sheet.name,
                1,
                letter,
                _("Indikator %(code)s sudah tidak aktif.") % {"code": indicator.code},
            )
        elif indicator.code in seen:
            out.error(
                sheet.name,
                1,
                letter,
                _("Kolom indikator %(code)s ganda (pertama di kolom %(first)s).")
                % {"code": indicator.code, "first": seen[indicator.code]},
            )
        elif sheet_level and indicator.level != sheet_level:
            out.error(
                sheet.name,
                1,
                letter,
                _("Indikator %(code)s tingkat %(level)s, tidak dapat diisi di lembar ini.")
                % {"code": indicator.code, "level": indicator.get_level_display()},
            )
        else:
            seen[indicator.code] = letter
            columns.append((index, indicator, letter))
    level = sheet_level
    if level is None and level_index is None:
        levels = {indicator.level for _index, indicator, _letter in columns}
        if len(levels) > 1:
            out.error(
                sheet.name,
                1,
                "",
                _(
                    "Lembar ini mencampur indikator beberapa tingkat; tambahkan kolom "
                    "%(column)s atau pisahkan per lembar."
                )
                % {"column": LEVEL_COLUMN},
            )
            return None
        level = levels.pop() if levels else None
    unit_index = lowered.index(UNIT_COLUMN)
    return _Layout(
        unit_index, level_index, columns, ignored, level, get_column_letter(unit_index + 1)
    )


def _cell(values: list[Any], index: int) -> Any:
    return values[index] if index < len(values) else None


def _is_blank(values: list[Any]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _judge(ctx: Context, indicator: Indicator, raw: Any) -> tuple[Decimal | None, str | None]:
    """`parse_cell`, then `value_error` for a number, remembered per (indicator, raw cell):
    a large file repeats the same few hundred values, and Decimal work is slow.

    Keyed by the raw cell, not by the Decimal: Decimal("1.0000") equals Decimal(1) but has
    too many decimals. Raw cells that compare equal (1, 1.0, True) get the same verdict."""
    key = (indicator.pk, raw)
    try:
        verdict = ctx.judged.get(key)
        remember = True
    except TypeError:  # an unhashable cell object: judge it without remembering
        verdict, remember = None, False
    if verdict is None:
        value, message = parse_cell(raw, indicator)
        if value is not None and message is None:
            message = value_error(indicator, value)
        verdict = (value, message)
        if remember:
            ctx.judged[key] = verdict
    return verdict


def _analyse_row(
    sheet: Sheet,
    number: int,
    values: list[Any],
    layout: _Layout,
    ctx: Context,
    seen_units: dict[UnitKey, tuple[str, int]],
    out: Analysis,
) -> None:
    where = sheet.name
    before = out.error_total
    width = len(values)
    unit_code = cell_text(values[layout.unit_index] if layout.unit_index < width else None)
    fate: dict[str, Any] = {
        "sheet": where,
        "row": number,
        "unit": unit_code,
        "name": "",
        "new": 0,
        "changed": 0,
        "unchanged": 0,
        "errors": 0,
    }
    level = layout.level
    if layout.level_index is not None:
        level_text = cell_text(_cell(values, layout.level_index))
        level = level_of(level_text)
        if level is None:
            out.error(
                where,
                number,
                get_column_letter(layout.level_index + 1),
                _("Tingkat tidak dikenal: %(level)s (isi kota, kelurahan atau pemangku).")
                % {"level": level_text or "—"},
                level_text,
            )
    unit: Unit | None = None
    if level is not None:
        unit_letter = layout.unit_letter
        if not unit_code:
            out.error(where, number, unit_letter, _("Kode unit kosong."))
        else:
            unit = ctx.units[level].get(
                unit_code.lower() if level == Level.STAKEHOLDER else unit_code
            )
            if unit is None:
                out.error(
                    where,
                    number,
                    unit_letter,
                    _("Kode unit tidak dikenal untuk tingkat %(level)s: %(code)s.")
                    % {"level": Level(level).label, "code": unit_code},
                    unit_code,
                )
            elif unit.key in seen_units:
                first_sheet, first_row = seen_units[unit.key]
                out.error(
                    where,
                    number,
                    unit_letter,
                    _("Unit %(code)s sudah ada di %(first)s.")
                    % {
                        "code": unit_code,
                        "first": _("lembar %(sheet)s baris %(row)s")
                        % {"sheet": first_sheet, "row": first_row},
                    },
                    unit_code,
                )
                unit = None
            else:
                seen_units[unit.key] = (where, number)
                fate["name"] = unit.name
    submission = ctx.submissions.get(unit.key) if unit else None
    for index in layout.ignored:
        if text := cell_text(_cell(values, index)):
            out.error(
                where, number, get_column_letter(index + 1), _("Kolom ini tidak punya kode."), text
            )
    for index, indicator, letter in layout.columns:
        raw = values[index] if index < width else None
        if raw is None:
            continue  # the common empty cell, without a lookup
        value, message = _judge(ctx, indicator, raw)
        if value is None and message is None:
            continue
        # A wrong level is reported instead of value_error's verdict, as it always was; a
        # cell that is no number at all (value None) keeps its parse message.
        if value is not None and level is not None and indicator.level != level:
            message = _("Indikator %(code)s tingkat %(level)s; baris ini tingkat %(row)s.") % {
                "code": indicator.code,
                "level": indicator.get_level_display(),
                "row": Level(level).label,
            }
        if message is None and unit is not None and level == Level.STAKEHOLDER:
            stakeholder_id = unit.key[2]
            assert stakeholder_id is not None
            if (indicator.pk, stakeholder_id) not in ctx.assigned:
                message = _("Indikator %(code)s tidak ditugaskan kepada %(unit)s.") % {
                    "code": indicator.code,
                    "unit": unit.label,
                }
        if message is not None:
            out.error(where, number, letter, f"{indicator.code}: {message}", raw)
            continue
        if unit is None or value is None:
            continue
        stored_pk, old = (None, None)
        if submission is not None:
            stored_pk, old = ctx.stored.get((submission[0], indicator.pk), (None, None))
        if old is not None and old == value:
            out.unchanged += 1
            fate["unchanged"] += 1
            continue
        if submission is not None and submission[1] == Submission.Status.APPROVED:
            out.error(
                where,
                number,
                letter,
                _(
                    "%(code)s: data %(unit)s sudah disetujui dan terkunci; minta verifikator "
                    "membukanya kembali."
                )
                % {"code": indicator.code, "unit": unit.label},
                raw,
            )
            continue
        out.changes.append(Change(unit.key, unit.label, indicator, value, stored_pk, old))
        fate["new" if stored_pk is None else "changed"] += 1
        if submission is not None and submission[1] in BACK_TO_DRAFT:
            fate["status"] = submission[1]  # what the import turns into draft
    fate["errors"] = out.error_total - before
    out.rows.append(fate)


def analyse(batch: ImportBatch, ctx: Context, progress: Progress) -> Analysis:
    """Read the batch's file and judge every cell against the period's current data."""
    out = Analysis()
    if ctx.period.status == AssessmentPeriod.Status.LOCKED:
        out.error("", 0, "", _("Periode ini sudah dikunci; data tidak dapat diubah."))
        return out
    seen_units: dict[UnitKey, tuple[str, int]] = {}
    counter = _RowCounter(progress)
    try:
        with open_sheets(batch) as sheets:
            # A file holds at most one row per unit of the city: the template's length.
            counter.expected = sum(len(units) for units in ctx.units.values())
            for sheet in sheets:
                if sheet.name.casefold() != GUIDE_SHEET.casefold():
                    _analyse_sheet(sheet, ctx, seen_units, counter, out)
    except UnreadableFile as error:
        logger.info("import %s: unreadable file: %s", batch.pk, error)
        out.error(
            "",
            0,
            "",
            _("Berkas tidak dapat dibaca sebagai %(format)s; simpan ulang lalu unggah lagi.")
            % {"format": batch.get_file_format_display()},
        )
    except RefusedFile as refused:
        logger.info("import %s: refused: %s", batch.pk, refused)
        out.error("", 0, "", str(refused))
    except _TooManyRows:
        out.error(
            "",
            0,
            "",
            _("Berkas terlalu besar: paling banyak %(max)s baris data.") % {"max": MAX_DATA_ROWS},
        )
    return out


class _TooManyRows(Exception):
    pass


@dataclass
class _RowCounter:
    progress: Progress
    expected: int = 0
    done: int = 0

    def tick(self) -> None:
        self.done += 1
        if self.done > MAX_DATA_ROWS:
            raise _TooManyRows
        if self.done % _PROGRESS_EVERY == 0:
            self.progress(self.done, self.expected)


def _analyse_sheet(
    sheet: Sheet,
    ctx: Context,
    seen_units: dict[UnitKey, tuple[str, int]],
    counter: _RowCounter,
    out: Analysis,
) -> None:

    layout: _Layout | None = None
    for number, values in sheet.rows:
        if layout is None:
            if _is_blank(values):
                continue  # an empty sheet has nothing to say
            if number == 1:
                layout = _layout(sheet, values, ctx, out)
                if layout is None:
                    return
                continue
            out.error(
                sheet.name,
                1,
                "",
                _("Baris 1 harus memuat judul kolom %(column)s dan kode indikator.")
                % {"column": UNIT_COLUMN},
            )
            return
        if _is_blank(values) or cell_text(_cell(values, layout.unit_index)).startswith(NOTE_MARK):
            continue
        counter.tick()
        _analyse_row(sheet, number, values, layout, ctx, seen_units, out)
