"""Checking uploaded files by their content: evidence (its type) and spreadsheets (what an
XLSX expands to), shared by every app that takes uploads."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# Enough bytes for filetype to recognise every format we accept (DOCX/XLSX need the most).
_SNIFF_BYTES = 8192


def sniff_mime(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return None if kind is None else str(kind.mime)


def upload_mime(upload: UploadedFile, *, allowed: Mapping[str, str], what: object) -> str:
    """The upload's real content type, judged by its bytes rather than its name.

    `allowed` maps accepted MIME types to file extensions; `what` names them for the
    message (e.g. "PDF, JPEG atau PNG"). Raises a ValidationError in Indonesian when the
    file is larger than EVIDENCE_MAX_BYTES or of another type.
    """
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("Berkas %(name)s terlalu besar (maksimum %(max)s).")
            % {"name": upload.name, "max": filesizeformat(limit)},
            code="too_big",
        )
    upload.seek(0)
    mime = sniff_mime(upload.read(_SNIFF_BYTES))
    upload.seek(0)
    if mime is None or mime not in allowed:
        raise ValidationError(
            _("Berkas %(name)s bukan %(what)s.") % {"name": upload.name, "what": what},
            code="type",
        )
    return mime


# --- Spreadsheets: what an XLSX may expand to, checked before any parser reads it ----------


class UnsafeSpreadsheet(ValueError):
    """An XLSX refused before parsing; the message is for the user, in Indonesian."""


class TooManyRows(UnsafeSpreadsheet):
    pass


@dataclass(frozen=True)
class XlsxLimits:
    max_entries: int
    max_uncompressed: int
    max_ratio: int
    max_shared_strings: int
    max_rows: int
    # The widest sheet accepted: a parser sizes its grid by the farthest cell, so one cell at
    # XFD1048576 in a 5 KB file makes python-calamine abort the whole process.
    max_columns: int = 1024

    @classmethod
    def from_settings(cls, *, max_rows: int) -> XlsxLimits:
        return cls(
            max_entries=settings.XLSX_MAX_ENTRIES,
            max_uncompressed=settings.XLSX_MAX_UNCOMPRESSED_BYTES,
            max_ratio=settings.XLSX_MAX_COMPRESSION_RATIO,
            max_shared_strings=settings.XLSX_MAX_SHARED_STRINGS_BYTES,
            max_rows=max_rows,
        )


# Small parts (styles, a short sheet) may compress better than big ones; the ratio is only
# judged from this size up.
_RATIO_FROM_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024
# A row element of a worksheet, with or without a namespace prefix (not rowBreaks etc.).
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_SHARED_STRINGS = "xl/sharedstrings.xml"
# The reference of a cell (<c r="AB12">) and the number of a row (<row r="12">); other
# parts use r= for other things (a theme's r="50000").
_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?(?:c|row)\s[^>]{0,200}?\br="([A-Z]{0,3})([0-9]{1,9})"')
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref="[^"]*?([A-Z]{1,3})([0-9]{1,9})"')


def xlsx_check(handle: IO[bytes], limits: XlsxLimits) -> None:
    """Refuse a zip bomb or an oversized sheet before openpyxl (or any parser) touches it: the
    number of entries, their total uncompressed size, each entry's compression ratio, the size
    of the shared strings, then the rows of every part, counted while streaming and stopped
    at `limits.max_rows`. The zip module never expands an entry past its declared size (and
    checks its CRC), so the declared sizes bound what the parser will read.

    A file that is not a zip archive at all is left to the parser to call unreadable."""
    start = handle.tell()
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, EOFError):
        handle.seek(start)
        return
    try:
        with archive:
            entries = archive.infolist()
            _check_entries(entries, limits)
            _check_rows(archive, entries, limits)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        pass  # damaged: the parser will call it unreadable
    finally:
        handle.seek(start)


def _check_entries(entries: list[zipfile.ZipInfo], limits: XlsxLimits) -> None:
    if len(entries) > limits.max_entries:
        raise UnsafeSpreadsheet(
            _(
                "Berkas XLSX ditolak: berisi terlalu banyak bagian "
                "(%(count)s; paling banyak %(max)s)."
            )
            % {"count": len(entries), "max": limits.max_entries}
        )
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_uncompressed:
        raise UnsafeSpreadsheet(
            _(
                "Berkas XLSX ditolak: setelah diekstrak isinya %(size)s, paling besar %(max)s. "
                "Berkas impor yang wajar jauh lebih kecil; periksa isinya lalu simpan ulang."
            )
            % {"size": filesizeformat(total), "max": filesizeformat(limits.max_uncompressed)}
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size >= _RATIO_FROM_BYTES and ratio > limits.max_ratio:
            raise UnsafeSpreadsheet(
                _(
                    "Berkas XLSX ditolak: bagian %(part)s dipadatkan secara tidak wajar "
                    "(%(ratio)s kali). Simpan ulang dari Excel atau LibreOffice lalu unggah lagi."
                )
                % {"part": entry.filename[:80], "ratio": int(ratio)}
            )
        if (
            entry.filename.lower() == _SHARED_STRINGS
            and entry.file_size > limits.max_shared_strings
        ):
            raise UnsafeSpreadsheet(
                _("Berkas XLSX ditolak: daftar teksnya %(size)s, paling besar %(max)s.")
                % {
                    "size": filesizeformat(entry.file_size),
                    "max": filesizeformat(limits.max_shared_strings),
                }
            )


def _check_rows(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], limits: XlsxLimits
) -> None:
    """Count row elements part by part, streaming, and stop as soon as the cap is passed;
    refuse a cell or dimension beyond the row cap or `max_columns` on the way."""
    rows = 0
    for entry in entries:
        if entry.is_dir() or entry.filename.lower() == _SHARED_STRINGS:
            continue
        with archive.open(entry) as part:
            tail = b""
            while chunk := part.read(_CHUNK):
                data = tail + chunk
                # A tag cut between two chunks is counted in the next one: keep a short tail
                # that cannot itself hold a whole tag.
                cut = max(len(data) - 64, 0)
                rows += len(_ROW_TAG.findall(data, 0, cut))
                # All of `data`: the tail is searched twice, harmless for a maximum, and a
                # reference across the cut is never missed.
                _check_extent(data, limits)
                tail = data[cut:]
                if rows > limits.max_rows:
                    raise too_many_rows(limits.max_rows)
            rows += len(_ROW_TAG.findall(tail))
        if rows > limits.max_rows:
            raise too_many_rows(limits.max_rows)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _check_extent(data: bytes, limits: XlsxLimits) -> None:
    # Blank rows above the data are fine; a row number past twice the cap is not a table.
    for pattern in (_REF, _DIMENSION):
        for match in pattern.finditer(data):
            letters, number = match.groups()
            if int(number) > 2 * limits.max_rows + 1000:
                raise too_many_rows(limits.max_rows)
            if _column_number(letters) > limits.max_columns:
                raise UnsafeSpreadsheet(
                    _("Berkas XLSX ditolak: lembarnya terlalu lebar (paling banyak %(max)s kolom).")
                    % {"max": limits.max_columns}
                )


def too_many_rows(maximum: int) -> TooManyRows:
    return TooManyRows(
        _("Berkas terlalu besar: paling banyak %(max)s baris data.")
        % {"max": number_format(maximum, force_grouping=True)}
    )
