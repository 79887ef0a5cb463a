"""Spreadsheet import: an operator uploads an XLSX or CSV of a period's values, a background
job checks every cell and lists every row's fate and every error, and only after the operator
confirms a file without errors does a second job write all of it in one transaction.

The rules are those of the entry forms (indicators.services.values): the same `value_error`,
the same lock (approved data and locked periods refuse changes), the same audit entries
({field: [old, new]}, action `value.import`), the same return to draft of a submitted unit.
What differs is only the scale: a file may hold 10,000 units, so reads and writes are bulk
queries instead of one service call per unit.

File layout (written by indicators.exporting, read here):
- one sheet per level, named as in LEVEL_SHEETS; a sheet named GUIDE_SHEET is skipped;
- row 1: `kode_unit`, `nama_unit`, then one indicator code per column;
- rows whose first cell starts with `#` are notes (the template's row of indicator names);
- a CSV is one sheet; its level is read from a `tingkat` column or from its indicators.
An empty cell means "no value given": it is skipped, never used to erase a stored value.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from psycopg import sql
from psycopg.types.json import Jsonb

from indicators.models import AssessmentPeriod, ImportBatch, Indicator, IndicatorValue, Submission
from indicators.services.recompute import scores_request_recompute
from indicators.services.values import value_error
from kotan.models import AuditEntry, Region, Stakeholder, User
from kotan.services import audit_record

logger = logging.getLogger(__name__)

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
# Errors beyond this are counted but not listed (a wrong file can produce one per cell).
MAX_ERRORS_LISTED = 5_000
_PROGRESS_EVERY = 500
_BATCH_SIZE = 2_000
# PostgreSQL's COPY for the large inserts; tests switch it off to check the fallback.
USE_COPY = True

UnitKey = tuple[str, int | None, int | None]  # (level, region_id, stakeholder_id)
Progress = Callable[[int, int], None]  # (rows done, rows expected)


class ImportRefused(Exception):
    """A step the batch's state does not allow; the message is for the user, in Indonesian."""


class UnreadableFile(Exception):
    pass


# --- Reading files -----------------------------------------------------------------------


@dataclass
class _Sheet:
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
    """openpyxl and csv parse lazily, so a damaged file fails mid-iteration with whatever the
    parser raises (zip, XML, csv or value errors). Any of them means "this file cannot be
    read" for the operator, never a crashed job."""
    try:
        yield from rows
    except Exception as error:
        raise UnreadableFile(str(error)) from error


def _xlsx_sheets(handle: Any) -> list[_Sheet]:
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
        sheets.append(_Sheet(worksheet.title, _guarded(rows)))
    return sheets


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves CSV in the ANSI code page; latin-1 never fails to decode.
        return data.decode("latin-1")


def _csv_sheets(handle: Any) -> list[_Sheet]:
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
    return [_Sheet(CSV_SHEET, _guarded(rows))]


@contextmanager
def _open_sheets(batch: ImportBatch) -> Iterator[list[_Sheet]]:
    """The batch's sheets, each read lazily row by row while the context is open."""
    with batch.file.open("rb") as handle:
        if batch.file_format == ImportBatch.Format.XLSX:
            yield _xlsx_sheets(handle)
        else:
            yield _csv_sheets(handle)


# --- Cells -------------------------------------------------------------------------------


def _text(raw: Any) -> str:
    """A cell as text; numbers as Python writes them (a unit code Excel turned into the
    number 53.71 still reads as "53.71")."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


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


def _level_of(text: str) -> str | None:
    return _LEVEL_WORDS.get(" ".join(text.casefold().split()))


# --- The analysis shared by the check and the import -------------------------------------


@dataclass(frozen=True)
class _Unit:
    key: UnitKey
    label: str  # as str(unit) is written in the audit trail by the entry forms
    name: str


@dataclass(frozen=True)
class _Change:
    key: UnitKey
    unit_label: str
    indicator: Indicator
    value: Decimal
    stored_pk: int | None
    old: Decimal | None


@dataclass
class _Context:
    period: AssessmentPeriod
    indicators: dict[str, Indicator]  # by upper-case code, retired ones included
    units: dict[str, dict[str, _Unit]]  # level → unit code → unit
    assigned: set[tuple[int, int]]  # (indicator_id, stakeholder_id)
    submissions: dict[UnitKey, tuple[int, str]]  # → (pk, status)
    stored: dict[tuple[int, int], tuple[int, Decimal | None]]  # (submission, indicator) → …


@dataclass
class Analysis:
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_total: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    changes: list[_Change] = field(default_factory=list)
    unchanged: int = 0

    def error(self, sheet: str, row: int, column: str, message: str) -> None:
        self.error_total += 1
        if len(self.errors) < MAX_ERRORS_LISTED:
            self.errors.append({"sheet": sheet, "row": row, "column": column, "message": message})

    def counts(self) -> dict[str, int]:
        new = sum(1 for change in self.changes if change.stored_pk is None)
        return {
            "rows": len(self.rows),
            "new": new,
            "changed": len(self.changes) - new,
            "unchanged": self.unchanged,
            "errors": self.error_total,
        }


def _load_context(period: AssessmentPeriod) -> _Context:
    city = period.city
    indicators = {i.code.upper(): i for i in Indicator.objects.all()}
    kelurahan = Region.objects.filter(city=city, level=Region.Level.KELURAHAN)
    stakeholders = Stakeholder.objects.filter(city=city, active=True)
    units: dict[str, dict[str, _Unit]] = {
        Level.KOTA: {city.code: _Unit((Level.KOTA, city.pk, None), str(city), city.name)},
        Level.KELURAHAN: {
            r.code: _Unit((Level.KELURAHAN, r.pk, None), str(r), r.name) for r in kelurahan
        },
        Level.STAKEHOLDER: {
            s.code: _Unit((Level.STAKEHOLDER, None, s.pk), str(s), s.name) for s in stakeholders
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
    return _Context(period, indicators, units, assigned, submissions, stored)


@dataclass
class _Layout:
    unit_index: int
    level_index: int | None
    columns: list[tuple[int, Indicator]]
    ignored: set[int]  # columns without a header: any value under them is an error
    level: str | None  # the sheet's level, when not given per row


def _layout(sheet: _Sheet, header: list[Any], ctx: _Context, out: Analysis) -> _Layout | None:
    names = [_text(cell) for cell in header]
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
    sheet_level = _level_of(sheet.name)
    level_index = lowered.index(LEVEL_COLUMN) if LEVEL_COLUMN in lowered else None
    columns: list[tuple[int, Indicator]] = []
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
                sheet.name, 1, letter, _("Kode indikator tidak dikenal: %(code)s.") % {"code": name}
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
            columns.append((index, indicator))
    level = sheet_level
    if level is None and level_index is None:
        levels = {indicator.level for _index, indicator in columns}
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
    return _Layout(lowered.index(UNIT_COLUMN), level_index, columns, ignored, level)


def _cell(values: list[Any], index: int) -> Any:
    return values[index] if index < len(values) else None


def _is_blank(values: list[Any]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _analyse_row(
    sheet: _Sheet,
    number: int,
    values: list[Any],
    layout: _Layout,
    ctx: _Context,
    seen_units: dict[UnitKey, str],
    out: Analysis,
) -> None:
    where = sheet.name
    before = out.error_total
    fate: dict[str, Any] = {
        "sheet": where,
        "row": number,
        "unit": "",
        "name": "",
        "new": 0,
        "changed": 0,
    }
    fate.update(unchanged=0, errors=0)
    unit_code = _text(_cell(values, layout.unit_index))
    unit_letter = get_column_letter(layout.unit_index + 1)
    fate["unit"] = unit_code
    level = layout.level
    if layout.level_index is not None:
        level_text = _text(_cell(values, layout.level_index))
        level = _level_of(level_text)
        if level is None:
            out.error(
                where,
                number,
                get_column_letter(layout.level_index + 1),
                _("Tingkat tidak dikenal: %(level)s (isi kota, kelurahan atau pemangku).")
                % {"level": level_text or "—"},
            )
    unit: _Unit | None = None
    if level is not None:
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
                )
            elif unit.key in seen_units:
                out.error(
                    where,
                    number,
                    unit_letter,
                    _("Unit %(code)s sudah ada di %(first)s.")
                    % {"code": unit_code, "first": seen_units[unit.key]},
                )
                unit = None
            else:
                seen_units[unit.key] = _("lembar %(sheet)s baris %(row)s") % {
                    "sheet": where,
                    "row": number,
                }
                fate["name"] = unit.name
    submission = ctx.submissions.get(unit.key) if unit else None
    for index in layout.ignored:
        if _text(_cell(values, index)):
            out.error(where, number, get_column_letter(index + 1), _("Kolom ini tidak punya kode."))
    for index, indicator in layout.columns:
        raw = _cell(values, index)
        value, message = parse_cell(raw, indicator)
        if value is None and message is None:
            continue
        letter = get_column_letter(index + 1)
        if message is None and level is not None and indicator.level != level:
            message = _("Indikator %(code)s tingkat %(level)s; baris ini tingkat %(row)s.") % {
                "code": indicator.code,
                "level": indicator.get_level_display(),
                "row": Level(level).label,
            }
        if message is None:
            message = value_error(indicator, value)
        if message is None and unit is not None and level == Level.STAKEHOLDER:
            stakeholder_id = unit.key[2]
            assert stakeholder_id is not None
            if (indicator.pk, stakeholder_id) not in ctx.assigned:
                message = _("Indikator %(code)s tidak ditugaskan kepada %(unit)s.") % {
                    "code": indicator.code,
                    "unit": unit.label,
                }
        if message is not None:
            out.error(where, number, letter, f"{indicator.code}: {message}")
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
            )
            continue
        out.changes.append(_Change(unit.key, unit.label, indicator, value, stored_pk, old))
        fate["new" if stored_pk is None else "changed"] += 1
    fate["errors"] = out.error_total - before
    out.rows.append(fate)


def analyse(batch: ImportBatch, ctx: _Context, progress: Progress) -> Analysis:
    """Read the batch's file and judge every cell against the period's current data."""
    out = Analysis()
    if ctx.period.status == AssessmentPeriod.Status.LOCKED:
        out.error("", 0, "", _("Periode ini sudah dikunci; data tidak dapat diubah."))
        return out
    seen_units: dict[UnitKey, str] = {}
    counter = _RowCounter(progress)
    try:
        with _open_sheets(batch) as sheets:
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
    sheet: _Sheet,
    ctx: _Context,
    seen_units: dict[UnitKey, str],
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
        if _is_blank(values) or _text(_cell(values, layout.unit_index)).startswith(NOTE_MARK):
            continue
        counter.tick()
        _analyse_row(sheet, number, values, layout, ctx, seen_units, out)


# --- Progress ----------------------------------------------------------------------------


def _progress_key(batch_id: int) -> str:
    return f"kotan:import-progress:{batch_id}"


def import_progress(batch: ImportBatch) -> int:
    """How far the running job is, 0–100. Kept in the cache, not the database: the import
    runs in one transaction, whose writes nobody else sees before it ends."""
    if not batch.is_running:
        return 100
    return int(cache.get(_progress_key(batch.pk), 0))


def _progress_reporter(batch_id: int, low: int, high: int) -> Progress:
    """Map rows done onto the share [low, high) of the job's percentage."""

    def report(done: int, expected: int) -> None:
        share = min(done / expected, 1) if expected else 0
        cache.set(_progress_key(batch_id), low + int(share * (high - low - 1)), 3600)

    return report


# --- Services ----------------------------------------------------------------------------


@transaction.atomic
def import_batch_create(
    *, period: AssessmentPeriod, actor: User, upload: UploadedFile, file_format: str
) -> ImportBatch:
    """Keep an uploaded file and queue its check. `file_format` comes from `sniff_format`."""
    if period.status == AssessmentPeriod.Status.LOCKED:
        raise ImportRefused(_("Periode ini sudah dikunci; data tidak dapat diubah."))
    batch = ImportBatch(
        period=period,
        created_by=actor,
        original_name=(upload.name or "berkas")[:255],
        file_format=file_format,
    )
    batch.file.save(upload.name or "berkas", upload, save=False)
    batch.save()
    audit_record(
        actor=actor,
        city=period.city,
        obj=batch,
        action="import.upload",
        changes={"status": [None, batch.status]},
    )
    _enqueue("check", batch.pk)
    return batch


def _enqueue(step: str, batch_id: int) -> None:
    from indicators import tasks  # tasks import this module

    task = tasks.import_check_task if step == "check" else tasks.import_apply_task
    transaction.on_commit(lambda: task.delay(batch_id))


def _store(batch: ImportBatch, analysis: Analysis, status: str) -> None:
    batch.status = status
    batch.counts = analysis.counts()
    batch.errors = analysis.errors
    batch.rows = analysis.rows
    batch.checked_at = timezone.now()
    batch.save(update_fields=["status", "counts", "errors", "rows", "checked_at"])


def import_batch_check(*, batch_id: int) -> ImportBatch:
    """Judge every cell of the batch's file and store the preview. Writes no values.

    Idempotent: a redelivered job for a batch already checked does nothing."""
    batch = ImportBatch.objects.select_related("period__city").get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING):
        return batch
    batch.status = ImportBatch.Status.CHECKING
    batch.save(update_fields=["status"])
    state = _state(batch.period)
    analysis = analyse(batch, _load_context(batch.period), _progress_reporter(batch.pk, 0, 100))
    if not analysis.error_total:
        _plan_save(batch, state, analysis.changes)
    _store(
        batch,
        analysis,
        ImportBatch.Status.INVALID if analysis.error_total else ImportBatch.Status.READY,
    )
    cache.delete(_progress_key(batch.pk))
    return batch


# --- The checked plan --------------------------------------------------------------------
# Judging a 10,000-row file again at import time would double the operator's wait. So the
# check keeps its list of changes beside the file, with a fingerprint of everything the
# judgement depended on; the import reuses the list only when the fingerprint, taken again
# under the import's locks, is the same, and otherwise judges the file again.


def _state(period: AssessmentPeriod) -> str:
    """A fingerprint of what a check depends on: the period's status, its submissions
    (every save and status change bumps a version), its values, the catalogue, the
    assignments and the city's units."""
    submissions = Submission.objects.filter(period=period).aggregate(
        n=Count("pk"), versions=Sum("version"), last=Max("pk")
    )
    values = IndicatorValue.objects.filter(submission__period=period).aggregate(
        n=Count("pk"), last=Max("pk"), updated=Max("updated_at")
    )
    parts = [
        period.status,
        sorted(submissions.items()),
        sorted((key, str(value)) for key, value in values.items()),
        list(
            Indicator.objects.order_by("pk").values_list(
                "pk", "code", "kind", "worst", "best", "level", "active"
            )
        ),
        list(
            Indicator.responsible.through.objects.filter(stakeholder__city=period.city_id)
            .order_by("pk")
            .values_list("indicator_id", "stakeholder_id")
        ),
        list(Region.objects.filter(city=period.city_id).order_by("pk").values_list("pk", "code")),
        list(
            Stakeholder.objects.filter(city=period.city_id, active=True)
            .order_by("pk")
            .values_list("pk", "code")
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _plan_name(batch: ImportBatch) -> str:
    return f"{batch.file.name}.plan.json"


def _plan_save(batch: ImportBatch, state: str, changes: list[_Change]) -> None:
    rows = [
        [
            *change.key,
            change.unit_label,
            change.indicator.pk,
            str(change.value),
            change.stored_pk,
            None if change.old is None else str(change.old),
        ]
        for change in changes
    ]
    content = json.dumps({"state": state, "changes": rows}).encode()
    batch.file.storage.save(_plan_name(batch), ContentFile(content))


def _plan_load(batch: ImportBatch, state: str) -> list[_Change] | None:
    """The checked changes, when nothing they depend on changed since; else None."""
    storage = batch.file.storage
    name = _plan_name(batch)
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as handle:
        plan = json.load(handle)
    if plan.get("state") != state:
        return None
    indicators = Indicator.objects.in_bulk([row[4] for row in plan["changes"]])
    return [
        _Change(
            (level, region_id, stakeholder_id),
            label,
            indicators[indicator_id],
            Decimal(value),
            stored_pk,
            None if old is None else Decimal(old),
        )
        for level, region_id, stakeholder_id, label, indicator_id, value, stored_pk, old in plan[
            "changes"
        ]
    ]


def _plan_delete(batch: ImportBatch) -> None:
    batch.file.storage.delete(_plan_name(batch))


@transaction.atomic
def import_batch_confirm(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """The operator's go-ahead for a checked file without errors: queue the import."""
    current = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if current.status != ImportBatch.Status.READY:
        raise ImportRefused(_("Impor ini tidak dalam keadaan siap diimpor."))
    current.status = ImportBatch.Status.IMPORTING
    current.confirmed_by = actor
    current.save(update_fields=["status", "confirmed_by"])
    audit_record(
        actor=actor,
        city=current.period.city,
        obj=current,
        action="import.confirm",
        changes={"status": [ImportBatch.Status.READY, current.status]},
    )
    _enqueue("apply", current.pk)
    return current


@transaction.atomic
def import_batch_cancel(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Discard a batch that will not be imported, and its file."""
    current = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if current.status not in (
        ImportBatch.Status.READY,
        ImportBatch.Status.INVALID,
        ImportBatch.Status.FAILED,
    ):
        raise ImportRefused(_("Impor ini tidak dapat dibatalkan sekarang."))
    before = current.status
    current.status = ImportBatch.Status.CANCELLED
    current.save(update_fields=["status"])
    audit_record(
        actor=actor,
        city=current.period.city,
        obj=current,
        action="import.cancel",
        changes={"status": [before, current.status]},
    )
    name = current.file.name
    storage = current.file.storage
    transaction.on_commit(lambda: [storage.delete(n) for n in (name, _plan_name(current))])
    return current


class _Refused(Exception):
    def __init__(self, analysis: Analysis) -> None:
        super().__init__("refused")
        self.analysis = analysis


def import_batch_apply(*, batch_id: int) -> ImportBatch:
    """Write a confirmed batch: all of it in one transaction, or nothing.

    The file is judged again under row locks, because data may have changed since the
    preview (a unit approved, a value edited); if that finds errors the batch goes back to
    the preview with them and nothing is written. Idempotent: a redelivered job for a batch
    that is no longer importing does nothing.
    """
    batch = ImportBatch.objects.select_related("period__city", "confirmed_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.IMPORTING:
        return batch
    try:
        with transaction.atomic():
            analysis = _apply_locked(batch)
    except _Refused as refused:
        _store(batch, refused.analysis, ImportBatch.Status.INVALID)
    except IntegrityError:
        # Only a unit created by someone else in the same instant gets here.
        logger.warning("import %s: conflicting concurrent write", batch.pk, exc_info=True)
        import_batch_fail(
            batch_id=batch.pk,
            message=_("Data periode ini berubah selama impor; tidak ada yang disimpan. Coba lagi."),
        )
        batch.refresh_from_db()
    else:
        batch.status = ImportBatch.Status.DONE
        batch.counts = analysis.counts()
        batch.rows = analysis.rows
        batch.imported_at = timezone.now()
        batch.save(update_fields=["status", "counts", "rows", "imported_at"])
        _plan_delete(batch)
    cache.delete(_progress_key(batch.pk))
    return batch


def _apply_locked(batch: ImportBatch) -> Analysis:
    period = (
        AssessmentPeriod.objects.select_for_update().select_related("city").get(pk=batch.period_id)
    )
    # Lock every submission of the period before judging the file, so that none is approved
    # or edited between the judgement and the writes (the entry forms lock the same rows).
    list(
        Submission.objects.select_for_update()
        .filter(period=period)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    planned = _plan_load(batch, _state(period))
    if planned is not None:
        analysis = Analysis(rows=batch.rows, changes=planned, unchanged=batch.counts["unchanged"])
    else:
        analysis = analyse(batch, _load_context(period), _progress_reporter(batch.pk, 0, 50))
    if analysis.error_total:
        raise _Refused(analysis)
    actor = batch.confirmed_by or batch.created_by
    _write(period, analysis.changes, actor, _progress_reporter(batch.pk, 50, 100))
    audit_record(
        actor=actor,
        city=period.city,
        obj=batch,
        action="import.done",
        changes={"status": [ImportBatch.Status.IMPORTING, ImportBatch.Status.DONE]},
        reason=_("%(new)s nilai baru, %(changed)s nilai diubah")
        % {"new": analysis.counts()["new"], "changed": analysis.counts()["changed"]},
    )
    # Imported values are drafts, so the approved data (and the scores) rarely change; the
    # request is cheap because a recompute with unchanged inputs writes nothing.
    scores_request_recompute(period=period)
    return analysis


def _number_text(value: Decimal | None) -> str | None:
    # The entry forms' audit format (indicators.services.values), so histories read alike.
    return None if value is None else format(value.normalize(), "f")


def _write(
    period: AssessmentPeriod, changes: list[_Change], actor: User, progress: Progress
) -> None:
    if not changes:
        return
    now = timezone.now()
    missing = {change.key for change in changes} - set(_submission_keys(period))
    Submission.objects.bulk_create(
        [
            Submission(period=period, level=level, region_id=region_id, stakeholder_id=sh_id)
            for level, region_id, sh_id in missing
        ],
        batch_size=_BATCH_SIZE,
        ignore_conflicts=True,  # one created meanwhile is locked and used below
    )
    submissions = _submission_keys(period, lock=bool(missing))
    progress(1, 10)
    new = [change for change in changes if change.stored_pk is None]
    new_pks = iter(
        _insert(
            IndicatorValue,
            [
                {
                    "submission_id": submissions[change.key][0],
                    "indicator_id": change.indicator.pk,
                    "value": change.value,
                    "comment": "",
                    "evidence": "",
                    "entered_by_id": actor.pk,
                    "updated_at": now,
                }
                for change in new
            ],
            with_pks=True,
        )
    )
    progress(4, 10)
    IndicatorValue.objects.bulk_update(
        [
            IndicatorValue(
                pk=change.stored_pk, value=change.value, entered_by=actor, updated_at=now
            )
            for change in changes
            if change.stored_pk is not None
        ],
        ["value", "entered_by", "updated_at"],
        batch_size=_BATCH_SIZE // 2,
    )
    progress(5, 10)
    value_type = ContentType.objects.get_for_model(IndicatorValue)
    audits = [
        {
            "city_id": period.city_id,
            "actor_id": actor.pk,
            "content_type_id": value_type.pk,
            "object_pk": str(change.stored_pk if change.stored_pk is not None else next(new_pks)),
            "object_repr": f"{change.indicator.code} · {change.unit_label}"[:200],
            "action": "value.import",
            # As kotan.services.field_changes() writes it (old and new differ here).
            "changes": {"value": [_number_text(change.old), _number_text(change.value)]},
            "reason": "",
            "created_at": now,
        }
        for change in changes
    ]
    audits.extend(_touch_submissions(period, changes, submissions, actor, now))
    progress(7, 10)
    _insert(AuditEntry, audits)
    progress(10, 10)


def _insert(
    model: type[models.Model], rows: list[dict[str, Any]], *, with_pks: bool = False
) -> list[int]:
    """Insert plain rows (attname → value, every column given) and return their pks when
    asked. On PostgreSQL one COPY does it: no model instance is built, which makes the
    100,000 rows of a large import several times faster than bulk_create. Elsewhere (the
    SQLite of a local trial) bulk_create does."""
    if not rows:
        return []
    if connection.vendor != "postgresql" or not USE_COPY:
        created = model._default_manager.bulk_create(
            [model(**row) for row in rows], batch_size=_BATCH_SIZE
        )
        return [obj.pk for obj in created]
    meta = model._meta
    pks: list[int] = []
    with connection.cursor() as cursor:
        if with_pks:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            pks = [pk for (pk,) in cursor.fetchall()]
            for pk, row in zip(pks, rows, strict=True):
                row[meta.pk.attname] = pk
        names = list(rows[0])
        fields = [meta.get_field(name) for name in names]
        as_json = [isinstance(f, models.JSONField) for f in fields]
        columns = [sql.Identifier(str(getattr(f, "column", ""))) for f in fields]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table), sql.SQL(", ").join(columns)
        )
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        Jsonb(row[name]) if json else row[name]
                        for name, json in zip(names, as_json, strict=True)
                    ]
                )
    return pks


def _submission_keys(
    period: AssessmentPeriod, *, lock: bool = False
) -> dict[UnitKey, tuple[int, str]]:
    queryset = Submission.objects.filter(period=period)
    if lock:
        queryset = queryset.select_for_update().order_by("pk")
    return {
        (level, region_id, stakeholder_id): (pk, status)
        for pk, level, region_id, stakeholder_id, status in queryset.values_list(
            "pk", "level", "region_id", "stakeholder_id", "status"
        )
    }


def _touch_submissions(
    period: AssessmentPeriod,
    changes: list[_Change],
    submissions: dict[UnitKey, tuple[int, str]],
    actor: User,
    now: datetime,
) -> list[dict[str, Any]]:
    """Bump the version of every changed submission (open forms on them are now stale) and
    send submitted or returned ones back to draft, as a save in the entry form does."""
    labels = {change.key: change.unit_label for change in changes}
    touched = {submissions[key][0] for key in labels}
    to_draft = {
        key: submissions[key]
        for key in labels
        if submissions[key][1] in (Submission.Status.SUBMITTED, Submission.Status.RETURNED)
    }
    Submission.objects.filter(pk__in=touched).update(version=F("version") + 1, updated_at=now)
    Submission.objects.filter(pk__in=[pk for pk, _status in to_draft.values()]).update(
        status=Submission.Status.DRAFT
    )
    submission_type = ContentType.objects.get_for_model(Submission)
    return [
        {
            "city_id": period.city_id,
            "actor_id": actor.pk,
            "content_type_id": submission_type.pk,
            "object_pk": str(pk),
            "object_repr": f"{period} · {labels[key]}"[:200],
            "action": f"submission.{Submission.Status.DRAFT}",
            "changes": {"status": [status, Submission.Status.DRAFT]},
            "reason": _("Data diubah melalui impor"),
            "created_at": now,
        }
        for key, (pk, status) in to_draft.items()
    ]


def import_batch_fail(*, batch_id: int, message: str) -> None:
    """Mark a batch whose job broke; the message is for the operator."""
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportBatch.Status.FAILED, failure=message
    )
    cache.delete(_progress_key(batch_id))
