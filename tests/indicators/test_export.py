import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from indicators import exporting
from indicators.models import ImportBatch, Indicator, IndicatorValue, Submission
from indicators.services.framework import responsibilities_assign
from indicators.services.values import ValueInput, submission_get_or_create, submission_values_save
from kotan.models import Region, Stakeholder
from tests.factories import make_period, seed_framework
from tests.indicators.spreadsheets import checked, imported

# One awkward value per kind: decimals, the bounds, a count above its target.
VALUES = {
    "KK1": Decimal("33.333"),
    "KK3": Decimal(1),
    "KK4": Decimal(7),
    "KM1": Decimal(0),
    "KK2": Decimal("2.75"),
    "KW1": Decimal(100),
    "KW2": Decimal(0),
    "HK5": Decimal(1_000_000),
    "KL4": Decimal(1),
    "KL6": Decimal("12.5"),
    "KL7": Decimal(2),
}


@pytest.fixture
def source(kupang, operator):
    seed_framework()
    responsibilities_assign(city=kupang)
    period = make_period(city=kupang, year=2025)
    units = [
        (Indicator.Level.KOTA, {"region": kupang}),
        (Indicator.Level.KELURAHAN, {"region": Region.objects.get(code="53.71.01.1001")}),
        (Indicator.Level.KELURAHAN, {"region": Region.objects.get(code="53.71.05.1002")}),
        (Indicator.Level.STAKEHOLDER, {"stakeholder": Stakeholder.objects.get(code="dinkes")}),
    ]
    for level, unit in units:
        submission = submission_get_or_create(period=period, level=level, **unit)
        inputs = {
            i.pk: ValueInput(VALUES[i.code])
            for i in Indicator.objects.filter(level=level, code__in=VALUES)
        }
        submission_values_save(
            submission=submission, actor=operator, inputs=inputs, expected_version=None
        )
    Submission.objects.filter(period=period, level=Indicator.Level.KOTA).update(
        status=Submission.Status.APPROVED
    )
    return period


def _values(period):
    return {
        (v.submission.region_id, v.submission.stakeholder_id, v.indicator.code): v.value
        for v in IndicatorValue.objects.filter(submission__period=period).select_related(
            "submission", "indicator"
        )
    }


def test_the_xlsx_export_holds_every_value_and_status(source):
    workbook = load_workbook(io.BytesIO(exporting.workbook_bytes(source, with_values=True)))
    kota = list(workbook["Kota"].iter_rows(values_only=True))
    assert kota[0][:4] == ("kode_unit", "nama_unit", "status", "KK2")
    row = dict(zip(kota[0], kota[2], strict=True))
    assert (row["kode_unit"], row["status"], row["KK2"], row["HK5"]) == (
        "53.71",
        "Disetujui",
        2.75,
        1_000_000,
    )


@pytest.mark.parametrize(
    ("name", "export"),
    [
        ("nilai.xlsx", lambda period: exporting.workbook_bytes(period, with_values=True)),
        ("nilai.csv", exporting.csv_bytes),
    ],
)
def test_export_then_import_gives_the_same_values(source, kupang, operator, name, export):
    target = make_period(city=kupang, year=2026)
    batch = checked(target, operator, export(source), name)
    assert batch.status == ImportBatch.Status.READY, batch.errors
    imported(batch, operator)
    assert _values(target) == _values(source)
    assert len(_values(source)) == 4 + 4 + 4 + 3


def test_importing_a_period_s_own_export_changes_nothing(source, operator):
    batch = checked(source, operator, exporting.csv_bytes(source), "nilai.csv")
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.counts["new"] == batch.counts["changed"] == 0
    assert batch.counts["unchanged"] == len(_values(source))


FORMULA = '=HYPERLINK("http://x","x")'


@pytest.fixture
def hostile_names(source, kupang):
    Stakeholder.objects.filter(city=kupang, code="dinkes").update(short_name="=1+1")
    Region.objects.filter(code="53.71.01.1001").update(name=FORMULA)
    return source


def test_the_xlsx_export_writes_text_that_looks_like_a_formula_as_text(hostile_names):
    content = exporting.workbook_bytes(hostile_names, with_values=True)
    workbook = load_workbook(io.BytesIO(content))
    cells = {
        cell.value: cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    assert cells["'=1+1"].data_type == "s"
    assert cells["'" + FORMULA].data_type == "s"
    assert not any(cell.data_type == "f" for cell in cells.values())
    # The values stay numbers.
    kota = list(workbook["Kota"].iter_rows(values_only=True))
    assert dict(zip(kota[0], kota[2], strict=True))["KK2"] == 2.75


def test_the_csv_export_neutralises_text_that_looks_like_a_formula(hostile_names):
    text = exporting.csv_bytes(hostile_names).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    names = {row[2] for row in rows[1:]}
    assert "'=1+1" in names and "'" + FORMULA in names
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_a_neutralised_export_imports_back_unchanged(hostile_names, operator):
    batch = checked(hostile_names, operator, exporting.csv_bytes(hostile_names), "nilai.csv")
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.counts["unchanged"] == len(_values(hostile_names))
