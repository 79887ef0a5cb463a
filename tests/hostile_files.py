# ruff: noqa: E501 (the package's fixed XML parts read best on one line each)
"""Hostile spreadsheets for the upload checks, written straight into a zip (no Django, no
openpyxl: writing a million rows through openpyxl would take a minute)."""

from __future__ import annotations

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)  # fmt: skip
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)  # fmt: skip
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Kelurahan" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)  # fmt: skip
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"
_HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>kode_unit</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>KK1</t></is></c></row>'
)


def _xlsx(sheet_rows, shared_strings, *, level: int = 9) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((_SHEET_HEAD + _HEADER_ROW).encode())
            for chunk in sheet_rows:
                part.write(chunk)
            part.write(_SHEET_TAIL.encode())
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            for chunk in shared_strings:
                part.write(chunk)
            part.write(b"</sst>")
    return output.getvalue()


def shared_strings_bomb(megabytes: int = 100) -> bytes:
    """A few hundred KB that expand to `megabytes` MB of shared strings."""
    text = b"<si><t>" + b"Kelurahan Bersinar " * 50 + b"</t></si>"
    block = text * (1024 * 1024 // len(text))

    def strings():
        for _ in range(megabytes):
            yield block

    return _xlsx(iter(()), strings())


def many_rows(rows: int = 1_000_000) -> bytes:
    """`rows` data rows, each a unit code (a number, as Excel stores "5371" typed by hand):
    under the upload's 10 MB and the 64 MB expanded limit, so only the row count stops it."""

    def sheet():
        for start in range(2, rows + 2, 10_000):
            yield "".join(
                f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>'
                for n in range(start, min(start + 10_000, rows + 2))
            ).encode()

    return _xlsx(sheet(), iter(()), level=6)


def far_cell() -> bytes:
    """Two cells, A2 and XFD1048576: a tiny file whose used range is the whole sheet."""
    rows = (
        b'<row r="2"><c r="A2"><v>1</v></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    return _xlsx(iter([rows]), iter(()))
