"""In a real browser: an operator requests briefs, the status page updates itself (htmx)
until the worker has rendered them, and the PDFs are downloaded."""

import io

import pytest
from pypdf import PdfReader

from kotan.models import Stakeholder
from reports.models import Brief, BriefDownload
from reports.services.briefs import brief_request
from tests.conftest import browser_login, wait_until


@pytest.fixture
def scores_and_actions(kupang, period):
    """Approved values scored by the real scoring service, and follow-up actions (one
    overdue) of Kesbangpol and Dinkes: the briefs' score and action sections have data."""
    import datetime

    from django.utils import timezone

    from indicators.models import MethodologyEdition, ScoreSnapshot
    from indicators.scoring.recompute import scores_recompute
    from meetings.models import Action
    from tests.factories import make_action, make_approved_submission, make_variable

    make_approved_submission(
        period=period, values={"KK2": 3, "KM4": 2.5, "KW1": 40, "KL1": 1, "HK1": 0, "HK2": 1}
    )
    scores_recompute(period_ids=[period.pk])
    kesbangpol = Stakeholder.objects.get(city=kupang, code="kesbangpol")
    make_action(
        city=kupang,
        owner=kesbangpol,
        title="Menyusun rancangan Perda fasilitasi P4GN",
        variable=make_variable("HK"),
        due_on=timezone.localdate() - datetime.timedelta(days=5),
        status=Action.Status.IN_PROGRESS,
    )
    make_action(
        city=kupang,
        owner=Stakeholder.objects.get(city=kupang, code="dinkes"),
        title="Tes urine ASN",
    )
    return ScoreSnapshot.objects.get(period=period, edition=MethodologyEdition.objects.default())


def _flat(reader) -> str:
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _download(page, tmp_path):
    with page.expect_download() as info:
        page.get_by_test_id("brief-download").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return PdfReader(io.BytesIO(path.read_bytes())), info.value.suggested_filename


def test_an_operator_requests_a_stakeholder_brief_and_downloads_it(
    page, start_worker, operator, kupang, period, scores_and_actions, tmp_path
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
    flat = _flat(reader)
    assert "Skor variabel yang Anda pengaruhi" in flat
    assert "Tindak lanjut instansi" in flat
    assert "Menyusun rancangan Perda fasilitasi P4GN" in flat and "terlambat" in flat
    assert "Tes urine ASN" not in flat
    brief = Brief.objects.select_related("period").get()
    assert name == f"ringkasan-kebijakan-kesbangpol-kota-kupang-{brief.period.year}.pdf"
    assert BriefDownload.objects.filter(user=operator).count() == 1
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_wakil_wali_kota_downloads_the_city_summary(
    page, start_worker, operator, pimpinan, kupang, period, scores_and_actions, tmp_path
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
    flat = _flat(reader)
    scaled = f"{scores_and_actions.scaled:.2f}".replace(".", ",")
    assert f"IKOTAN {scaled} · {scores_and_actions.band_name}" in flat
    assert "Badan Kesatuan Bangsa dan Politik Kota Kupang" in flat
    assert "Dinas Kesehatan Kota Kupang" in flat
    assert "Tindak lanjut terlambat" in flat
    assert "Menyusun rancangan Perda fasilitasi P4GN" in flat
    assert BriefDownload.objects.get().user == pimpinan
    assert Stakeholder.objects.filter(city=kupang).exists()
