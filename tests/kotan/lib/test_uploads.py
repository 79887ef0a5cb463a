"""kotan.lib.uploads.xlsx_check: what an XLSX may expand to, judged before parsing."""

import io
import zipfile

import pytest

from kotan.lib.uploads import TooManyRows, UnsafeSpreadsheet, XlsxLimits, xlsx_check
from tests.hostile_files import many_rows, shared_strings_bomb

LIMITS = XlsxLimits(
    max_entries=20,
    max_uncompressed=8 * 1024 * 1024,
    max_ratio=100,
    max_shared_strings=2 * 1024 * 1024,
    max_rows=1_000,
)


def _zip(parts: dict[str, bytes]) -> io.BytesIO:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    output.seek(0)
    return output


def _rows(count: int, *, prefix: str = "") -> bytes:
    tag = f"{prefix}row"
    return b"".join(f'<{tag} r="{n}"><c><v>{n}</v></c></{tag}>'.encode() for n in range(count))


def test_an_ordinary_workbook_passes_and_the_handle_is_rewound():
    handle = _zip({"xl/worksheets/sheet1.xml": _rows(500), "xl/styles.xml": b"<styleSheet/>"})
    handle.seek(0)
    xlsx_check(handle, LIMITS)
    assert handle.tell() == 0


def test_too_many_entries_are_refused():
    handle = _zip({f"xl/media/{n}.xml": b"x" for n in range(21)})
    with pytest.raises(UnsafeSpreadsheet, match="terlalu banyak bagian"):
        xlsx_check(handle, LIMITS)


def test_too_much_expanded_content_is_refused():
    handle = _zip({"xl/worksheets/sheet1.xml": b"<a/>" * (3 * 1024 * 1024)})
    with pytest.raises(UnsafeSpreadsheet, match="setelah diekstrak"):
        xlsx_check(handle, LIMITS)


def test_an_entry_compressed_beyond_the_ratio_is_refused():
    handle = _zip({"xl/worksheets/sheet2.xml": b"\x20" * (4 * 1024 * 1024)})
    with pytest.raises(UnsafeSpreadsheet, match="dipadatkan secara tidak wajar"):
        xlsx_check(handle, LIMITS)


def test_oversized_shared_strings_are_refused():
    strings = b"".join(b"<si><t>%d</t></si>" % n for n in range(150_000))
    handle = _zip({"xl/sharedStrings.xml": strings})
    with pytest.raises(UnsafeSpreadsheet, match="daftar teksnya"):
        xlsx_check(handle, LIMITS)


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_rows_are_counted_across_chunks_and_stop_at_the_cap(prefix):
    xlsx_check(_zip({"xl/worksheets/sheet1.xml": _rows(1_000, prefix=prefix)}), LIMITS)
    with pytest.raises(TooManyRows, match=r"1\.000 baris"):
        xlsx_check(_zip({"xl/worksheets/sheet1.xml": _rows(1_001, prefix=prefix)}), LIMITS)


def test_rows_of_every_sheet_count_together_and_row_breaks_do_not():
    parts = {
        "xl/worksheets/sheet1.xml": _rows(600) + b"<rowBreaks><brk/></rowBreaks>" * 900,
        "xl/worksheets/sheet2.xml": _rows(401),
    }
    with pytest.raises(TooManyRows):
        xlsx_check(_zip(parts), LIMITS)


def test_a_file_that_is_not_a_zip_is_left_to_the_parser():
    xlsx_check(io.BytesIO(b"PK\x03\x04 not really a zip"), LIMITS)


def test_the_reported_hostile_files_are_refused():
    with pytest.raises(UnsafeSpreadsheet):
        xlsx_check(io.BytesIO(shared_strings_bomb(megabytes=10)), LIMITS)
    with pytest.raises(TooManyRows):
        xlsx_check(io.BytesIO(many_rows(rows=5_000)), LIMITS)


def _far_cell(reference: str) -> io.BytesIO:
    """A 5 KB workbook with one cell at `reference`: python-calamine sizes its grid by the
    farthest cell, so XFD1048576 made it abort the whole process."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "kode"
    workbook.active[reference] = 1
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    return output


def test_a_cell_far_below_the_row_cap_is_refused():
    with pytest.raises(TooManyRows):
        xlsx_check(_far_cell("B1048576"), LIMITS)


def test_a_cell_far_to_the_right_is_refused():
    with pytest.raises(UnsafeSpreadsheet, match="terlalu lebar"):
        xlsx_check(_far_cell("XFD1"), LIMITS)


def test_a_sheet_within_its_extent_passes():
    xlsx_check(_far_cell("AMJ900"), LIMITS)  # column 1024, row 900
