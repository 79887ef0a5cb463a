"""Importing Kobo and ODK exports: mapping, errors by row and column, all or nothing,
re-imports without duplicates."""

import io
import uuid
import zipfile
from fractions import Fraction

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Indicator
from indicators.surveys.models import Respondent, SurveyImport
from indicators.surveys.services.aggregation import survey_means
from indicators.surveys.services.importing import (
    ImportRefused,
    survey_import_apply,
    survey_import_check,
    survey_import_confirm,
    survey_import_create,
    survey_import_set_mapping,
)
from tests.conftest import login
from tests.surveys.kobo import csv_bytes, kobo_header, kobo_row, xlsx_bytes

KK = ["KK01", "KK02", "KK03", "KK04", "KK05", "KK06", "KK07", "KK08"]
KM = ["KM01", "KM02", "KM03", "KM04", "KM05", "KM06", "KM07", "KM08"]
CODES = KK + KM


def _kobo_file():
    """Four families and two community respondents; KK04/KK07 and KM04/KM07 are reverse."""
    rows = [
        kobo_row(number=1, kelurahan="Namosain", setting="Keluarga", item_codes=CODES,
                 answers={c: 3 for c in KK} | {"KK04": 1, "KK07": 2}),
        kobo_row(number=2, kelurahan="53.71.01.1001", setting="keluarga", item_codes=CODES,
                 answers={c: 2 for c in KK} | {"KK04": 4}),
        kobo_row(number=3, kelurahan="namosain", setting="Keluarga", item_codes=CODES,
                 answers={"KK01": 4, "KK04": 1}),
        kobo_row(number=4, kelurahan="Namosain", setting="Masyarakat", item_codes=CODES,
                 answers={c: 4 for c in KM} | {"KM04": 2, "KM07": 1}),
    ]  # fmt: skip
    return rows


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _run(survey_import, actor):
    checked = survey_import_check(import_id=survey_import.pk)
    if checked.status != SurveyImport.Status.READY:
        return checked
    survey_import_confirm(survey_import=checked, actor=actor)
    return survey_import_apply(import_id=survey_import.pk)


def test_a_kobo_export_imports_and_a_reimport_adds_nothing(operator, survey):
    rows = _kobo_file()
    data = xlsx_bytes(kobo_header(CODES), rows)
    first = survey_import_create(survey=survey, actor=operator, upload=_upload("kobo.xlsx", data))
    assert first.mapping["lokasi/kelurahan"] == "kelurahan"
    assert first.mapping["_uuid"] == "id" and first.mapping["grp_kk/KK04"] == "item:KK04"
    assert first.mapping["responden/umur"] == "age_group" and first.mapping["_id"] == ""
    survey_import_set_mapping(survey_import=first, actor=operator, mapping=first.mapping)
    done = _run(first, operator)
    assert done.status == SurveyImport.Status.DONE, done.errors
    assert done.counts == {"rows": 4, "new": 4, "existing": 0, "errors": 0}
    assert Respondent.objects.filter(survey=survey, source="import").count() == 4
    # Answers to items not asked in the setting are not kept.
    family = Respondent.objects.get(external_id=rows[0][-3])
    assert set(family.answers) == set(KK) and family.age_group == "20-34"
    assert family.started_at is not None and family.finished_at is not None

    again = survey_import_create(survey=survey, actor=operator, upload=_upload("kobo.xlsx", data))
    survey_import_set_mapping(survey_import=again, actor=operator, mapping=again.mapping)
    repeat = _run(again, operator)
    assert repeat.counts == {"rows": 4, "new": 0, "existing": 4, "errors": 0}
    assert Respondent.objects.filter(survey=survey).count() == 4

    # Reverse items count as 5 − answer in the aggregation.
    kk2 = Indicator.objects.get(code="KK2").pk
    by_hand = (
        Fraction(3 * 6 + (5 - 1) + (5 - 2), 8)  # KK04 = 1, KK07 = 2, reverse
        + Fraction(2 * 6 + (5 - 4) + (5 - 2), 8)
        + Fraction(4 + (5 - 1), 2)
    ) / 3
    assert survey_means(survey).city[kk2].value == by_hand


def test_an_odk_csv_maps_instance_ids_and_kemendagri_codes(operator, survey):
    instance = f"uuid:{uuid.uuid4()}"
    header = ["SubmissionDate", "grp-kelurahan", "grp-setting", "grp-KM01", "grp-KM04",
              "meta-instanceID", "KEY"]  # fmt: skip
    data = csv_bytes(header, [["2026-11-03", "53.71.01.1001", "pendidikan", 3, 4, instance,
                               instance]])  # fmt: skip
    survey_import = survey_import_create(
        survey=survey, actor=operator, upload=_upload("odk.csv", data)
    )
    assert survey_import.mapping["meta-instanceID"] == "id"
    mapping = survey_import.mapping | {"KEY": ""}
    assert (
        survey_import_set_mapping(survey_import=survey_import, actor=operator, mapping=mapping)
        == []
    )
    assert _run(survey_import, operator).status == SurveyImport.Status.DONE
    respondent = Respondent.objects.get()
    assert str(respondent.uuid) == instance.removeprefix("uuid:")
    assert respondent.answers == {"KM01": 3, "KM04": 4}


def test_errors_are_reported_by_row_and_column_and_nothing_is_imported(operator, survey):
    rows = _kobo_file()
    rows[1][kobo_header(CODES).index("grp_kk/KK02")] = 7
    rows[2][kobo_header(CODES).index("lokasi/kelurahan")] = "Atlantis"
    data = xlsx_bytes(kobo_header(CODES), rows)
    survey_import = survey_import_create(
        survey=survey, actor=operator, upload=_upload("kobo.xlsx", data)
    )
    survey_import_set_mapping(
        survey_import=survey_import, actor=operator, mapping=survey_import.mapping
    )
    checked = survey_import_check(import_id=survey_import.pk)
    assert checked.status == SurveyImport.Status.INVALID
    cells = {(e["row"], e["column"]) for e in checked.errors}
    assert cells == {(3, "grp_kk/KK02"), (4, "lokasi/kelurahan")}
    with pytest.raises(ImportRefused):
        survey_import_confirm(survey_import=checked, actor=operator)
    assert not Respondent.objects.exists()


def test_a_mapping_without_the_submission_id_is_refused(operator, survey):
    data = xlsx_bytes(kobo_header(CODES), _kobo_file())
    survey_import = survey_import_create(
        survey=survey, actor=operator, upload=_upload("kobo.xlsx", data)
    )
    mapping = survey_import.mapping | {"_uuid": ""}
    errors = survey_import_set_mapping(survey_import=survey_import, actor=operator, mapping=mapping)
    assert any("ID kiriman" in e for e in errors)
    assert SurveyImport.objects.get().status == SurveyImport.Status.MAPPING


def _kept_files(media_root):
    return sorted(p for p in (media_root / "survey-imports").rglob("*") if p.is_file())


def test_a_zip_bomb_is_refused_before_it_is_inflated(operator, survey, media_root):
    before = _kept_files(media_root)
    data = xlsx_bytes(kobo_header(CODES), _kobo_file())
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", b"\0" * 50_000_000)
    with pytest.raises(ImportRefused, match="ditolak"):
        survey_import_create(
            survey=survey, actor=operator, upload=_upload("bom.xlsx", buffer.getvalue())
        )
    assert _kept_files(media_root) == before  # nothing of the refused file is kept


def test_a_far_cell_that_would_abort_calamine_is_refused(operator, survey):
    """One cell at XFD1048576 in a 5 KB file made python-calamine abort the worker."""
    data = xlsx_bytes(kobo_header(CODES), _kobo_file())
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook.active["XFD1048576"] = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRefused, match=r"ditolak|terlalu besar"):
        survey_import_create(
            survey=survey, actor=operator, upload=_upload("far.xlsx", buffer.getvalue())
        )


def test_the_import_pages_upload_map_check_and_confirm(
    client, operator, survey, django_capture_on_commit_callbacks
):
    login(client, operator)
    data = xlsx_bytes(kobo_header(CODES), _kobo_file())
    response = client.post(
        reverse("surveys:import-upload", args=[survey.pk]), {"file": _upload("kobo.xlsx", data)}
    )
    survey_import = SurveyImport.objects.get()
    assert response.url == reverse("surveys:import-detail", args=[survey_import.pk])
    page = client.get(response.url).content.decode()
    assert 'data-testid="mapping"' in page and "lokasi/kelurahan" in page
    form = {f"col-{i}": survey_import.mapping[c] for i, c in enumerate(survey_import.columns)}
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("surveys:import-mapping", args=[survey_import.pk]), form)
    assert len(callbacks) == 1
    survey_import_check(import_id=survey_import.pk)
    page = client.get(reverse("surveys:import-detail", args=[survey_import.pk])).content.decode()
    assert "Impor 4 responden baru" in page
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("surveys:import-confirm", args=[survey_import.pk]))
    assert len(callbacks) == 1
    survey_import_apply(import_id=survey_import.pk)
    assert Respondent.objects.count() == 4


def test_a_file_that_is_not_a_spreadsheet_gets_a_form_error(client, operator, survey):
    response = login(client, operator).post(
        reverse("surveys:import-upload", args=[survey.pk]),
        {"file": _upload("foto.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)},
    )
    assert response.status_code == 200
    assert "XLSX atau CSV" in response.content.decode()


def test_respondents_stored_between_the_check_and_the_import_are_skipped(operator, survey):
    rows = _kobo_file()
    data = xlsx_bytes(kobo_header(CODES), rows)
    survey_import = survey_import_create(
        survey=survey, actor=operator, upload=_upload("kobo.xlsx", data)
    )
    survey_import_set_mapping(
        survey_import=survey_import, actor=operator, mapping=survey_import.mapping
    )
    checked = survey_import_check(import_id=survey_import.pk)
    assert checked.counts["new"] == 4
    # The same submission arrives meanwhile (another operator's upload of the same export).
    from tests.surveys.helpers import make_respondent

    make_respondent(survey=survey, answers={"KK01": 1}, uuid=uuid.UUID(rows[0][-3]))
    survey_import_confirm(survey_import=checked, actor=operator)
    done = survey_import_apply(import_id=survey_import.pk)
    assert done.counts["new"] == 3 and done.counts["existing"] == 1
    assert Respondent.objects.count() == 4
