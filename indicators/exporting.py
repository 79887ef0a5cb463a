"""Spreadsheets out: the empty template of a period and the export of its values, in the
layout indicators.importing reads back (so export → import gives the same values)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from indicators.importing import (
    GUIDE_SHEET,
    LEVEL_COLUMN,
    LEVEL_SHEETS,
    NAME_COLUMN,
    NOTE_MARK,
    STATUS_COLUMN,
    UNIT_COLUMN,
    Level,
)
from indicators.models import AssessmentPeriod, Indicator, IndicatorValue, Submission
from kotan.lib.spreadsheets import csv_text, xlsx_cell, xlsx_row
from kotan.models import Region, Stakeholder

_NOT_ASSIGNED = PatternFill("solid", fgColor="D9D9D9")
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class _UnitRow:
    code: str
    name: str
    region_id: int | None
    stakeholder_id: int | None


@dataclass
class PeriodTable:
    """A period's units per level, its active indicators per level, and its stored values."""

    indicators: dict[str, list[Indicator]]
    units: dict[str, list[_UnitRow]]
    # (level, region_id, stakeholder_id) → (status, {indicator_id: value})
    data: dict[tuple[str, int | None, int | None], tuple[str, dict[int, Decimal | None]]]
    assigned: set[tuple[int, int]]


def period_table(period: AssessmentPeriod, *, with_values: bool) -> PeriodTable:
    """Everything a template or an export shows, in a fixed number of queries."""
    city = period.city
    indicators: dict[str, list[Indicator]] = {level: [] for level in LEVEL_SHEETS}
    for indicator in Indicator.objects.active().select_related("variable"):
        indicators[indicator.level].append(indicator)
    units: dict[str, list[_UnitRow]] = {
        Level.KOTA: [_UnitRow(city.code, city.name, city.pk, None)],
        Level.KELURAHAN: [
            _UnitRow(r.code, r.name, r.pk, None)
            for r in Region.objects.filter(city=city, level=Region.Level.KELURAHAN).order_by("code")
        ],
        Level.STAKEHOLDER: [
            _UnitRow(s.code, s.short_name or s.name, None, s.pk)
            for s in Stakeholder.objects.filter(city=city, active=True).order_by("code")
        ],
    }
    data: dict[tuple[str, int | None, int | None], tuple[str, dict[int, Decimal | None]]] = {}
    if with_values:
        keys = {}
        for pk, level, region_id, stakeholder_id, status in Submission.objects.filter(
            period=period
        ).values_list("pk", "level", "region_id", "stakeholder_id", "status"):
            key = (level, region_id, stakeholder_id)
            keys[pk] = key
            data[key] = (status, {})
        for submission_id, indicator_id, value in IndicatorValue.objects.filter(
            submission__period=period
        ).values_list("submission_id", "indicator_id", "value"):
            data[keys[submission_id]][1][indicator_id] = value
    assigned = set(
        Indicator.responsible.through.objects.filter(stakeholder__city=city).values_list(
            "indicator_id", "stakeholder_id"
        )
    )
    return PeriodTable(indicators, units, data, assigned)


def _cell_value(value: Decimal | None) -> int | float | None:
    # Numbers, not text, so that the spreadsheet can compute with them; three decimals at
    # most are stored, which a float carries exactly through repr().
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def column_note(indicator: Indicator) -> str:
    """How to fill an indicator's column, in Indonesian."""
    if indicator.kind == Indicator.Kind.YES_NO:
        how = _("isi 1 (Ya) atau 0 (Tidak)")
    elif indicator.kind == Indicator.Kind.COUNT:
        how = _("bilangan bulat ≥ 0, target %(target)s") % {"target": _plain(indicator.value_max)}
    else:
        how = _("angka %(low)s–%(high)s") % {
            "low": _plain(indicator.value_min),
            "high": _plain(indicator.value_max),
        }
    unit = f" [{indicator.unit}]" if indicator.unit else ""
    return f"{indicator.name}{unit}: {how}"


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f").replace(".", ",")


def _status_label(status: str) -> str:
    return str(Submission.Status(status).label) if status else ""


def _unit_key(level: str, unit: _UnitRow) -> tuple[str, int | None, int | None]:
    return (level, unit.region_id, unit.stakeholder_id)


def workbook_bytes(period: AssessmentPeriod, *, with_values: bool) -> bytes:
    """The XLSX template (with_values False) or export (True) of a period."""
    table = period_table(period, with_values=with_values)
    workbook = Workbook(write_only=True)
    if not with_values:
        _guide_sheet(workbook, period)
    for level, title in LEVEL_SHEETS.items():
        sheet = workbook.create_sheet(title)
        indicators = table.indicators[level]
        sheet.column_dimensions["A"].width = 18
        sheet.column_dimensions["B"].width = 32
        fixed = [UNIT_COLUMN, NAME_COLUMN] + ([STATUS_COLUMN] if with_values else [])
        sheet.freeze_panes = f"{get_column_letter(len(fixed) + 1)}3"
        header = [xlsx_cell(sheet, name) for name in fixed]
        header += [xlsx_cell(sheet, i.code) for i in indicators]
        for cell in header:
            cell.font = _BOLD
        sheet.append(header)
        blanks = [""] * (len(fixed) - 1)
        note = [f"{NOTE_MARK} keterangan", *blanks, *map(column_note, indicators)]
        sheet.append(xlsx_row(sheet, note))
        for unit in table.units[level]:
            status, values = table.data.get(_unit_key(level, unit), ("", {}))
            row: list[Any] = [unit.code, unit.name]
            if with_values:
                row.append(_status_label(status))
            for indicator in indicators:
                value = _cell_value(values.get(indicator.pk))
                if (
                    level == Level.STAKEHOLDER
                    and (indicator.pk, unit.stakeholder_id) not in table.assigned
                ):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.fill = _NOT_ASSIGNED
                    row.append(cell)
                else:
                    row.append(value)
            # Unit names are typed by people (a stakeholder's short name may be `=1+1`).
            sheet.append(xlsx_row(sheet, row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _guide_sheet(workbook: Workbook, period: AssessmentPeriod) -> None:
    sheet = workbook.create_sheet(GUIDE_SHEET)
    sheet.column_dimensions["A"].width = 110
    lines = [
        _("Templat pengisian data KOTAN — %(period)s") % {"period": period},
        "",
        _("1. Isi satu lembar per tingkat: Kota, Kelurahan, Pemangku kepentingan."),
        _("2. Satu baris per unit; kolom %(column)s jangan diubah.") % {"column": UNIT_COLUMN},
        _("3. Satu kolom per indikator; baris kedua (diawali #) menjelaskan cara mengisinya."),
        _("4. Sel kosong dilewati: nilai yang sudah tersimpan tidak dihapus."),
        _("5. Sel abu-abu: indikator itu tidak ditugaskan kepada instansi tersebut."),
        _("6. Data yang sudah disetujui terkunci; nilai yang berbeda akan ditolak."),
        _("7. Unggah berkas ini (XLSX) atau satu lembarnya disimpan sebagai CSV."),
    ]
    for line in lines:
        sheet.append(xlsx_row(sheet, [line]))


def csv_rows(period: AssessmentPeriod) -> Iterator[list[str | Decimal | None]]:
    """The export as one CSV table: a `tingkat` column says each row's level, and only the
    indicators of that level are filled."""
    table = period_table(period, with_values=True)
    every = [i for level in LEVEL_SHEETS for i in table.indicators[level]]
    yield [LEVEL_COLUMN, UNIT_COLUMN, NAME_COLUMN, STATUS_COLUMN, *(i.code for i in every)]
    for level in LEVEL_SHEETS:
        for unit in table.units[level]:
            status, values = table.data.get(_unit_key(level, unit), ("", {}))
            row: list[str | Decimal | None] = [level, unit.code, unit.name, _status_label(status)]
            row += [values.get(indicator.pk) for indicator in every]
            yield row


def csv_bytes(period: AssessmentPeriod, *, excel_id: bool = False) -> bytes:
    """`excel_id`: for Excel set to Indonesian, which splits columns at `;` and reads 2,7
    as a number (a comma-separated file opens there as one column). The importer reads
    both kinds."""
    # With a byte-order mark Excel opens the file as UTF-8 (kelurahan names keep their
    # letters); the importer strips it.
    text = csv_text(
        csv_rows(period), delimiter=";" if excel_id else ",", decimal="," if excel_id else "."
    )
    return text.encode("utf-8-sig")
