"""Collecting respondents on a 390 px phone screen, with the connection dropping midway:
every respondent reaches the server exactly once."""

import os

import pytest
from django.urls import reverse

from indicators.surveys.models import Respondent
from indicators.surveys.services.plan import survey_start
from indicators.surveys.services.questionnaires import questionnaire_seed
from tests.conftest import browser_login
from tests.factories import make_open_period, seed_framework_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill(page, *, kelurahan_pk: int, setting: str, answer: int) -> None:
    page.select_option("#id_kelurahan", str(kelurahan_pk))
    page.locator(f"label[for='setting-{setting}']").click()
    page.locator("label[for='sex-P']").click()
    items = page.locator("fieldset[data-item]:visible")
    assert items.count() > 0
    for index in range(items.count()):
        code = items.nth(index).get_attribute("data-item")
        # Vary the answers so no respondent looks straight-lined.
        value = answer if index % 2 else 5 - answer
        page.locator(f"label[for='a-{code}-{value}']").click()
    page.get_by_role("button", name="Simpan responden").click()


def _wait_sent(page) -> None:
    # A locator, not wait_for_function: the CSP forbids the eval that the latter needs.
    # Generous: on a loaded machine the retry may be the page's 10-second timer.
    page.locator("[data-testid=queue-status][data-waiting='0']").wait_for(timeout=30_000)


def _waiting(page) -> str:
    return page.get_by_test_id("queue-status").get_attribute("data-waiting") or ""


def test_respondents_filled_across_a_dropped_connection_are_stored_once(
    page, live_server, kupang, operator
):
    seed_framework_for(kupang)
    questionnaire_seed()
    survey = survey_start(period=make_open_period(city=kupang), actor=operator)
    kelurahan = kupang.__class__.objects.get(code="53.71.01.1001")
    # No smooth scrolling or button transitions: screenshots show the settled page.
    page.emulate_media(reduced_motion="reduce")
    browser_login(page, operator.username)
    page.goto(reverse("surveys:collect", args=[survey.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    for answer in (3, 4):
        _fill(page, kelurahan_pk=kelurahan.pk, setting="keluarga", answer=answer)
        _wait_sent(page)
    assert Respondent.objects.filter(survey=survey).count() == 2
    if os.environ.get("SURVEY_SCREENSHOT"):
        page.screenshot(path=os.environ["SURVEY_SCREENSHOT"], full_page=False)

    page.context.set_offline(True)
    # Kelurahan and setting stay chosen for the next respondent.
    for answer in (2, 1):
        _fill(page, kelurahan_pk=kelurahan.pk, setting="masyarakat", answer=answer)
    assert _waiting(page) == "2"
    status = page.get_by_test_id("queue-status").inner_text()
    assert "2 responden menunggu dikirim" in status and "Tidak ada sambungan" in status
    assert page.evaluate("localStorage.length") >= 1
    assert Respondent.objects.filter(survey=survey).count() == 2
    if os.environ.get("SURVEY_SCREENSHOT_OFFLINE"):
        page.screenshot(path=os.environ["SURVEY_SCREENSHOT_OFFLINE"], full_page=False)

    page.context.set_offline(False)
    _wait_sent(page)
    assert "Semua responden sudah terkirim" in page.get_by_test_id("queue-status").inner_text()
    # A reload sends nothing again: the queue is empty and the server has each UUID once.
    page.reload()
    _wait_sent(page)
    stored = list(Respondent.objects.filter(survey=survey).values_list("uuid", "setting"))
    assert len(stored) == 4 and len({uuid for uuid, _s in stored}) == 4
    assert sorted(s for _u, s in stored) == ["keluarga", "keluarga", "masyarakat", "masyarakat"]
    for respondent in Respondent.objects.all():
        assert respondent.enumerator == operator and respondent.started_at is not None
        # A robot answers faster than a person reads: only "too fast" may be flagged.
        assert set(respondent.flags) <= {"too_fast"}
