import io
import os
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from indicators import exporting, importing
from indicators.models import AssessmentPeriod, ImportBatch, Indicator, IndicatorValue, Submission
from indicators.services.framework import responsibilities_assign
from indicators.services.values import (
    ValueInput,
    submission_approve,
    submission_get_or_create,
    submission_history,
    submission_values_save,
)
from kotan.models import AuditEntry, Region
from tests.factories import make_period, seed_framework
from tests.indicators.spreadsheets import checked, errors_at, imported, xlsx_bytes

NAMOSAIN = "53.71.01.1001"
NUNBAUN_SABU = "53.71.01.1002"


@pytest.fixture
def period(kupang):
    seed_framework()
    responsibilities_assign(city=kupang)
    return make_period(city=kupang)


def _values(period):
    values = {}
    for v in IndicatorValue.objects.filter(submission__period=period).select_related(
        "submission__region", "submission__stakeholder", "indicator"
    ):
        unit = v.submission.region or v.submission.stakeholder
        assert unit is not None
        values[(unit.code, v.indicator.code)] = v.value
    return values


def _kelurahan_sheet(*rows):
    return {"Kelurahan": [["kode_unit", "nama_unit", "KK1", "KK3", "KM1"], *rows]}


def test_the_template_has_a_sheet_per_level_with_every_unit_and_indicator(period):
    workbook = load_workbook(
        io.BytesIO(exporting.workbook_bytes(period, with_values=False)),
        read_only=True,
    )
    assert workbook.sheetnames == ["Petunjuk", "Kota", "Kelurahan", "Pemangku kepentingan"]
    kelurahan = list(workbook["Kelurahan"].iter_rows(values_only=True))
    assert kelurahan[0][:4] == ("kode_unit", "nama_unit", "KK1", "KK3")
    assert kelurahan[1][0].startswith("#") and "isi 1 (Ya) atau 0 (Tidak)" in kelurahan[1][3]
    assert len(kelurahan) == 2 + 51
    assert [row[0] for row in workbook["Kota"].iter_rows(values_only=True)][2:] == ["53.71"]
    stakeholder_codes = next(workbook["Pemangku kepentingan"].iter_rows(values_only=True))
    assert stakeholder_codes[2:] == ("KL4", "KL5", "KL6", "KL7")


def test_a_valid_file_is_only_previewed_until_confirmed(period, operator):
    batch = checked(
        period,
        operator,
        xlsx_bytes(_kelurahan_sheet([NAMOSAIN, "Namosain", 40, 1, 3], [NUNBAUN_SABU, "", 55.5])),
    )
    assert batch.status == ImportBatch.Status.READY
    assert batch.counts == {
        "rows": 2,
        "empty": 0,
        "new": 4,
        "changed": 0,
        "unchanged": 0,
        "errors": 0,
        "submitted_to_draft": 0,
        "returned_to_draft": 0,
    }
    assert [(r["row"], r["new"]) for r in batch.rows] == [(2, 3), (3, 1)]
    assert not IndicatorValue.objects.exists()

    batch = imported(batch, operator)

    assert batch.status == ImportBatch.Status.DONE
    assert _values(period) == {
        (NAMOSAIN, "KK1"): Decimal(40),
        (NAMOSAIN, "KK3"): Decimal(1),
        (NAMOSAIN, "KM1"): Decimal(3),
        (NUNBAUN_SABU, "KK1"): Decimal("55.5"),
    }
    # One audit entry per imported unit, with every value it changed: {code: [old, new]}.
    entries = {e.object_repr: e.changes for e in AuditEntry.objects.filter(action="value.import")}
    assert sorted(entries.values(), key=len) == [
        {"KK1": [None, "55.5"]},
        {"KK1": [None, "40"], "KK3": [None, "1"], "KM1": [None, "3"]},
    ]
    assert set(Submission.objects.values_list("version", flat=True)) == {2}


def test_the_import_audit_reads_like_the_entry_forms(period, operator):
    submission = submission_get_or_create(
        period=period, level=Indicator.Level.KOTA, region=period.city
    )
    kw1 = Indicator.objects.get(code="KW1")
    submission_values_save(
        submission=submission,
        actor=operator,
        inputs={kw1.pk: ValueInput(Decimal("40.50"))},
        expected_version=None,
    )
    batch = checked(period, operator, xlsx_bytes({"Kota": [["kode_unit", "KW1"], ["53.71", 70]]}))
    imported(batch, operator)

    form_entry, import_entry = AuditEntry.objects.filter(action__startswith="value.").order_by("pk")
    assert form_entry.changes == {"value": [None, "40.5"]}
    # The import records the unit's changes in one entry on the submission, in the same
    # number format, and the submission's history shows both, newest first.
    assert import_entry.changes == {"KW1": ["40.5", "70"]}
    assert import_entry.object_pk == str(submission.pk)
    assert import_entry.object_repr == str(submission)
    assert import_entry.actor == operator
    assert list(submission_history(submission).filter(action__startswith="value.")) == [
        import_entry,
        form_entry,
    ]


def test_every_error_is_listed_with_sheet_row_and_column(period, operator, verifier):
    approved = submission_get_or_create(
        period=period,
        level=Indicator.Level.KELURAHAN,
        region=Region.objects.get(code=NUNBAUN_SABU),
    )
    submission_values_save(
        submission=approved,
        actor=operator,
        inputs={Indicator.objects.get(code="KK1").pk: ValueInput(Decimal(10))},
        expected_version=None,
    )
    Submission.objects.filter(pk=approved.pk).update(status=Submission.Status.APPROVED)
    content = xlsx_bytes(
        {
            "Kelurahan": [
                ["kode_unit", "nama_unit", "KK1", "KK3", "XX9", "KM1"],
                [NAMOSAIN, "", 140, "mungkin", 5, 2.5],
                ["53.71.99.9999", "", 10],
                [NUNBAUN_SABU, "", 20],
                [NAMOSAIN, "", 10],
            ],
            "Pemangku kepentingan": [
                ["kode_unit", "KL4", "KK2"],
                ["pemkot", 1],
                ["KESBANGPOL", "Ya"],
            ],
        }
    )
    batch = checked(period, operator, content)

    assert batch.status == ImportBatch.Status.INVALID
    errors = errors_at(batch)
    assert errors == {
        ("Kelurahan", 1, "E"): "Kode indikator tidak dikenal: XX9.",
        ("Kelurahan", 2, "C"): "KK1: Nilai harus antara 0 dan 100.",
        ("Kelurahan", 2, "D"): "KK3: Nilai harus berupa angka.",
        ("Kelurahan", 2, "F"): "KM1: Jumlah harus bilangan bulat.",
        ("Kelurahan", 3, "A"): ("Kode unit tidak dikenal untuk tingkat Kelurahan: 53.71.99.9999."),
        ("Kelurahan", 4, "C"): (
            "KK1: data Nunbaun Sabu (53.71.01.1002) sudah disetujui dan terkunci; minta "
            "verifikator membukanya kembali."
        ),
        ("Kelurahan", 5, "A"): f"Unit {NAMOSAIN} sudah ada di lembar Kelurahan baris 2.",
        ("Pemangku kepentingan", 1, "C"): (
            "Indikator KK2 tingkat Kota, tidak dapat diisi di lembar ini."
        ),
        ("Pemangku kepentingan", 2, "B"): "KL4: Indikator KL4 tidak ditugaskan kepada Pemkot.",
    }
    assert batch.counts["errors"] == len(errors)
    fates = {(r["sheet"], r["row"]): r for r in batch.rows}
    assert fates[("Pemangku kepentingan", 3)]["new"] == 1
    with pytest.raises(importing.ImportRefused):
        importing.import_batch_confirm(batch=batch, actor=operator)
    assert IndicatorValue.objects.count() == 1


def test_unchanged_values_of_approved_data_are_not_errors(period, operator, verifier):
    submission = submission_get_or_create(
        period=period, level=Indicator.Level.KOTA, region=period.city
    )
    kw1 = Indicator.objects.get(code="KW1")
    submission_values_save(
        submission=submission,
        actor=operator,
        inputs={kw1.pk: ValueInput(Decimal(40))},
        expected_version=None,
    )
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.APPROVED)
    batch = checked(period, operator, xlsx_bytes({"Kota": [["kode_unit", "KW1"], ["53.71", 40]]}))
    assert batch.status == ImportBatch.Status.READY
    assert batch.counts["unchanged"] == 1


def test_data_approved_after_the_preview_is_refused_at_import(period, operator, verifier):
    submission = submission_get_or_create(
        period=period, level=Indicator.Level.KOTA, region=period.city
    )
    kw1 = Indicator.objects.get(code="KW1")
    submission_values_save(
        submission=submission,
        actor=operator,
        inputs={kw1.pk: ValueInput(Decimal(40))},
        expected_version=None,
    )
    batch = checked(period, operator, xlsx_bytes({"Kota": [["kode_unit", "KW1"], ["53.71", 90]]}))
    assert batch.status == ImportBatch.Status.READY
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    submission_approve(submission=submission, actor=verifier, expected_version=None)

    batch = imported(batch, operator)

    assert batch.status == ImportBatch.Status.INVALID
    assert "terkunci" in batch.errors[0]["message"]
    assert IndicatorValue.objects.get().value == Decimal(40)


def test_a_submitted_unit_is_changed_only_with_consent_for_this_import(period, operator):
    submission = submission_get_or_create(
        period=period, level=Indicator.Level.KOTA, region=period.city
    )
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    batch = checked(period, operator, xlsx_bytes({"Kota": [["kode_unit", "KW1"], ["53.71", 90]]}))
    assert batch.status == ImportBatch.Status.READY
    assert batch.counts["submitted_to_draft"] == 1
    assert batch.rows[0]["status"] == Submission.Status.SUBMITTED

    with pytest.raises(importing.ImportRefused, match="sudah diajukan"):
        importing.import_batch_confirm(batch=batch, actor=operator)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED and not IndicatorValue.objects.exists()

    imported(batch, operator, reopen_submitted=True)
    submission.refresh_from_db()
    assert (submission.status, submission.version) == (Submission.Status.DRAFT, 2)
    entry = AuditEntry.objects.get(action="submission.draft")
    assert entry.changes == {"status": ["submitted", "draft"]}


def test_a_unit_submitted_after_the_preview_is_not_changed_without_consent(period, operator):
    submission = submission_get_or_create(
        period=period, level=Indicator.Level.KOTA, region=period.city
    )
    batch = checked(period, operator, xlsx_bytes({"Kota": [["kode_unit", "KW1"], ["53.71", 90]]}))
    assert batch.counts["submitted_to_draft"] == 0
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.SUBMITTED, version=5
    )
    batch = imported(batch, operator)
    assert batch.status == ImportBatch.Status.INVALID
    assert any("sudah diajukan" in e["message"] for e in batch.errors)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED and not IndicatorValue.objects.exists()


def test_a_returned_unit_goes_back_to_draft_and_the_preview_says_so(period, operator):
    submission = submission_get_or_create(
        period=period, level=Indicator.Level.KOTA, region=period.city
    )
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RETURNED)
    batch = checked(period, operator, xlsx_bytes({"Kota": [["kode_unit", "KW1"], ["53.71", 90]]}))
    assert batch.counts["returned_to_draft"] == 1 and batch.counts["submitted_to_draft"] == 0
    imported(batch, operator)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT


def test_errors_carry_the_offending_value_and_empty_rows_are_counted(period, operator):
    batch = checked(
        period,
        operator,
        xlsx_bytes(
            _kelurahan_sheet(
                [NAMOSAIN, "Namosain", 140, 1, 3],
                [NUNBAUN_SABU, "Nunbaun Sabu"],
                ["99.99.99", "", 10],
            )
        ),
    )
    assert batch.status == ImportBatch.Status.INVALID
    values = {(e["row"], e["column"]): e["value"] for e in batch.errors}
    assert values == {(2, "C"): "140", (4, "A"): "99.99.99"}
    assert batch.counts["empty"] == 1 and batch.counts["rows"] == 3


def test_a_csv_with_semicolons_decimal_commas_and_a_level_column_is_read(period, operator):
    content = (
        "tingkat;kode_unit;KW1;KK1;KL6\n"
        "kota;53.71;33,333;;\n"
        f"kelurahan;{NAMOSAIN};;12,5%;\n"
        "pemangku;dinkes;;;75\n"
    ).encode("cp1252")
    batch = checked(period, operator, content, "isian.csv")
    assert batch.status == ImportBatch.Status.READY, batch.errors
    imported(batch, operator)
    assert _values(period) == {
        ("53.71", "KW1"): Decimal("33.333"),
        (NAMOSAIN, "KK1"): Decimal("12.5"),
        ("dinkes", "KL6"): Decimal(75),
    }


def test_a_value_in_another_levels_column_is_an_error(period, operator):
    content = b"tingkat,kode_unit,KW1,KK1\nkota,53.71,10,20\n"
    batch = checked(period, operator, content, "isian.csv")
    assert errors_at(batch) == {
        ("CSV", 2, "D"): "KK1: Indikator KK1 tingkat Kelurahan; baris ini tingkat Kota."
    }


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"PK\x03\x04 not really a zip", "rusak.xlsx"),
        (xlsx_bytes({"Lembar1": [["judul laporan"], ["kode_unit", "KW1"]]}), "judul.xlsx"),
        (b'kode_unit,KW1\n53.71,"tidak ditutup\n', "rusak.csv"),
    ],
)
def test_an_unusable_file_is_reported_not_crashed(period, operator, content, name):
    batch = checked(period, operator, content, name)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors and all(e["message"] for e in batch.errors)


def test_a_locked_period_refuses_every_import(period, operator):
    batch = checked(period, operator, xlsx_bytes({"Kota": [["kode_unit", "KW1"], ["53.71", 9]]}))
    AssessmentPeriod.objects.filter(pk=period.pk).update(status=AssessmentPeriod.Status.LOCKED)
    batch = imported(batch, operator)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors[0]["message"] == "Periode ini sudah dikunci; data tidak dapat diubah."
    assert not IndicatorValue.objects.exists()


def test_the_check_and_the_import_run_once_when_a_job_is_delivered_twice(period, operator):
    batch = checked(period, operator, xlsx_bytes({"Kota": [["kode_unit", "KW1"], ["53.71", 9]]}))
    assert importing.import_batch_check(batch_id=batch.pk).status == ImportBatch.Status.READY
    imported(batch, operator)
    assert importing.import_batch_apply(batch_id=batch.pk).status == ImportBatch.Status.DONE
    assert AuditEntry.objects.filter(action="value.import").count() == 1


def test_cancelling_deletes_the_kept_file(period, operator, django_capture_on_commit_callbacks):
    batch = checked(period, operator, xlsx_bytes({"Kota": [["kode_unit", "KW1"], ["53.71", 9]]}))
    path = batch.file.path
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_batch_cancel(batch=batch, actor=operator)
    assert not os.path.exists(path)


def test_the_import_reuses_the_check_when_nothing_changed_since(period, operator, monkeypatch):
    batch = checked(period, operator, xlsx_bytes({"Kota": [["kode_unit", "KW1"], ["53.71", 9]]}))
    calls = []
    monkeypatch.setattr(importing.services, "analyse", lambda *args: calls.append(args))
    batch = imported(batch, operator)
    assert (batch.status, calls) == (ImportBatch.Status.DONE, [])
    assert IndicatorValue.objects.get().value == Decimal(9)


def test_without_copy_the_import_writes_the_same_through_bulk_create(period, operator, monkeypatch):
    monkeypatch.setattr(importing.writing, "USE_COPY", False)
    content = xlsx_bytes(_kelurahan_sheet([NAMOSAIN, "", 40, 1, 3]))
    imported(checked(period, operator, content), operator)
    assert len(_values(period)) == 3
    entry = AuditEntry.objects.get(action="value.import")
    assert entry.changes == {"KK1": [None, "40"], "KK3": [None, "1"], "KM1": [None, "3"]}
