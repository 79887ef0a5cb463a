"""Issue 12 in a real browser: an open period with the city and 2 of 51 kelurahan filled is
presented as provisional and incomplete, on a phone (390 px) and on a laptop (1366 px)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from indicators.scoring.recompute import scores_recompute
from indicators.services.demo import demo_scores_seed
from kotan.models import Region
from tests.conftest import browser_login
from tests.factories import make_approved_submission, make_open_period
from tests.indicators.test_recompute import CITY_VALUES

SCREENSHOTS = os.environ.get("KOTAN_SCREENSHOTS", "")


@pytest.fixture
def open_2026(kupang, framework):
    demo_scores_seed(city=kupang)
    period = make_open_period(city=kupang, year=2026)
    make_approved_submission(period=period, values=CITY_VALUES)
    kelurahan = Region.objects.filter(city=kupang, level="kelurahan").order_by("code")
    assert kelurahan.count() == 51
    for region in kelurahan[:2]:
        make_approved_submission(
            period=period,
            region=region,
            values={"KK1": 40, "KM1": 5, "KW3": 1, "KL2": 1, "HK3": 1},
        )
    scores_recompute(period_ids=[period.pk])
    return period


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1366])
def test_an_open_period_with_2_of_51_kelurahan_reads_data_belum_lengkap(
    page, pimpinan, open_2026, width
):
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(page, pimpinan.username)
    page.goto("/laporan/dasbor/")
    headline = page.get_by_test_id("headline")
    expect(headline.get_by_test_id("score-status")).to_have_text("Sementara")
    expect(headline.get_by_test_id("completeness")).to_contain_text("Kelengkapan data ")
    expect(headline.get_by_test_id("completeness")).to_contain_text("%")
    expect(headline.get_by_test_id("below-minimum")).to_have_text("Data belum lengkap")
    expect(headline.get_by_test_id("below-minimum")).to_be_visible()
    # The number is still there, but secondary: small, after the warning.
    number = headline.get_by_test_id("ikotan")
    expect(number).to_be_visible()
    warning_size = headline.get_by_test_id("below-minimum").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert number.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") < warning_size
    expect(page.get_by_test_id("change-note")).to_be_visible()
    # Nothing is cut off: no horizontal scrolling, every territory cell inside the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    overflow = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=territory-table] td,'
              + '[data-testid=territory-table] th, .badge')]
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length"""
    )
    assert overflow == 0
    page.get_by_text("Metode dan jejak data").click()
    expect(page.get_by_test_id("computed-at")).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/dashboard-{width}.png", full_page=True)
