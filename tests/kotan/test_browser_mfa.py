"""An Admin enrols an authenticator app in a real browser, then logs in with its code."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from kotan.models import User
from tests.conftest import browser_login
from tests.factories import PASSWORD, make_user, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_enrols_then_logs_in_with_a_code(page, kupang):
    admin = make_user(username="admin-baru", city=kupang, role=User.Role.ADMIN, is_staff=True)
    # The first request of a live server compiles every template; on a busy machine it can
    # take longer than the default 10 s.
    page.set_default_timeout(30_000)
    page.goto("/akun/login/")
    page.get_by_label("Nama pengguna").fill(admin.username)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/akun/mfa/daftar/**")
    assert page.get_by_test_id("mfa-qr").locator("svg").is_visible()
    secret = page.get_by_test_id("mfa-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert re.search(f"secret={secret}", device.config_url)
    page.get_by_role("textbox", name="Kode").fill(totp_code(device))
    page.get_by_role("button", name="Aktifkan").click()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Saya sudah menyimpannya, lanjutkan").click()
    page.wait_for_url("**/")
    assert "Selamat datang" in page.get_by_test_id("home-greeting").inner_text()

    page.get_by_role("button", name="Buka menu").click()
    page.get_by_test_id("current-user").click()  # Keluar sits in the user's menu
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/akun/login/")
    device.refresh_from_db()
    # The code of enrolment cannot be replayed: the next step's code, as an app shows 30 s later.
    page.get_by_label("Nama pengguna").fill(admin.username)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/akun/mfa/verifikasi/**")
    page.get_by_role("textbox", name="Kode").fill(totp_code(device, drift=1))
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url(lambda url: "/akun/" not in url)
    assert "Selamat datang" in page.get_by_test_id("home-greeting").inner_text()


def test_an_enrolled_verifier_logs_in_through_the_helper(page, verifier):
    browser_login(page, verifier.username)
    assert "Verifikator" in page.locator("main").inner_text()
