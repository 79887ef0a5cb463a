"""The action list as an XLSX workbook (openpyxl), for offices that report in spreadsheets."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kotan.lib.spreadsheets import xlsx_row
from meetings.models import Action


def actions_xlsx(actions: Iterable[Action], *, today: datetime.date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Tindak lanjut")
    headers = [
        _("Judul"),
        _("Instansi"),
        _("Kategori"),
        _("Variabel"),
        _("Indikator"),
        _("Tenggat"),
        _("Status"),
        _("Terlambat"),
        _("Kemajuan (%)"),
        _("Sumber"),
        _("Rapat"),
        _("Uraian"),
    ]
    sheet.append(xlsx_row(sheet, headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for action in actions:
        # Titles, descriptions and names are typed by people: written as text, never formulas.
        row = xlsx_row(
            sheet,
            [
                action.title,
                str(action.owner),
                action.get_category_display(),
                action.variable.code,
                action.indicator.code if action.indicator else "",
                action.due_on,
                action.get_status_display(),
                _("ya") if action.is_overdue(today) else _("tidak"),
                action.progress,
                action.get_source_display() + (f" {action.plan_year}" if action.plan_year else ""),
                str(action.meeting) if action.meeting else "",
                action.description,
            ],
        )
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A2"
    for column, width in zip(
        "ABCDEFGHIJKL", (40, 20, 18, 8, 9, 12, 12, 10, 10, 22, 40, 60), strict=True
    ):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
