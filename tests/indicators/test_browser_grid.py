"""Done-when of issue 11 for the grid, in a real browser: the operator fills a kelurahan row
with one bad cell and one evidence file, fixes the cell and submits all complete rows; the
keyboard moves between cells like a spreadsheet."""

import os

import pytest
from django.urls import reverse

from indicators.models import Indicator, IndicatorValue, Submission
from kotan.models import Region, User
from tests.conftest import browser_login
from tests.factories import PDF_BYTES, make_open_period, make_user, seed_framework_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {"KK1": "75", "KK4": "2,5", "KM1": "8", "KM2": "3"}  # KK4 must be a whole number


def _shot(page, name):
    """Screenshots for a person to look at, when SCREENSHOT_DIR is set."""
    if directory := os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(directory, f"{name}.png"), full_page=False)


def _cell(page, row, col):
    return page.locator(f'[data-row="{row}"][data-col="{col}"]')


@pytest.mark.parametrize("width", [1366, 390])
def test_the_operator_fills_fixes_and_submits_from_the_grid(page, live_server, kupang, width):
    seed_framework_for(kupang)
    period = make_open_period(city=kupang)
    operator = make_user(username="op", city=kupang, role=User.Role.OPERATOR)
    first = Region.objects.filter(city=kupang, level="kelurahan").order_by("code").first()
    indicators = list(Indicator.objects.active().filter(level="kelurahan"))
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(page, operator.username)
    page.goto(reverse("indicators:kelurahan-grid", args=[period.pk]))
    _shot(page, f"grid-{width}")

    # Keyboard: Enter moves down, arrows move across (text cells: at the caret's edge).
    _cell(page, 0, 0).focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.dataset.row") == "1"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowRight")
    focused = page.evaluate(
        "[document.activeElement.dataset.row, document.activeElement.dataset.col]"
    )
    assert focused == ["0", "1"]

    row = page.get_by_test_id("grid-row").first
    for col, indicator in enumerate(indicators):
        if indicator.kind == Indicator.Kind.YES_NO:
            _cell(page, 0, col).select_option("1")
        else:
            _cell(page, 0, col).fill(ANSWERS[indicator.code])
    km3 = next(i for i in indicators if i.code == "KM3")
    row.get_by_label("Bukti untuk indikator").select_option(label="KM3")
    row.get_by_label("Berkas bukti dukung").set_input_files(
        {"name": "bersinar.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="Simpan semua").click()

    summary = page.get_by_test_id("grid-summary")
    assert summary.inner_text() == f"{len(indicators) - 1} isian disimpan, 1 perlu diperbaiki."
    bad = page.locator("[aria-invalid=true]")
    assert bad.count() == 1 and bad.input_value() == "2,5"
    assert "bilangan bulat" in page.locator(".invalid-feedback").first.inner_text()
    stored = IndicatorValue.objects.get(submission__region=first, indicator=km3)
    assert stored.value == 1 and stored.evidence
    _shot(page, f"grid-error-{width}")

    bad.fill("3")
    page.get_by_role("button", name="Simpan dan ajukan semua baris lengkap").click()
    assert "1 kelurahan diajukan" in page.locator(".alert-success").inner_text()
    status = page.get_by_test_id("row-status").first.inner_text()
    assert "Diajukan" in status
    submission = Submission.objects.get(period=period, region=first)
    assert submission.status == Submission.Status.SUBMITTED
    assert Submission.objects.filter(status=Submission.Status.SUBMITTED).count() == 1

    # Nothing of the page is cut off: the table scrolls inside its own region.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
