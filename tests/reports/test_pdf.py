"""Real PDFs rendered by WeasyPrint and read back with pypdf."""

import io
import re
from decimal import Decimal as D
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import override_settings
from pypdf import PdfReader

from indicators.models import Indicator, MethodologyEdition
from kotan.models import Stakeholder
from reports.briefs import brief_content
from reports.models import Brief
from reports.services.pdf import _StaticOnlyFetcher, pdf_static_dir, render_pdf, render_pdf_document
from tests.factories import make_recommendation, make_values


def _edition() -> MethodologyEdition:
    return MethodologyEdition.objects.get(is_default=True)


def _pdf(content) -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf(render_to_string(content.template, content.context))))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _fonts(reader: PdfReader) -> dict[str, bool]:
    """BaseFont → embedded (has a font file)."""
    fonts = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return fonts


def test_a_small_document_has_a4_pages_and_the_page_footer(db):
    html = render_to_string(
        "reports/pdf/base.html",
        {"facts": {"city": "Kota Uji", "year": 2026}, "method": {}, "fingerprint": "ab" * 32},
    )
    rendered = render_pdf_document(html)
    reader = PdfReader(io.BytesIO(rendered.data))
    assert rendered.pages == len(reader.pages) == 2  # the cover, then the method note
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297)
    assert "Halaman 1 dari 2" in reader.pages[0].extract_text()
    assert "Halaman 2 dari 2" in reader.pages[1].extract_text()


def test_the_stakeholder_brief_names_the_organisation_its_indicators_and_recommendations(
    kupang, period
):
    kesbangpol = Stakeholder.objects.get(city=kupang, code="kesbangpol")
    tapem = Stakeholder.objects.get(city=kupang, code="tapem")
    make_recommendation(
        city=kupang,
        variable_code="KL",
        title="Menetapkan SK Tim Terpadu P4GN",
        addressees=[kesbangpol, tapem],
        legal_basis="Permendagri No. 12 Tahun 2019",
    )
    make_recommendation(city=kupang, title="Untuk instansi lain", addressees=[tapem])
    make_values(
        period=period,
        level=Indicator.Level.STAKEHOLDER,
        stakeholder=kesbangpol,
        values={"KL5": 1, "KL6": 35},
    )
    content = brief_content(
        kind=Brief.Kind.STAKEHOLDER,
        period=period,
        edition=_edition(),
        stakeholder_obj=kesbangpol,
    )
    reader = _pdf(content)
    text = _text(reader)
    pages = len(reader.pages)
    assert pages >= 2
    assert "Badan Kesatuan Bangsa dan Politik Kota Kupang" in text
    assert "KL1 · SK Tim Terpadu P4GN tingkat kota" in text
    assert "Menetapkan SK Tim Terpadu P4GN" in text
    assert "Kesbangpol, Bag. Tapem" in text
    assert "Untuk instansi lain" not in text
    assert re.search(r"KL6 · Pegawai yang menjalani tes urine \(%\).*35\s%", text, re.S)
    assert re.search(r"KL5 · .*?Ya", text, re.S)  # a yes/no value reads Ya, not 1
    assert f"Halaman 1 dari {pages}" in reader.pages[0].extract_text()
    assert f"Halaman {pages} dari {pages}" in reader.pages[-1].extract_text()
    fonts = _fonts(reader)
    assert fonts and all(fonts.values()), fonts
    assert any("Kotan-Sans" in name for name in fonts)


def test_the_city_summary_shows_completeness_and_method_and_omits_absent_sections(kupang, period):
    make_values(
        period=period, level=Indicator.Level.KOTA, region=kupang, values={"HK1": 0, "KL1": 1}
    )
    content = brief_content(kind=Brief.Kind.CITY_SUMMARY, period=period, edition=_edition())
    text = _text(_pdf(content))
    assert "Kota Kupang" in text
    assert "UNTUK WALI KOTA DAN WAKIL WALI KOTA" in text.upper()
    assert "IKOTAN periode ini belum dapat dihitung" in text
    assert "Tindak lanjut per instansi" not in text  # no action data before the meetings merge
    total = content.context["completeness"]["total"]
    assert total["approved"] == 2
    assert f"2 dari {total['expected']} nilai yang diharapkan sudah disetujui" in text
    assert "IKOTAN 2019" in text and "Kurang Tanggap" in text
    assert content.fingerprint[:16] in text.replace("\n", "")  # in the colophon


def test_score_and_action_sections_render_when_their_data_is_present(kupang, period):
    """The slots the lead fills after the scores and meetings merges: a hand-made context in
    the documented shape renders, with a vector chart."""
    content = brief_content(kind=Brief.Kind.CITY_SUMMARY, period=period, edition=_edition())
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 40" role="img">'
        '<rect x="0" y="0" width="120" height="20" fill="#0b5394"/>'
        '<text x="125" y="15" font-size="10">HK 35</text></svg>'
    )
    context = {
        **content.context,
        "scores": {
            "key": {"scaled": D("62.50"), "band_name": "Tanggap", "change": D("4.10"),
                    "change_text": "+4,10", "previous_year": 2024, "previous_scaled": D("58.40"),
                    "next_band": "Sangat Tanggap", "gap_to_next": D("17.51")},
            "status": {"is_final": True, "completeness": D("92.5"), "minimum": D(80),
                       "below_minimum": False},
            "variables": [{"code": "HK", "name": "Hukum", "scaled": D("35.00"),
                           "band_name": "Kurang Tanggap", "coverage": D(100),
                           "completeness": D("92.5")}],
            "charts": {"variables": svg},
        },
        "actions": {"by_stakeholder": [{"name": "Kesbangpol", "done": 1, "in_progress": 2,
                                        "overdue": 1}],
                    "totals": {"done": 1, "in_progress": 2, "overdue": 1}},
    }  # fmt: skip
    from django.utils.safestring import mark_safe

    context["scores"]["charts"]["variables"] = mark_safe(svg)
    data = render_pdf(render_to_string(content.template, context))
    text = _text(PdfReader(io.BytesIO(data)))
    assert "IKOTAN 62,50 · Tanggap" in text
    assert "Final" in text and "+4,10" in text
    assert "Kurang 17,51 poin menuju Sangat Tanggap" in text
    assert "HK 35" in text  # the chart's label is text in the PDF: the SVG stayed vector
    assert "Tindak lanjut per instansi" in text


def test_the_renderer_loads_nothing_outside_static():
    fetcher = _StaticOnlyFetcher(pdf_static_dir())
    for url in ("file:///etc/hostname", "http://127.0.0.1/x.png", "ftp://example.org/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch((pdf_static_dir() / "css" / "pdf.css").as_uri())


@override_settings(LANGUAGE_CODE="id")
def test_render_pdf_is_a_pure_function_of_its_html():
    """Same HTML, same bytes (no timestamp, no random identifier): a brief's checksum depends
    on its content only. Not marked django_db, so a database query would fail the test."""
    html = "<html><body><p>Kota Kupang</p></body></html>"
    first, second = render_pdf(html), render_pdf(html)
    assert first.startswith(b"%PDF-")
    assert first == second
    assert _text(PdfReader(io.BytesIO(first))).strip() == "Kota Kupang"
    other = render_pdf(html.replace("Kupang", "Kediri"))
    assert other != first
    assert _text(PdfReader(io.BytesIO(other))).strip() == "Kota Kediri"
