"""Property tests: whatever a spreadsheet holds, the check lists an error per bad cell and
never raises, and the upload page never answers 500."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from indicators import importing
from indicators.models import ImportBatch
from tests.conftest import login
from tests.factories import make_period, seed_framework
from tests.indicators.spreadsheets import checked, xlsx_bytes

KOTA_CODES = ["KK2", "KW1", "KW2", "KW5"]
DB_EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text openpyxl can store (XML forbids most control characters).
xlsx_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), max_size=12
) | st.sampled_from(["ya", "Tidak", "40,5", "1.000,5", "12%", "NaN", "-inf", "1e999", " 3 "])
cell = st.one_of(
    st.none(),
    xlsx_text,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, max_value=10**6),
)
header = st.sampled_from(KOTA_CODES)
unit = st.sampled_from(["53.71", "53.71", "99.99", "", "KOTA"])


@pytest.fixture
def period(kupang):
    seed_framework()
    return make_period(city=kupang)


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


@DB_EXAMPLES
@given(
    codes=st.lists(header, min_size=1, max_size=4, unique=True),
    rows=st.lists(st.tuples(unit, st.lists(cell, min_size=0, max_size=4)), max_size=4),
)
def test_every_non_empty_cell_is_either_accepted_or_has_its_own_error(
    period, operator, codes, rows
):
    sheet: list[list[object]] = [["kode_unit", *codes]]
    sheet += [[code, *cells] for code, cells in rows]
    batch = checked(period, operator, xlsx_bytes({"Kota": sheet}))

    assert batch.status in (ImportBatch.Status.READY, ImportBatch.Status.INVALID)
    assert batch.counts["errors"] == len(batch.errors)
    for error in batch.errors:
        assert error["sheet"] == "Kota" and 1 <= error["row"] <= len(sheet)
        assert isinstance(error["message"], str) and error["message"]
    seen_unit = False
    for fate, (code, cells) in zip(batch.rows, [r for r in rows if not _blank_row(r)], strict=True):
        filled = sum(1 for value in cells[: len(codes)] if not _blank(value))
        if code == "53.71" and not seen_unit:
            seen_unit = True
            accepted = fate["new"] + fate["changed"] + fate["unchanged"]
            assert accepted + fate["errors"] == filled
            cell_errors = {
                e["column"] for e in batch.errors if e["row"] == fate["row"] and e["column"]
            }
            assert len(cell_errors) == fate["errors"]
            assert cell_errors <= {get_column_letter(i + 2) for i in range(len(codes))}
        else:
            assert fate["errors"] >= 1  # the unit itself is unknown or repeated


def _blank_row(row):
    code, cells = row
    return _blank(code) and all(_blank(value) for value in cells)


def test_a_valid_number_in_every_cell_is_accepted(period, operator):
    sheet: list[list[object]] = [
        ["kode_unit", *KOTA_CODES],
        ["53.71", "3,5", 99.999, "ya", Decimal(12)],
    ]
    batch = checked(period, operator, xlsx_bytes({"Kota": sheet}))
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.counts["new"] == 4


@DB_EXAMPLES
@given(rows=st.lists(st.lists(st.text(max_size=10), max_size=6), max_size=5))
def test_any_csv_text_is_checked_without_an_exception(period, operator, rows):
    output = io.StringIO()
    csv.writer(output).writerows([["kode_unit", *KOTA_CODES], *rows])
    content = output.getvalue().encode("utf-8")
    if importing.sniff_format(content[:4096]) is None:
        return  # NUL bytes: refused by the upload form already (tested below)
    batch = checked(period, operator, content, "acak.csv")
    assert batch.status in (ImportBatch.Status.READY, ImportBatch.Status.INVALID)
    assert all(isinstance(e["message"], str) for e in batch.errors)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=st.binary(min_size=0, max_size=300) | st.just(b"PK\x03\x04") | st.just(b"a\x00"))
def test_uploading_any_bytes_never_answers_500(
    client, period, operator, celery_eager, django_capture_on_commit_callbacks, content
):
    login(client, operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("indicators:import-upload", args=[period.pk]),
            {"file": SimpleUploadedFile("acak.xlsx", content)},
        )
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert client.get(response.url).status_code == 200
