"""Importing KoboToolbox and ODK Central exports (XLSX or CSV).

Upload → column mapping (guessed from the headers, confirmed by the operator) → check, with
errors by row and column → import, all or nothing. Respondents are keyed by the submission id
(Kobo `_uuid`, ODK `meta/instanceID`), so a re-import skips those already present.

The file is read as a stream of rows: XLSX through python-calamine (Rust; 20,000 × 60 cells
in a few seconds, where openpyxl's read-only mode takes ~20), CSV through the csv module.
Before calamine opens an XLSX, the zip's central directory is checked, so a zip bomb is
refused before anything is inflated.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import json
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from indicators.importing import sniff_format
from indicators.surveys.models import QuestionItem, Respondent, Setting, Survey, SurveyImport
from indicators.surveys.services.collection import (
    RespondentInput,
    asked_items,
    respondent_build,
)
from kotan.lib.pgcopy import copy_available, copy_line, copy_rows
from kotan.lib.uploads import UnsafeSpreadsheet, XlsxLimits, sniff_mime, xlsx_check
from kotan.models import Region, User
from kotan.services import audit_record

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 40 * 1024 * 1024
# An XLSX whose parts inflate past this, or by more than this ratio, is refused unread.
MAX_UNZIPPED_BYTES = 600 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_ROWS = 100_000
MAX_ERRORS_KEPT = 500
BATCH = 2_000
NAMESPACE = uuid.UUID("6d1c9a52-8a55-4c4e-9a3b-6f1c0e3f6c7a")

IGNORE = ""
FIELD_TARGETS = ("setting", "kelurahan", "id", "sex", "age_group", "start", "end")
# Header words (last path segment, case-folded) guessed as a field.
_GUESSES: dict[str, str] = {
    "setting": "setting", "tatanan": "setting", "setting_pengamatan": "setting",
    "kelurahan": "kelurahan", "kode_kelurahan": "kelurahan", "kelurahan_kode": "kelurahan",
    "desa": "kelurahan", "kelurahan_desa": "kelurahan",
    "_uuid": "id", "instanceid": "id", "meta/instanceid": "id", "key": "id", "uuid": "id",
    "jenis_kelamin": "sex", "sex": "sex", "jk": "sex", "gender": "sex",
    "kelompok_umur": "age_group", "age_group": "age_group", "umur": "age_group",
    "usia": "age_group", "age": "age_group",
    "start": "start", "mulai": "start", "end": "end", "selesai": "end",
}  # fmt: skip
_SEX = {"l": "L", "laki-laki": "L", "laki": "L", "male": "L", "m": "L",
        "p": "P", "perempuan": "P", "female": "P", "f": "P", "w": "P"}  # fmt: skip


class ImportRefused(Exception):
    """The file or the step is refused; the message is for the user, in Indonesian."""


# --- Reading -----------------------------------------------------------------------------


# What an export of 100,000 respondents may expand to; checked before calamine reads it
# (kotan.lib.uploads: zip bombs, and a far cell that would make calamine abort the worker).
_XLSX_LIMITS = XlsxLimits(
    max_entries=200,
    max_uncompressed=MAX_UNZIPPED_BYTES,
    max_ratio=MAX_ZIP_RATIO,
    max_shared_strings=MAX_UNZIPPED_BYTES,
    max_rows=MAX_ROWS,
)


def _check_zip(handle: IO[bytes]) -> None:
    try:
        with zipfile.ZipFile(handle):
            pass
    except zipfile.BadZipFile as error:
        raise ImportRefused(_("Berkas XLSX rusak atau tidak dapat dibaca.")) from error
    handle.seek(0)
    try:
        xlsx_check(handle, _XLSX_LIMITS)
    except UnsafeSpreadsheet as error:
        raise ImportRefused(str(error)) from error
    handle.seek(0)


def _xlsx_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    _check_zip(handle)
    try:
        workbook = CalamineWorkbook.from_filelike(handle)
        # Kobo puts the submissions on the first sheet (repeat groups follow on others).
        sheet = workbook.get_sheet_by_index(0)
        yield from sheet.iter_rows()
    except ImportRefused:
        raise
    except Exception as error:
        raise ImportRefused(_("Berkas XLSX rusak atau tidak dapat dibaca.")) from error


def _csv_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    head = handle.read(65536)
    handle.seek(0)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # A cut in the middle of a character at the end of the sample is still UTF-8.
        if error.start < len(head) - 4:
            encoding = "latin-1"
    first_line = head.split(b"\n", 1)[0].decode(encoding, errors="replace")
    delimiter = max((",", ";", "\t"), key=first_line.count)
    text = codecs.getreader(encoding)(handle, "replace")
    try:
        yield from csv.reader(text, delimiter=delimiter)
    except csv.Error as error:
        raise ImportRefused(_("Berkas CSV tidak dapat dibaca.")) from error


@contextmanager
def open_rows(survey_import: SurveyImport) -> Iterator[Iterator[list[Any]]]:
    with survey_import.file.open("rb") as handle:
        if survey_import.file_format == "xlsx":
            yield _xlsx_rows(handle)
        else:
            yield _csv_rows(handle)


# --- Upload and mapping ------------------------------------------------------------------


def _header(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def guess_mapping(columns: list[str], items: list[QuestionItem]) -> dict[str, str]:
    """A first mapping from the headers: Kobo writes `group/KK01`, ODK `group-KK01`."""
    codes = {item.code.casefold(): item.code for item in items}
    mapping = {}
    for column in columns:
        folded = column.casefold()
        last = folded.replace("-", "/").rsplit("/", 1)[-1]
        if folded in _GUESSES:
            mapping[column] = _GUESSES[folded]
        elif folded.replace("-", "/") in _GUESSES:
            mapping[column] = _GUESSES[folded.replace("-", "/")]
        elif last in codes:
            mapping[column] = f"item:{codes[last]}"
        elif last in _GUESSES:
            mapping[column] = _GUESSES[last]
        else:
            mapping[column] = IGNORE
    return mapping


@transaction.atomic
def survey_import_create(*, survey: Survey, actor: User, upload: UploadedFile) -> SurveyImport:
    """Keep the upload, read its header row and guess the column mapping."""
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise ImportRefused(_("Berkas terlalu besar (paling besar 40 MB)."))
    head = upload.read(8192)
    upload.seek(0)
    file_format = sniff_format(head)
    if file_format is None or (file_format == "xlsx" and sniff_mime(head) != XLSX_MIME):
        raise ImportRefused(_("Berkas harus berupa XLSX atau CSV."))
    survey_import = SurveyImport(
        survey=survey,
        created_by=actor,
        original_name=(upload.name or "berkas")[:255],
        file_format=file_format,
    )
    survey_import.file.save(upload.name or "berkas", upload, save=False)
    try:
        with open_rows(survey_import) as rows:
            header = next(rows, None)
        columns = [_header(cell) for cell in header or []]
        if not any(columns):
            raise ImportRefused(_("Baris pertama berkas harus berisi nama kolom."))
    except ImportRefused:
        survey_import.file.delete(save=False)  # a refused file is not kept
        raise
    survey_import.columns = columns
    survey_import.mapping = guess_mapping(columns, list(survey.questionnaire.items.all()))
    survey_import.save()
    audit_record(
        actor=actor, city=survey.period.city, obj=survey_import, action="survey_import.upload"
    )
    return survey_import


def mapping_errors(mapping: Mapping[str, str], items: list[QuestionItem]) -> list[str]:
    codes = {item.code for item in items}
    allowed = {IGNORE, *FIELD_TARGETS, *(f"item:{c}" for c in codes)}
    errors = []
    if any(target not in allowed for target in mapping.values()):
        errors.append(_("Pemetaan kolom tidak dikenal."))
    targets = [t for t in mapping.values() if t]
    for required, label in (("setting", _("setting")), ("kelurahan", _("kelurahan")),
                            ("id", _("ID kiriman"))):  # fmt: skip
        if required not in targets:
            errors.append(_("Pilih kolom untuk %(what)s.") % {"what": label})
    doubled = sorted({t for t in targets if targets.count(t) > 1})
    if doubled:
        errors.append(_("Kolom dipetakan dua kali: %(t)s.") % {"t": ", ".join(doubled)})
    if not any(t.startswith("item:") for t in targets):
        errors.append(_("Petakan paling sedikit satu kolom ke butir pertanyaan."))
    return errors


# --- Checking and importing --------------------------------------------------------------


@dataclass
class Lookups:
    kelurahan: dict[str, Region]
    settings: dict[str, str]
    items: list[QuestionItem]
    asked: dict[str, list[QuestionItem]] = field(default_factory=dict)


def lookups_for(survey: Survey) -> Lookups:
    kelurahan = {}
    for region in Region.objects.for_city(survey.period.city_id).kelurahan():
        kelurahan[region.code.casefold()] = region
        kelurahan[" ".join(region.name.casefold().split())] = region
    settings = {}
    for code, label in Setting.choices:
        settings[code] = code
        settings[str(label).casefold()] = code
    items = list(survey.questionnaire.items.all())
    asked = {code: asked_items(items, code) for code in Setting.values}
    return Lookups(kelurahan, settings, items, asked)


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _when(cell: Any) -> datetime.datetime | None:
    if isinstance(cell, datetime.datetime):
        moment = cell
    elif cell in (None, ""):
        return None
    else:
        moment = parse_datetime(str(cell).strip().replace(" ", "T", 1))  # type: ignore[assignment]
        if moment is None:
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _age_group(text: str) -> str:
    if text in Respondent.AgeGroup.values or not text:
        return text
    if text.isdigit():
        age = int(text)
        return "<20" if age < 20 else "20-34" if age < 35 else "35-49" if age < 50 else "50+"
    return "?"


def respondent_uuid(survey: Survey, submission_id: str) -> uuid.UUID:
    """Kobo's `_uuid` and ODK's `uuid:…` instance ids are UUIDs; any other id is made one,
    stable within the survey."""
    text = submission_id.removeprefix("uuid:")
    try:
        return uuid.UUID(text)
    except ValueError:
        return uuid.uuid5(NAMESPACE, f"{survey.pk}:{submission_id}")


@dataclass
class RowResult:
    respondent: Respondent | None
    errors: dict[str, str] = field(default_factory=dict)


def parse_row(
    survey: Survey,
    lookups: Lookups,
    columns: dict[str, int],
    row: list[Any],
    answer_columns: list[tuple[str, int]] | None = None,
) -> RowResult:
    """One data row as an unsaved respondent, or its errors keyed by column header."""

    def cell(target: str) -> Any:
        index = columns.get(target)
        return row[index] if index is not None and index < len(row) else None

    errors: dict[str, str] = {}
    submission_id = _text(cell("id"))
    if not submission_id:
        errors["id"] = _("ID kiriman kosong.")
    raw_kelurahan = " ".join(_text(cell("kelurahan")).casefold().split())
    kelurahan = lookups.kelurahan.get(raw_kelurahan)
    if kelurahan is None:
        errors["kelurahan"] = _("Kelurahan “%(v)s” tidak dikenal.") % {"v": raw_kelurahan}
    raw_setting = _text(cell("setting")).casefold()
    setting = lookups.settings.get(raw_setting, "")
    if not setting:
        errors["setting"] = _("Setting “%(v)s” tidak dikenal.") % {"v": raw_setting}
    sex_text = _text(cell("sex")).casefold()
    sex = _SEX.get(sex_text, "?") if sex_text else ""
    if sex == "?":
        errors["sex"] = _("Jenis kelamin tidak dikenal.")
    age_group = _age_group(_text(cell("age_group")))
    if age_group == "?":
        errors["age_group"] = _("Kelompok umur tidak dikenal.")
    if errors:
        return RowResult(None, errors)
    if answer_columns is None:
        answer_columns = [(t[5:], i) for t, i in columns.items() if t.startswith("item:")]
    width = len(row)
    answers = {code: row[index] if index < width else None for code, index in answer_columns}
    data = RespondentInput(
        uuid=respondent_uuid(survey, submission_id),
        kelurahan=kelurahan,
        setting=setting,
        sex=sex,
        age_group=age_group,
        answers=answers,
        started_at=_when(cell("start")),
        finished_at=_when(cell("end")),
        external_id=submission_id,
    )
    respondent, row_errors = respondent_build(
        survey=survey, items=lookups.items, data=data, asked=lookups.asked.get(setting)
    )
    if respondent is not None:
        respondent.source = Respondent.Source.IMPORT
    return RowResult(respondent, row_errors)


@dataclass
class Pass:
    """What one reading of the file found."""

    rows: int = 0
    new: int = 0
    existing: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "new": self.new, "existing": self.existing,
                "errors": self.error_count}  # fmt: skip


def _plan_row(respondent: Respondent) -> str:
    return json.dumps(
        [str(respondent.uuid), respondent.kelurahan_id, respondent.setting, respondent.sex,
         respondent.age_group, respondent.external_id,
         respondent.started_at.isoformat() if respondent.started_at else None,
         respondent.finished_at.isoformat() if respondent.finished_at else None,
         respondent.answers, respondent.flags],
        separators=(",", ":"),
    )  # fmt: skip


def _scan(survey_import: SurveyImport, *, write: bool, plan: list[str] | None = None) -> Pass:
    """Read every row; count new and already present respondents and collect errors by row
    and column. With `write`, store the new respondents in batches (the caller's transaction
    makes it all or nothing); with `plan`, append each new respondent to it as a JSON line."""
    survey = survey_import.survey
    lookups = lookups_for(survey)
    headers = survey_import.columns
    reverse_mapping = {
        target: headers.index(column)
        for column, target in survey_import.mapping.items()
        if target and column in headers
    }
    answer_columns = [(t[5:], i) for t, i in reverse_mapping.items() if t.startswith("item:")]
    result = Pass()
    seen: set[uuid.UUID] = set()
    pending: list[tuple[int, Respondent]] = []

    item_codes = {item.code for item in lookups.items}
    column_of = {target: column for column, target in survey_import.mapping.items() if target}

    def error(row: int, key: str, message: str) -> None:
        """`key` is a field target or, for an answer, the item's code."""
        result.error_count += 1
        if len(result.errors) < MAX_ERRORS_KEPT:
            target = f"item:{key}" if key in item_codes else key
            column = column_of.get(target, key)
            result.errors.append({"row": row, "column": column, "message": message})

    def flush() -> None:
        present = dict(
            Respondent.objects.filter(uuid__in=[r.uuid for _n, r in pending]).values_list(
                "uuid", "survey_id"
            )
        )
        fresh = []
        for number, respondent in pending:
            if respondent.uuid in present:
                if present[respondent.uuid] != survey.pk:
                    error(number, "id", _("ID kiriman ini sudah dipakai survei lain."))
                else:
                    result.existing += 1
            else:
                result.new += 1
                fresh.append(respondent)
        if write and fresh and not result.error_count:
            Respondent.objects.bulk_create(fresh, batch_size=BATCH)
        if plan is not None:
            plan.extend(_plan_row(respondent) for respondent in fresh)
        pending.clear()

    with open_rows(survey_import) as rows:
        next(rows, None)  # the header
        for number, row in enumerate(rows, start=2):
            if not any(cell not in (None, "") for cell in row):
                continue
            result.rows += 1
            if result.rows > MAX_ROWS:
                raise ImportRefused(_("Berkas berisi lebih dari %(n)s baris.") % {"n": MAX_ROWS})
            parsed = parse_row(survey, lookups, reverse_mapping, row, answer_columns)
            for target, message in parsed.errors.items():
                error(number, target, message)
            respondent = parsed.respondent
            if respondent is None:
                continue
            if respondent.uuid in seen:
                error(number, "id", _("ID kiriman muncul dua kali dalam berkas."))
                continue
            seen.add(respondent.uuid)
            pending.append((number, respondent))
            if len(pending) >= BATCH:
                flush()
        flush()
    return result


def survey_import_set_mapping(
    *, survey_import: SurveyImport, actor: User, mapping: Mapping[str, str]
) -> list[str]:
    """Store the operator's mapping and queue the check; returns mapping errors (then
    nothing is queued)."""
    if survey_import.status not in (
        SurveyImport.Status.MAPPING, SurveyImport.Status.INVALID, SurveyImport.Status.READY
    ):  # fmt: skip
        raise ImportRefused(_("Impor ini tidak dapat dipetakan ulang."))
    clean = {column: mapping.get(column, IGNORE) for column in survey_import.columns}
    errors = mapping_errors(clean, list(survey_import.survey.questionnaire.items.all()))
    survey_import.mapping = clean
    if errors:
        survey_import.save(update_fields=["mapping"])
        return errors
    survey_import.status = SurveyImport.Status.CHECKING
    survey_import.save(update_fields=["mapping", "status"])
    _enqueue("check", survey_import.pk)
    return []


def _enqueue(step: str, import_id: int) -> None:
    from indicators.surveys import tasks

    task = tasks.survey_import_check_task if step == "check" else tasks.survey_import_apply_task
    transaction.on_commit(lambda: task.delay(import_id))


def survey_import_check(*, import_id: int) -> SurveyImport:
    survey_import = SurveyImport.objects.select_related("survey__questionnaire").get(pk=import_id)
    plan: list[str] = []
    try:
        found = _scan(survey_import, write=False, plan=plan)
    except ImportRefused as error:
        survey_import.status = SurveyImport.Status.FAILED
        survey_import.failure = str(error)
        survey_import.save(update_fields=["status", "failure"])
        return survey_import
    survey_import.counts = found.counts()
    survey_import.errors = found.errors
    _plan_delete(survey_import)
    if found.error_count:
        survey_import.status = SurveyImport.Status.INVALID
    else:
        survey_import.status = SurveyImport.Status.READY
        storage = survey_import.file.storage
        storage.save(_plan_name(survey_import), ContentFile("\n".join(plan).encode()))
    survey_import.save(update_fields=["counts", "errors", "status"])
    return survey_import


# --- The checked plan --------------------------------------------------------------------
# Reading and judging 20,000 rows again at import time would double the operator's wait.
# What the check judged depends on the file, the mapping (a new mapping means a new check),
# the questionnaire (frozen once a survey uses it) and the city's kelurahan; only the
# respondents already present can change in between, and the import checks those again.


def _plan_name(survey_import: SurveyImport) -> str:
    return f"{survey_import.file.name}.plan.jsonl"


def _plan_delete(survey_import: SurveyImport) -> None:
    storage = survey_import.file.storage
    if storage.exists(_plan_name(survey_import)):
        storage.delete(_plan_name(survey_import))


_COLUMNS = ["uuid", "survey_id", "kelurahan_id", "setting", "sex", "age_group", "source",
            "external_id", "started_at", "finished_at", "received_at", "answers", "flags",
            "excluded", "exclusion_reason"]  # fmt: skip


def _apply_plan(survey_import: SurveyImport, lines: list[str]) -> tuple[int, int]:
    """Store the planned respondents not present by now; (stored, skipped)."""
    rows = [json.loads(line) for line in lines if line]
    present: set[str] = set()
    for start in range(0, len(rows), 5_000):
        uuids = [row[0] for row in rows[start : start + 5_000]]
        present |= {str(u) for u in Respondent.objects.filter(uuid__in=uuids).values_list(
            "uuid", flat=True)}  # fmt: skip
    fresh = [row for row in rows if row[0] not in present]
    now = timezone.now()
    survey_id = survey_import.survey_id
    source = Respondent.Source.IMPORT.value
    if copy_available():
        copy_rows(
            Respondent._meta.db_table,
            _COLUMNS,
            (
                copy_line([u, survey_id, k, setting, sex, age, source, ext, start, end, now,
                           json.dumps(answers), json.dumps(flags), "f", ""])
                for u, k, setting, sex, age, ext, start, end, answers, flags in fresh
            ),
        )  # fmt: skip
    else:
        Respondent.objects.bulk_create(
            (
                Respondent(uuid=u, survey_id=survey_id, kelurahan_id=k, setting=setting, sex=sex,
                           age_group=age, source=source, external_id=ext,
                           started_at=parse_datetime(start) if start else None,
                           finished_at=parse_datetime(end) if end else None,
                           answers=answers, flags=flags)
                for u, k, setting, sex, age, ext, start, end, answers, flags in fresh
            ),
            batch_size=BATCH,
        )  # fmt: skip
    return len(fresh), len(rows) - len(fresh)


@transaction.atomic
def survey_import_confirm(*, survey_import: SurveyImport, actor: User) -> None:
    current = SurveyImport.objects.select_for_update().get(pk=survey_import.pk)
    if current.status != SurveyImport.Status.READY:
        raise ImportRefused(_("Hanya berkas tanpa kesalahan yang dapat diimpor."))
    current.status = SurveyImport.Status.IMPORTING
    current.save(update_fields=["status"])
    audit_record(
        actor=actor,
        city=survey_import.survey.period.city,
        obj=current,
        action="survey_import.confirm",
        changes={"new": [None, current.counts.get("new", 0)]},
    )
    _enqueue("apply", current.pk)


def survey_import_apply(*, import_id: int) -> SurveyImport:
    """Read the file again and store every new respondent, or none: a row that fails now
    (the data changed since the check) rolls the whole import back."""
    survey_import = SurveyImport.objects.select_related("survey__period__city").get(pk=import_id)
    storage = survey_import.file.storage
    if storage.exists(_plan_name(survey_import)):
        with storage.open(_plan_name(survey_import), "rb") as handle:
            lines = handle.read().decode().split("\n")
        with transaction.atomic():
            stored, skipped = _apply_plan(survey_import, lines)
            survey_import.counts = survey_import.counts | {
                "new": stored, "existing": survey_import.counts.get("existing", 0) + skipped
            }  # fmt: skip
            survey_import.status = SurveyImport.Status.DONE
            survey_import.imported_at = timezone.now()
            survey_import.save(update_fields=["counts", "status", "imported_at"])
        _plan_delete(survey_import)
        return survey_import
    with transaction.atomic():
        found = _scan(survey_import, write=True)
        if found.error_count:
            transaction.set_rollback(True)
    survey_import.counts = found.counts()
    survey_import.errors = found.errors
    if found.error_count:
        survey_import.status = SurveyImport.Status.INVALID
    else:
        survey_import.status = SurveyImport.Status.DONE
        survey_import.imported_at = timezone.now()
    survey_import.save(update_fields=["counts", "errors", "status", "imported_at"])
    return survey_import


def survey_import_fail(*, import_id: int, message: str) -> None:
    SurveyImport.objects.filter(pk=import_id).update(
        status=SurveyImport.Status.FAILED, failure=message
    )
