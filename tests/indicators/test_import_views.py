from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import ImportBatch, IndicatorValue
from indicators.services.framework import responsibilities_assign
from tests.conftest import login
from tests.factories import make_import_batch, make_period, seed_framework
from tests.indicators.spreadsheets import xlsx_bytes


@pytest.fixture
def period(kupang):
    seed_framework()
    responsibilities_assign(city=kupang)
    return make_period(city=kupang)


def _upload(client, period, content, name="isian.xlsx"):
    return client.post(
        reverse("indicators:import-upload", args=[period.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def test_an_operator_uploads_previews_and_confirms_a_file(
    client, period, operator, celery_eager, django_capture_on_commit_callbacks
):
    login(client, operator)
    content = xlsx_bytes({"Kota": [["kode_unit", "KW1", "KW2"], ["53.71", 45, "ya"]]})
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, period, content)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("indicators:import-detail", args=[batch.pk])

    page = client.get(response.url)
    assert page.status_code == 200
    assert "Siap diimpor" in page.text and "Konfirmasi dan simpan semua" in page.text
    assert "Akan disimpan" in page.text and not IndicatorValue.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indicators:import-confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert sorted(v.value for v in IndicatorValue.objects.all() if v.value is not None) == [
        Decimal(1),
        Decimal(45),
    ]
    assert "Disimpan" in client.get(response.url).text


def test_the_preview_shows_status_changes_and_asks_consent_for_submitted_units(
    client, period, operator, celery_eager, django_capture_on_commit_callbacks
):
    from indicators.models import Indicator, Submission
    from indicators.services.values import submission_get_or_create

    submission = submission_get_or_create(
        period=period, level=Indicator.Level.KOTA, region=period.city
    )
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    login(client, operator)
    content = xlsx_bytes(
        {
            "Kota": [["kode_unit", "KW1"], ["53.71", 45]],
            "Kelurahan": [["kode_unit", "KK1"], ["53.71.01.1001"], ["53.71.01.1002"]],
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, period, content)
    page = client.get(response.url).text
    assert "diajukan → draf" in page and 'name="reopen_submitted"' in page
    assert "Kosong, dilewati" not in page and "2 baris kosong dilewati" in page

    confirm = reverse("indicators:import-confirm", args=[ImportBatch.objects.get().pk])
    response = client.post(confirm, follow=True)
    assert "sudah diajukan" in response.text
    assert Submission.objects.get().status == Submission.Status.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm, {"reopen_submitted": "1"})
    assert Submission.objects.get().status == Submission.Status.DRAFT
    assert IndicatorValue.objects.get().value == Decimal(45)


def test_the_preview_lists_errors_in_indonesian_and_offers_no_confirmation(
    client, period, operator, celery_eager, django_capture_on_commit_callbacks
):
    login(client, operator)
    content = xlsx_bytes({"Kota": [["kode_unit", "KW1"], ["53.71", "seratus"]]})
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, period, content)
    page = client.get(response.url)
    assert "KW1: Nilai harus berupa angka." in page.text
    assert "Konfirmasi dan simpan semua" not in page.text
    batch = ImportBatch.objects.get()
    response = client.post(reverse("indicators:import-confirm", args=[batch.pk]), follow=True)
    assert "tidak dalam keadaan siap diimpor" in response.text
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "kosong.csv", "Berkas yang dikirimkan kosong."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "lama.xls", "Format .xls lama"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "gambar.csv", "harus berupa XLSX atau CSV"),
    ],
)
def test_an_unacceptable_upload_gets_a_message_at_the_field(
    client, period, operator, content, name, message
):
    login(client, operator)
    response = _upload(client, period, content, name)
    assert response.status_code == 200
    assert message in response.text
    assert not ImportBatch.objects.exists()


def test_a_missing_file_gets_a_message_at_the_field(client, period, operator):
    login(client, operator)
    response = client.post(reverse("indicators:import-upload", args=[period.pk]), {})
    assert response.status_code == 200
    assert "Bidang ini tidak boleh kosong." in response.text


def test_the_progress_partial_shows_a_percentage_then_asks_for_a_reload(client, period, operator):
    login(client, operator)
    batch = make_import_batch(period=period, created_by=operator, status="checking")
    url = reverse("indicators:import-progress", args=[batch.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in response.text and "0%" in response.text
    assert "<script" not in response.text and "style=" not in response.text

    batch.status = ImportBatch.Status.READY
    batch.save()
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.headers["HX-Refresh"] == "true"


def test_the_detail_page_polls_while_the_job_runs(client, period, operator):
    login(client, operator)
    batch = make_import_batch(period=period, created_by=operator, status="queued")
    response = client.get(reverse("indicators:import-detail", args=[batch.pk]))
    assert reverse("indicators:import-progress", args=[batch.pk]) in response.text


def test_the_template_and_exports_download_as_files(client, period, pimpinan, operator):
    login(client, operator)
    template = client.get(reverse("indicators:import-template", args=[period.pk]))
    assert template["Content-Disposition"] == (
        f'attachment; filename="templat-kotan-53.71-{period.year}.xlsx"'
    )
    assert template.content.startswith(b"PK")
    login(client, pimpinan)
    export = client.get(reverse("indicators:export-csv", args=[period.pk]))
    assert export.content.decode("utf-8-sig").startswith("tingkat,kode_unit,nama_unit,status,")


def test_the_csv_for_indonesian_excel_uses_semicolons_and_decimal_commas(client, period, operator):
    from tests.factories import make_approved_submission

    make_approved_submission(period=period, values={"KW1": "45.5"})
    login(client, operator)
    export = client.get(reverse("indicators:export-csv", args=[period.pk]) + "?excel=id")
    text = export.content.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header.startswith("tingkat;kode_unit;nama_unit;status;")
    city = next(row for row in rows if row.startswith("kota;53.71;"))
    column = header.split(";").index("KW1")
    assert city.split(";")[column] == "45,5"
    assert "-excel-id.csv" in export["Content-Disposition"]
    # The plain CSV stays as it was.
    plain = client.get(reverse("indicators:export-csv", args=[period.pk])).content.decode()
    assert ",45.5" in plain


def test_another_citys_operator_gets_404_for_a_batch(client, period, operator, other_city_operator):
    batch = make_import_batch(period=period, created_by=operator)
    login(client, other_city_operator)
    assert client.get(reverse("indicators:import-detail", args=[batch.pk])).status_code == 404
    response = client.post(reverse("indicators:import-confirm", args=[batch.pk]))
    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY


def test_anonymous_users_are_sent_to_login(client, period):
    response = client.get(reverse("indicators:import-upload", args=[period.pk]))
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.parametrize("name", ["indicators:import-confirm", "indicators:import-cancel"])
def test_get_on_a_post_only_view_is_405(client, period, operator, name):
    batch = make_import_batch(period=period, created_by=operator)
    login(client, operator)
    assert client.get(reverse(name, args=[batch.pk])).status_code == 405
