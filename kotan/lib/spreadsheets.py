"""Writing cells that a spreadsheet program will not run: the one rule every CSV and XLSX
export of the app follows.

OWASP's CSV-injection rule: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return is read by Excel and LibreOffice as a formula (`=HYPERLINK(...)`, `=1+1`, `@SUM(...)`),
so such text gets a leading `'`. In an XLSX the text cell is also typed as a string (openpyxl
would otherwise store text starting with `=` as a formula). Numbers stay numbers: a negative
number is a number, not text, and is never prefixed.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(text: str) -> str:
    """Text that no spreadsheet program reads as a formula."""
    return QUOTE + text if text.startswith(FORMULA_TRIGGERS) else text


def unneutralise(text: str) -> str:
    """The text a `neutralise`d cell held, for reading an export back in."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def safe_value(value: Any) -> Any:
    """A cell value for an export: text neutralised, numbers, dates and None unchanged, any
    other object as its neutralised text."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime.date | datetime.time):
        return value
    return neutralise(str(value))


def xlsx_cell(sheet: Worksheet, value: Any) -> Cell:
    """A cell for `sheet.append`: text typed as a string, whatever its first character."""
    cell = WriteOnlyCell(sheet, value=safe_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def xlsx_row(sheet: Worksheet, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append` (write-only or not): every text value as a safe string cell;
    cells already built (with a style) are made safe in place."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, Cell):
            value.value = safe_value(value.value)
            if isinstance(value.value, str):
                value.data_type = "s"
            row.append(value)
        else:
            row.append(xlsx_cell(sheet, value))
    return row


def csv_text(rows: Iterable[Sequence[Any]], *, delimiter: str = ",", decimal: str = ".") -> str:
    """Rows as CSV text, every text cell neutralised; numbers written as numbers, with
    `decimal` as their separator (Excel set to Indonesian wants `;` and `,`)."""
    output = io.StringIO(newline="")
    writer = csv.writer(output, delimiter=delimiter)
    for row in rows:
        writer.writerow([_csv_cell(value, decimal) for value in row])
    return output.getvalue()


def _csv_cell(value: Any, decimal: str = ".") -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", decimal)
    if isinstance(value, bool | int | float):
        return str(value)
    return neutralise(str(value))
