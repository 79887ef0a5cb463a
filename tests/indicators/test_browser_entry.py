"""A period carried from empty to approved and locked in a real browser, by an operator, a
stakeholder officer (whose task count drops once its values are in) and a verifier: one
submission returned, one edit of approved data refused."""

import pytest
from django.urls import reverse

from indicators.models import AssessmentPeriod, Indicator, IndicatorValue, Submission
from kotan.models import Stakeholder, User
from tests.conftest import browser_second_step
from tests.factories import (
    PASSWORD,
    PDF_BYTES,
    make_open_period,
    make_totp_device,
    make_user,
    seed_framework_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _small_framework(kupang):
    """Three indicators keep the period small: KW1 (kota, operator), KL1 (kota, Kesbangpol)
    and KL4 (Kesbangpol's own), the last two with evidence."""
    seed_framework_for(kupang)
    Indicator.objects.exclude(code__in=["KW1", "KL1", "KL4"]).update(active=False)
    kesbangpol = Stakeholder.objects.get(city=kupang, code="kesbangpol")
    kl4 = Indicator.objects.get(code="KL4")
    kl4.responsible.set([kesbangpol])
    return kesbangpol


def _session(browser, live_server, user):
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    browser_second_step(page, user.username)
    page.wait_for_url(lambda url: "/akun/login" not in url)
    return page


def _pk(code):
    return Indicator.objects.get(code=code).pk


def _evidence(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def _status(page):
    return page.get_by_test_id("submission-status").inner_text().strip()


def test_a_period_from_empty_to_approved(browser, live_server, kupang):
    kesbangpol = _small_framework(kupang)
    period = make_open_period(city=kupang)
    operator = make_user(username="op", city=kupang, role=User.Role.OPERATOR)
    officer = make_user(
        username="kesbang", city=kupang, role=User.Role.PEMANGKU, stakeholder=kesbangpol
    )
    verifier = make_user(username="verif", city=kupang, role=User.Role.VERIFIKATOR)
    make_totp_device(verifier)  # a Verifikator logs in in two steps
    city_url = live_server.url + reverse("indicators:entry-city", kwargs={"pk": period.pk})
    org_url = live_server.url + reverse(
        "indicators:entry-stakeholder", kwargs={"pk": period.pk, "stakeholder": kesbangpol.pk}
    )

    # The officer fills their organisation's data and submits it, and adds KL1 to the city's.
    officer_page = _session(browser, live_server, officer)
    home = live_server.url + reverse("kotan:home")
    officer_page.goto(home)
    unfilled = officer_page.get_by_test_id("inbox-indicators-unfilled").get_by_test_id("count")
    assert unfilled.inner_text() == "1"  # KL4, its organisation's own indicator
    officer_page.goto(live_server.url + reverse("indicators:period-detail", args=[period.pk]))
    officer_page.get_by_role("link", name="Instansi saya").click()
    officer_page.select_option(f"#id_v{_pk('KL4')}", "1")
    officer_page.set_input_files(f"#id_e{_pk('KL4')}", _evidence("dpa.pdf"))
    officer_page.get_by_role("button", name="Simpan dan ajukan").click()
    assert _status(officer_page) == "Diajukan"
    officer_page.goto(home)
    assert unfilled.inner_text() == "0"  # the task count drops once the values are in
    officer_page.goto(city_url)
    assert officer_page.locator(f"#id_v{_pk('KW1')}").count() == 0  # not Kesbangpol's
    officer_page.select_option(f"#id_v{_pk('KL1')}", "1")
    officer_page.set_input_files(f"#id_e{_pk('KL1')}", _evidence("sk-tim.pdf"))
    officer_page.get_by_role("button", name="Simpan draf").click()
    assert "Data tersimpan sebagai draf." in officer_page.content()

    # The operator completes the city's data with a wrong value and submits it.
    operator_page = _session(browser, live_server, operator)
    operator_page.goto(city_url)
    operator_page.fill(f"#id_v{_pk('KW1')}", "180")
    operator_page.get_by_role("button", name="Simpan dan ajukan").click()
    assert "Nilai harus antara 0 dan 100." in operator_page.content()  # kept, not saved
    operator_page.fill(f"#id_v{_pk('KW1')}", "8,5")
    operator_page.get_by_role("button", name="Simpan dan ajukan").click()
    assert _status(operator_page) == "Diajukan"

    # The verifier returns it with a reason.
    verifier_page = _session(browser, live_server, verifier)
    verifier_page.goto(city_url)
    verifier_page.fill("#id_return-reason", "KW1 terlalu rendah, periksa data Polres")
    verifier_page.get_by_role("button", name="Kembalikan").click()
    assert _status(verifier_page) == "Dikembalikan"

    # The operator sees why, corrects it and submits again.
    operator_page.goto(city_url)
    assert "periksa data Polres" in operator_page.get_by_test_id("return-reason").inner_text()
    operator_page.fill(f"#id_v{_pk('KW1')}", "85")
    operator_page.get_by_role("button", name="Simpan dan ajukan").click()
    assert _status(operator_page) == "Diajukan"

    # The operator has Kesbangpol's submitted data open when the verifier approves it.
    operator_page.goto(org_url)
    verifier_page.goto(city_url)
    verifier_page.get_by_role("button", name="Setujui").click()
    assert _status(verifier_page) == "Disetujui"
    verifier_page.goto(org_url)
    verifier_page.get_by_role("button", name="Setujui").click()
    assert _status(verifier_page) == "Disetujui"

    # The operator's edit of the now approved data is refused; nothing changes.
    operator_page.select_option(f"#id_v{_pk('KL4')}", "0")
    operator_page.get_by_role("button", name="Simpan draf").click()
    assert (
        "sudah disetujui dan terkunci" in operator_page.get_by_test_id("form-errors").inner_text()
    )
    assert IndicatorValue.objects.get(indicator__code="KL4").value == 1

    # The period is closed and locked; every unit is approved.
    operator_page.goto(live_server.url + reverse("indicators:period-detail", args=[period.pk]))
    operator_page.get_by_role("button", name="Tutup pengisian").click()
    assert operator_page.get_by_test_id("period-status").inner_text().strip() == "Ditutup"
    verifier_page.goto(live_server.url + reverse("indicators:period-detail", args=[period.pk]))
    verifier_page.get_by_role("button", name="Kunci periode").click()
    assert verifier_page.get_by_test_id("period-status").inner_text().strip() == "Dikunci"
    verifier_page.goto(live_server.url + reverse("indicators:completeness", args=[period.pk]))
    table = verifier_page.get_by_test_id("completeness").inner_text()
    assert "Disetujui" in table and "Terlambat" not in table

    period.refresh_from_db()
    assert period.status == AssessmentPeriod.Status.LOCKED
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}
    values = {v.indicator.code: v.value for v in IndicatorValue.objects.select_related("indicator")}
    assert values == {"KW1": 85, "KL1": 1, "KL4": 1}
