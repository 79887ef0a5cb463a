"""Each role logs in through a real browser, on a phone-sized screen, and sees its home."""

import pytest

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("persona", "role_label", "card"),
    [
        ("admin_user", "Admin", "Buka administrasi"),
        ("operator", "Operator", "Buka indikator"),
        ("verifier", "Verifikator", "Buka antrean verifikasi"),
        ("pimpinan", "Pimpinan", "Buka dasbor"),
        ("stakeholder_officer", "Pemangku kepentingan", "Tindak lanjut instansi saya"),
    ],
)
def test_each_role_logs_in_and_sees_its_home(page, request, persona, role_label, card):
    user = request.getfixturevalue(persona)
    browser_login(page, user.username)
    assert page.get_by_test_id("home-heading").inner_text() == "Tugas saya"
    assert "Selamat datang" in page.get_by_test_id("home-greeting").inner_text()
    assert role_label in page.locator("main").inner_text()
    assert page.get_by_role("link", name=card).is_visible()


def test_a_wrong_password_keeps_the_user_on_the_login_page(page, operator):
    page.goto("/akun/login/")
    page.get_by_label("Nama pengguna").fill(operator.username)
    page.get_by_label("Sandi").fill("salah")
    page.get_by_role("button", name="Masuk").click()
    assert "/akun/login/" in page.url
    assert page.get_by_label("Nama pengguna").input_value() == operator.username


def test_the_menu_opens_on_a_phone_without_inline_scripts(page, operator):
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    browser_login(page, operator.username)
    page.get_by_role("button", name="Buka menu").click()
    page.get_by_role("button", name="Data kota").click()  # a dropdown: Bootstrap's JS
    page.get_by_role("link", name="Wilayah").click()
    page.wait_for_url("**/wilayah/")
    assert "Kelapa Lima" in page.locator("main").inner_text()
    assert not [e for e in errors if "Content Security Policy" in e]


@pytest.mark.parametrize("persona", ["admin_user", "operator", "pimpinan", "stakeholder_officer"])
def test_the_navigation_fits_one_line_at_1366_and_greets_by_full_name(page, request, persona):
    user = request.getfixturevalue(persona)
    user.first_name, user.last_name = "Wakil Wali Kota", "dr. Hermanus Man"
    user.save()
    page.set_viewport_size({"width": 1366, "height": 800})
    browser_login(page, user.username)
    links = page.locator("#nav-main .nav-link")
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(links.count()))}
    assert len(tops) == 1, tops  # every item on the same line
    greeting = page.get_by_test_id("home-greeting").inner_text()
    assert greeting.startswith("Selamat datang, Wakil Wali Kota dr. Hermanus Man.")


def test_a_skip_link_leads_to_the_content(page, operator):
    browser_login(page, operator.username)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Langsung ke isi halaman")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
