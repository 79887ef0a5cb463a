"""Reading an uploaded XLSX or CSV row by row, and turning its cells into values."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook, SheetTypeEnum

from indicators.models import ImportBatch, Indicator
from kotan.lib.spreadsheets import unneutralise
from kotan.lib.uploads import (
    TooManyRows,
    UnsafeSpreadsheet,
    XlsxLimits,
    too_many_rows,
    xlsx_check,
)

Level = Indicator.Level
LEVEL_SHEETS: dict[str, str] = {
    Level.KOTA: "Kota",
    Level.KELURAHAN: "Kelurahan",
    Level.STAKEHOLDER: "Pemangku kepentingan",
}
GUIDE_SHEET = "Petunjuk"
UNIT_COLUMN = "kode_unit"
NAME_COLUMN = "nama_unit"
LEVEL_COLUMN = "tingkat"
STATUS_COLUMN = "status"
INFO_COLUMNS = frozenset({NAME_COLUMN, STATUS_COLUMN})
NOTE_MARK = "#"
CSV_SHEET = "CSV"

# Words accepted for a level, in a sheet name or in the `tingkat` column.
_LEVEL_WORDS: dict[str, str] = {
    "kota": Level.KOTA,
    "kelurahan": Level.KELURAHAN,
    "stakeholder": Level.STAKEHOLDER,
    "pemangku": Level.STAKEHOLDER,
    "pemangku kepentingan": Level.STAKEHOLDER,
}
_YES = frozenset({"ya", "y", "yes"})
_NO = frozenset({"tidak", "tdk", "no"})

# Limits that keep one upload from exhausting the worker: a city has ~100 units, the


# benchmark 10,000; a file past these is refused, not half-read.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_DATA_ROWS = 50_000
MAX_CELL_TEXT = 100
# Rows read in all (header, note and blank rows included) before a file is refused, whatever
# the parser: a sheet is never read past this.
MAX_ROWS_READ = MAX_DATA_ROWS + 1_000


class UnreadableFile(Exception):
    pass


class RefusedFile(Exception):
    """A file refused unread (a zip bomb, too many rows); the message is for the user."""


def xlsx_refusal(handle: Any) -> str | None:
    """Why an XLSX must not be parsed at all (kotan.lib.uploads.xlsx_check), or None."""
    try:
        xlsx_check(handle, XlsxLimits.from_settings(max_rows=MAX_ROWS_READ))
    except TooManyRows:
        return str(too_many_rows(MAX_DATA_ROWS))  # the cap as the operator knows it
    except UnsafeSpreadsheet as error:
        return str(error)
    return None


# --- Reading files -----------------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    rows: Iterator[tuple[int, list[Any]]]


def sniff_format(head: bytes) -> str | None:
    """The format of an upload judged by its first bytes, not its name: XLSX is a zip
    archive; anything else must be text without NUL bytes to be read as CSV."""
    if head.startswith(b"PK\x03\x04"):
        return ImportBatch.Format.XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0") or b"\x00" in head:
        return None  # an old .xls (OLE2) or some other binary file
    return ImportBatch.Format.CSV


def _guarded(rows: Iterable[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """calamine and csv may fail mid-iteration with whatever the parser raises (zip, XML,
    csv or value errors). Any of them means "this file cannot be
    read" for the operator, never a crashed job. Reading stops at MAX_ROWS_READ rows."""
    try:
        for number, values in rows:
            if number > MAX_ROWS_READ:
                raise RefusedFile(str(too_many_rows(MAX_DATA_ROWS)))
            yield number, values
    except RefusedFile:
        raise
    except Exception as error:
        raise UnreadableFile(str(error)) from error


def _calamine_cell(raw: Any) -> Any:
    """A calamine cell as openpyxl gave it: an empty cell is None and a whole number an int
    (calamine reads every number as a float)."""
    if raw == "" and isinstance(raw, str):
        return None
    if type(raw) is float and raw.is_integer():
        return int(raw)
    return raw


def _calamine_rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    # skip_empty_area=False keeps the leading empty rows and columns, so row numbers and
    # column positions are the sheet's own, as the operator sees them in Excel.
    for number, values in enumerate(sheet.to_python(skip_empty_area=False), start=1):
        cells = [_calamine_cell(raw) for raw in values]
        # calamine pads every row to the sheet's width; openpyxl ends a row at its last cell,
        # and the checks tell "no header" from "an empty header" by the row's length.
        while cells and cells[-1] is None:
            cells.pop()
        yield number, cells


# calamine allocates a sheet's whole range (first to last cell) at once: a 1 KB file with
# cells in A1 and XFD1048576 would ask for 512 GB. Above this many cells in a range (a city
# file is ~100 units × ~100 columns, the benchmark 10,000 × 12) the import streams with
# openpyxl instead, which stops at the row cap.
CALAMINE_MAX_CELLS = 2_000_000
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]{0,200}?\sr="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]{0,200}?\sr="([0-9]{1,7})"')
_SCAN_CHUNK = 1024 * 1024


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _largest_range(handle: Any) -> int:
    """The largest number of cells between A1 and a worksheet's last referenced cell, found
    by streaming every worksheet part once (after xlsx_check bounded their sizes)."""
    start = handle.tell()
    largest = 0
    try:
        with zipfile.ZipFile(handle) as archive:
            for entry in archive.infolist():
                name = entry.filename.lower()
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                rows = columns = 0
                with archive.open(entry) as part:
                    tail = b""
                    while chunk := part.read(_SCAN_CHUNK):
                        data = tail + chunk
                        # A tag cut between chunks is scanned again with the next chunk.
                        cut = max(len(data) - 256, 0)
                        for letters, row in _CELL_REF.findall(data, 0, cut):
                            columns = max(columns, _column_number(letters))
                            rows = max(rows, int(row))
                        for row in _ROW_REF.findall(data, 0, cut):
                            rows = max(rows, int(row))
                        tail = data[cut:]
                    for letters, row in _CELL_REF.findall(tail):
                        columns = max(columns, _column_number(letters))
                        rows = max(rows, int(row))
                    for row in _ROW_REF.findall(tail):
                        rows = max(rows, int(row))
                largest = max(largest, rows * max(columns, 1))
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        largest = 0  # damaged: the parser will call it unreadable
    finally:
        handle.seek(start)
    return largest


def _xlsx_sheets(handle: Any) -> list[Sheet]:
    """The workbook's worksheets, only after the zip-bomb and row-count checks passed: read
    with calamine (several times faster than openpyxl), or streamed with openpyxl when a
    sheet's range is too large to allocate."""
    refusal = xlsx_refusal(handle)
    if refusal:
        raise RefusedFile(refusal)
    if _largest_range(handle) > CALAMINE_MAX_CELLS:
        return _openpyxl_sheets(handle)
    try:
        workbook = CalamineWorkbook.from_filelike(handle)
        names = [
            meta.name for meta in workbook.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet
        ]
    except Exception as error:
        raise UnreadableFile(str(error)) from error
    sheets = []
    for name in names:
        try:
            worksheet = workbook.get_sheet_by_name(name)
        except Exception as error:
            raise UnreadableFile(str(error)) from error
        sheets.append(Sheet(name, _guarded(_calamine_rows(worksheet))))
    return sheets


def _openpyxl_sheets(handle: Any) -> list[Sheet]:
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:
        raise UnreadableFile(str(error)) from error
    sheets = []
    for worksheet in workbook.worksheets:
        # Some writers store a wrong dimension; dropping it makes sure every cell is read.
        worksheet.reset_dimensions()
        rows = (
            (number, list(values))
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1)
        )
        sheets.append(Sheet(worksheet.title, _guarded(rows)))
    return sheets


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves CSV in the ANSI code page; latin-1 never fails to decode.
        return data.decode("latin-1")


def _csv_sheets(handle: Any) -> list[Sheet]:
    data = handle.read()
    if b"\x00" in data:
        raise UnreadableFile("NUL byte")
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    # Excel with Indonesian regional settings separates with ";" (the comma is the decimal
    # separator there); other tools use ",".
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = ((number, list(values)) for number, values in enumerate(reader, start=1))
    return [Sheet(CSV_SHEET, _guarded(rows))]


@contextmanager
def open_sheets(batch: ImportBatch) -> Iterator[list[Sheet]]:
    """The batch's sheets, each read lazily row by row while the context is open."""
    with batch.file.open("rb") as handle:
        if batch.file_format == ImportBatch.Format.XLSX:
            yield _xlsx_sheets(handle)
        else:
            yield _csv_sheets(handle)


# --- Cells -------------------------------------------------------------------------------


def cell_text(raw: Any) -> str:
    """A cell as text; numbers as Python writes them (a unit code Excel turned into the
    number 53.71 still reads as "53.71")."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    # An export writes text that starts like a formula with a leading ' (kotan.lib.spreadsheets).
    return unneutralise(str(raw).strip())


def parse_cell(raw: Any, indicator: Indicator) -> tuple[Decimal | None, str | None]:
    """A spreadsheet cell as a value for `indicator`: (value, None), (None, None) for an empty
    cell, or (None, message) for something that is not a number at all. Range and type rules
    are left to `value_error`, the entry forms' validator."""
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return Decimal(int(raw)), None
    if isinstance(raw, int):
        return Decimal(raw), None
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return None, _("Nilai harus berupa angka.")
        return Decimal(repr(raw)), None
    if isinstance(raw, Decimal):
        return raw, None
    if isinstance(raw, datetime | date | time | timedelta):
        return None, _("Nilai harus berupa angka, bukan tanggal atau waktu.")
    text = str(raw).strip()
    if not text:
        return None, None
    if len(text) > MAX_CELL_TEXT:
        return None, _("Isian terlalu panjang untuk sebuah nilai.")
    word = text.casefold()
    if word in _YES or word in _NO:
        if indicator.kind != Indicator.Kind.YES_NO:
            return None, _("Nilai harus berupa angka.")
        return Decimal(1 if word in _YES else 0), None
    if text.endswith("%"):
        text = text[:-1].rstrip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # the Indonesian decimal comma
    try:
        return Decimal(text), None
    except (InvalidOperation, ValueError):
        return None, _("Nilai harus berupa angka.")


def level_of(text: str) -> str | None:
    return _LEVEL_WORDS.get(" ".join(text.casefold().split()))
