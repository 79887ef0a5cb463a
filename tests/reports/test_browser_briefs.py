"""In a real browser: an operator requests briefs, the status page updates itself (htmx)
until the worker has rendered them, and the PDFs are downloaded."""

import io

import pytest
from pypdf import PdfReader

from kotan.models import Stakeholder
from reports.models import Brief, BriefDownload
from reports.services.briefs import brief_request
from tests.conftest import browser_login, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _download(page, tmp_path):
    with page.expect_download() as info:
        page.get_by_test_id("brief-download").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return PdfReader(io.BytesIO(path.read_bytes())), info.value.suggested_filename


def test_an_operator_requests_a_stakeholder_brief_and_downloads_it(
    page, start_worker, operator, kupang, period, tmp_path
):
    start_worker()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_login(page, operator.username)
    page.goto("/laporan/ringkasan/")
    page.get_by_label("Jenis ringkasan").select_option("stakeholder")
    page.get_by_label("Pemangku kepentingan").select_option(label="Kesbangpol")
    page.get_by_role("button", name="Minta ringkasan").click()
    page.wait_for_url("**/laporan/ringkasan/*/")
    # No reload: htmx swaps the status panel until the download link appears.
    page.get_by_test_id("brief-download").wait_for(timeout=60_000)
    reader, name = _download(page, tmp_path)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Badan Kesatuan Bangsa dan Politik Kota Kupang" in text
    assert f"Halaman 1 dari {len(reader.pages)}" in text
    assert name.endswith(f"-kesbangpol-{Brief.objects.get().pk}.pdf")
    assert BriefDownload.objects.filter(user=operator).count() == 1
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_wakil_wali_kota_downloads_the_city_summary(
    page, start_worker, operator, pimpinan, kupang, period, tmp_path
):
    start_worker()
    brief = brief_request(user=operator, period=period, kind=Brief.Kind.CITY_SUMMARY).brief
    wait_until(lambda: Brief.objects.get(pk=brief.pk).status == Brief.Status.DONE, timeout=60)
    browser_login(page, pimpinan.username)
    page.goto("/laporan/ringkasan/")
    assert page.get_by_test_id("brief-request-form").count() == 0  # pimpinan reads only
    page.get_by_role("link", name="Ringkasan kota untuk pimpinan").click()
    reader, _name = _download(page, tmp_path)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Untuk Wali Kota dan Wakil Wali Kota" in text
    assert BriefDownload.objects.get().user == pimpinan
    assert Stakeholder.objects.filter(city=kupang).exists()
