"""The city dashboard and its drill-down: read from snapshots, scoped to the user's city."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.core.files.base import ContentFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import (
    IndicatorValue,
    MethodologyEdition,
    ScoreRecomputeRequest,
    ScoreSnapshot,
)
from indicators.scoring.recompute import scores_recompute
from indicators.services.demo import demo_scores_seed
from kotan.models import Region
from tests.conftest import login
from tests.factories import make_approved_submission, make_period

DASHBOARD = reverse("reports:dashboard")


@pytest.fixture
def demo(kupang, framework, operator, verifier):
    periods, _result = demo_scores_seed(city=kupang)
    return {p.year: p for p in periods}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_dashboard_shows_the_city_score_category_and_change(client, pimpinan, demo):
    response = login(client, pimpinan).get(DASHBOARD)
    assert response.status_code == 200
    body = text(response)
    snap = ScoreSnapshot.objects.get(period=demo[2025], edition__is_default=True)
    assert snap.band_name == "Kurang Tanggap"
    match = re.search(r'data-testid="ikotan">([^<]+)<', body)
    assert match is not None and snap.scaled is not None
    assert match.group(1) == f"{snap.scaled:.2f}".replace(".", ",")
    assert "Kurang Tanggap" in body
    previous = ScoreSnapshot.objects.get(period=demo[2024], edition__is_default=True)
    assert previous.scaled is not None
    change = f"+{snap.scaled - previous.scaled:.2f}".replace(".", ",")
    assert f'data-testid="change">{change}<' in body
    assert 'data-testid="computed-at"' in body
    assert "recompute-pending" not in body


def test_the_dashboard_explains_the_main_gap_and_shows_every_section(client, pimpinan, demo):
    body = text(login(client, pimpinan).get(DASHBOARD))
    weakest = body.split('data-testid="weakest"')[1].split("</ol>")[0]
    assert weakest.index("HK1") < weakest.index("</li>")  # no Perda: the biggest lever
    for testid in ("variables-table", "trend-table", "territory-table", "completeness-table"):
        assert f'data-testid="{testid}"' in body
    assert "Kec. Alak" in body and "Penkase Oeleta" in body
    assert body.split('<main id="main"')[1].count("<svg") == 2  # the charts (not the bell)
    assert "<title" in body and "<desc" in body


def test_a_pending_recompute_is_announced(client, operator, demo):
    ScoreRecomputeRequest.objects.create(period=demo[2025], requested_at="2025-11-29T01:00Z")
    body = text(login(client, operator).get(DASHBOARD))
    assert 'data-testid="recompute-pending"' in body


def test_choosing_the_period_and_the_edition(client, pimpinan, demo):
    juknis = MethodologyEdition.objects.get(name__startswith="Juknis")
    body = text(login(client, pimpinan).get(DASHBOARD, {"periode": 2024, "edisi": juknis.pk}))
    # 2024's IKOTAN is "kurang tanggap" under 2019's bands, "cukup tanggap" under 2021's.
    assert re.search(r'data-testid="category">.*?Cukup Tanggap', body)
    body = text(client.get(DASHBOARD, {"periode": 2024}))
    assert re.search(r'data-testid="category">.*?Kurang Tanggap', body)
    assert "Tidak ada pembanding" in body


@pytest.mark.parametrize("query", [{"periode": "1999"}, {"periode": "x"}, {"edisi": "999999"}])
def test_an_unknown_period_or_edition_is_not_found(client, pimpinan, demo, query):
    assert login(client, pimpinan).get(DASHBOARD, query).status_code == 404


def test_an_incomplete_city_says_which_variables_lack_data(client, pimpinan, kupang, framework):
    period = make_period(city=kupang)
    make_approved_submission(period=period, values={"KK2": 3, "KM4": 2})
    scores_recompute(period_ids=[period.pk])
    body = text(login(client, pimpinan).get(DASHBOARD))
    assert 'data-testid="incomplete"' in body
    assert "KW, KL, HK" in body


def test_nothing_of_another_city_is_shown(client, other_city_operator, demo):
    body = text(login(client, other_city_operator).get(DASHBOARD))
    assert 'data-testid="no-period"' in body
    for leak in ("Kupang", "Alak", "IKOTAN 2025", "computed-at"):
        assert leak not in body
    response = client.get(reverse("reports:variable-detail", args=["HK"]), {"periode": 2025})
    assert response.status_code == 404


def _grow(kupang, demo):
    """More periods, kelurahan values and snapshots: the query count must not move."""
    extra = make_period(city=kupang, year=2023, status="closed")
    for kelurahan in Region.objects.filter(city=kupang, level="kelurahan")[:20]:
        make_approved_submission(period=extra, region=kelurahan, values={"KK1": 40, "KM1": 2})
    make_approved_submission(
        period=extra, values={"KK2": 2, "KM4": 2, "KW1": 5, "KL1": 1, "HK1": 0}
    )
    scores_recompute(period_ids=[extra.pk])


@pytest.mark.parametrize(
    ("name", "args", "query"),
    [
        ("reports:dashboard", [], {}),
        ("reports:variable-detail", ["KM"], {"periode": 2025}),
        ("reports:indicator-detail", ["KK1"], {"periode": 2025}),
    ],
)
def test_pages_run_a_fixed_number_of_queries_and_never_write(
    client, pimpinan, kupang, demo, name, args, query
):
    login(client, pimpinan)
    url = reverse(name, args=args)
    from django.db import connection

    with CaptureQueriesContext(connection) as small:
        assert client.get(url, query).status_code == 200
    _grow(kupang, demo)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, query).status_code == 200
    assert len(small) == len(large), [q["sql"][:80] for q in large.captured_queries]
    assert len(large) <= 10
    writes = [q["sql"] for q in large.captured_queries if not q["sql"].startswith("SELECT")]
    assert writes == []


def test_pages_run_the_same_queries_at_two_data_sizes(
    client, pimpinan, kupang, demo, django_assert_num_queries
):
    login(client, pimpinan)
    # session, user, the user's city (heading), periods, editions, trend, pending request,
    # chosen snapshot, the territory's region names, the navigation's counts
    with django_assert_num_queries(10):
        client.get(DASHBOARD)
    _grow(kupang, demo)
    with django_assert_num_queries(10):
        client.get(DASHBOARD)


def test_the_drill_down_goes_from_variable_to_indicators_to_values(client, pimpinan, demo):
    login(client, pimpinan)
    body = text(client.get(reverse("reports:variable-detail", args=["HK"]), {"periode": 2025}))
    assert "HK1" in body and "Perda" in body
    assert reverse("reports:indicator-detail", args=["HK1"]) in body
    value = IndicatorValue.objects.get(submission__period=demo[2025], indicator__code="HK1")
    value.evidence.save("perda.pdf", ContentFile(b"%PDF-1.4"), save=True)
    body = text(client.get(reverse("reports:indicator-detail", args=["HK1"]), {"periode": 2025}))
    assert "Disetujui" in body
    assert str(value.entered_by) in body and str(value.submission.approved_by) in body
    evidence = reverse("reports:value-evidence", args=[value.pk])
    assert evidence in body
    response = client.get(evidence)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4"


def test_a_value_without_evidence_has_no_download(client, pimpinan, demo):
    value = IndicatorValue.objects.filter(submission__period=demo[2025]).first()
    assert value is not None
    response = login(client, pimpinan).get(reverse("reports:value-evidence", args=[value.pk]))
    assert response.status_code == 404


def test_the_dashboard_is_get_only(client, pimpinan, demo):
    assert login(client, pimpinan).post(DASHBOARD).status_code == 405


def test_the_snapshot_numbers_match_the_demo_story(demo):
    """Kupang: "kurang tanggap" in 2024, HK1 (Perda) = 0 in both years."""
    for year in (2024, 2025):
        snap = ScoreSnapshot.objects.get(period=demo[year], edition__is_default=True)
        assert snap.band_name == "Kurang Tanggap"
        hk1 = snap.detail["variables"][4]["indicators"][0]
        assert (hk1["code"], hk1["score"]) == ("HK1", "0.0000")
    latest = ScoreSnapshot.objects.get(period=demo[2025], edition__is_default=True).scaled
    assert latest is not None and latest > D(0)
