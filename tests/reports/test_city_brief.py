"""Issue 12: the city brief is a two-page policy brief, then an annex. Built from the demo
city's real snapshots, rendered by WeasyPrint and read back with pypdf."""

from __future__ import annotations

import datetime
import io
import os
import re

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from indicators.models import Indicator, MethodologyEdition, ScoreSnapshot
from indicators.services.demo import demo_scores_seed
from kotan.models import Stakeholder
from reports.briefs import brief_content
from reports.models import Brief
from reports.services.pdf import render_pdf_document
from tests.factories import make_action, make_recommendation

OUT = os.environ.get("KOTAN_SCREENSHOTS", "")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def demo_brief(kupang, framework):
    periods, _result = demo_scores_seed(city=kupang)
    period = periods[-1]
    edition = MethodologyEdition.objects.get(is_default=True)
    owner = Stakeholder.objects.get(city=kupang, code="kesbangpol")
    for code, title in (
        ("HK1", "Menyusun Ranperda Fasilitasi P4GN"),
        ("KL3", "Menetapkan RAD P4GN"),
        ("KW1", "Intervensi kawasan rawan"),
        ("KM1", "Melatih relawan anti narkoba"),
    ):
        indicator = Indicator.objects.get(code=code)
        make_recommendation(
            city=kupang,
            variable_code=indicator.variable.code,
            indicator=indicator,
            title=title,
            bands=list(edition.bands.all()),
        )
    hk1 = Indicator.objects.get(code="HK1")
    make_action(
        city=kupang,
        variable=hk1.variable,
        indicator=hk1,
        owner=owner,
        title="Naskah akademik Ranperda",
        due_on=datetime.date(period.year, 3, 1),
    )
    content = brief_content(kind=Brief.Kind.CITY_SUMMARY, period=period, edition=edition)
    rendered = render_pdf_document(render_to_string(content.template, content.context))
    if OUT:
        with open(f"{OUT}/ringkasan-kota.pdf", "wb") as f:
            f.write(rendered.data)
    snap = ScoreSnapshot.objects.get(period=period, edition=edition)
    return content, PdfReader(io.BytesIO(rendered.data)), snap


def test_page_one_is_the_brief(demo_brief):
    content, reader, snap = demo_brief
    page1 = _flat(reader.pages[0].extract_text())
    assert snap.scaled is not None
    assert f"IKOTAN {snap.scaled:.2f}".replace(".", ",") in page1
    assert snap.band_name in page1
    assert ("Final" if snap.is_final else "Sementara") in page1
    change = content.context["scores"]["key"]["change"]
    sign = "+" if change > 0 else "\u2212"
    assert f"{sign}{abs(change):.2f}".replace(".", ",") in page1
    assert "Pesan utama" in page1 and "Variabel terlemah" in page1
    # Three priority recommendations, each with its organisations.
    priorities = page1.split("Tiga rekomendasi prioritas")[1]
    assert len(content.context["priorities"]) == 3
    for item in content.context["priorities"]:
        assert item["title"] in priorities
    assert priorities.count("Penanggung jawab") == 3
    assert "Menyusun Ranperda Fasilitasi P4GN" in priorities  # tied to the biggest lever
    assert "Ketahanan Keluarga" in page1  # the chart names the variables


def test_the_brief_proper_is_at_most_two_pages_before_the_annex(demo_brief):
    _content, reader, _snap = demo_brief
    texts = [_flat(p.extract_text()) for p in reader.pages]
    annex = next(i for i, t in enumerate(texts) if "Lampiran" in t)
    assert annex <= 2  # pages 1 and 2, then the annex
    assert "Variabel dan kelengkapan data" in texts[1]
    assert "Indikator terlemah dan kenaikan yang tersedia" in texts[1]
    assert "Tindak lanjut per instansi" in texts[1]
    annex_text = " ".join(texts[annex:])
    assert "(subtotal)" in annex_text and "Catatan metode" in annex_text
    # The fingerprint sits in a small colophon, no longer a page of its own.
    assert not re.search(r"[0-9a-f]{64}", " ".join(texts))


def test_the_annex_lists_territory_weakest_first_with_kecamatan_subtotals(demo_brief):
    content, _reader, _snap = demo_brief
    rows = content.context["scores"]["territory"]
    kecamatan = [r for r in rows if r["level"] == "kecamatan" and r["scaled"] != "—"]
    values = [float(r["scaled"].replace(",", ".")) for r in kecamatan]
    assert values == sorted(values)
    first_kec = rows.index(kecamatan[0])
    block = []
    for row in rows[first_kec + 1 :]:
        if row["level"] == "kecamatan":
            break
        block.append(float(row["scaled"].replace(",", ".")))
    assert block == sorted(block)


def test_the_brief_is_a_tagged_pdf_in_indonesian(demo_brief):
    _content, reader, _snap = demo_brief
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "id"
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
