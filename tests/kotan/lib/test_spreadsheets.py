import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from kotan.lib.spreadsheets import csv_text, neutralise, unneutralise, xlsx_row


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_starts_like_a_formula_gets_a_quote(text):
    assert neutralise(text) == "'" + text
    assert unneutralise(neutralise(text)) == text


@pytest.mark.parametrize("text", ["Dinas Kesehatan", "", "1+1", "'quoted", "a=b"])
def test_other_text_is_left_alone(text):
    assert neutralise(text) == text
    assert unneutralise(text) == text


def _read_back(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("x") if write_only else workbook.active
    sheet.append(xlsx_row(sheet, ["=1+1", None, -5, Decimal("-2.5"), datetime.date(2026, 1, 2)]))
    output = io.BytesIO()
    workbook.save(output)
    return next(iter(load_workbook(output).worksheets[0].iter_rows()))


@pytest.mark.parametrize("write_only", [True, False])
def test_an_xlsx_row_keeps_numbers_and_dates_and_types_text_as_string(write_only):
    text, empty, integer, decimal, day = _read_back(write_only)
    assert (text.value, text.data_type) == ("'=1+1", "s")
    assert (integer.value, integer.data_type) == (-5, "n")
    assert (decimal.value, decimal.data_type) == (-2.5, "n")
    assert day.value == datetime.datetime(2026, 1, 2)
    assert empty.value is None


def test_csv_text_keeps_negative_numbers_as_numbers():
    text = csv_text([["=1+1", -5, Decimal("-2.50"), None, "-x"]])
    assert next(csv.reader(io.StringIO(text))) == ["'=1+1", "-5", "-2.5", "", "'-x"]
