"""End to end: data is approved, a real Celery worker recomputes, the dashboard shows it."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from indicators.scoring.recompute import scores_request_recompute
from tests.factories import PASSWORD, make_approved_submission, make_period
from tests.indicators.test_recompute import CITY_VALUES


@pytest.mark.browser
@pytest.mark.worker
def test_an_approval_reaches_the_dashboard_through_the_worker(
    live_server, celery_worker_process, page, kupang, framework, pimpinan, verifier
):
    period = make_period(city=kupang)
    page.goto(f"{live_server.url}/akun/login/")
    page.fill("input[name=username]", pimpinan.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/laporan/dasbor/")
    expect(page.get_by_test_id("no-snapshot")).to_be_visible()

    # What the verifier's approval does: values approved and a recompute requested, in one
    # transaction; the worker picks the task up after the commit.
    with transaction.atomic():
        make_approved_submission(period=period, values=CITY_VALUES, approved_by=verifier)
        scores_request_recompute(period=period)

    for _attempt in range(60):
        page.reload()
        if (
            page.get_by_test_id("ikotan").count()
            and not page.get_by_test_id("recompute-pending").count()
        ):
            break
        page.wait_for_timeout(500)
    expect(page.get_by_test_id("ikotan")).to_have_text("48,50")
    expect(page.get_by_test_id("category")).to_contain_text("Cukup Tanggap")
    today = timezone.localdate().strftime("%-d")
    expect(page.get_by_test_id("computed-at")).to_contain_text(f"Dihitung pada {today} ")
    expect(page.get_by_test_id("computed-at")).to_contain_text("dari 5 nilai yang disetujui")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
