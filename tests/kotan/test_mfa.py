"""Two-step login (kotan.mfa): enrolment, the second step, recovery codes, the role rule."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kotan.models import User
from tests.conftest import login
from tests.factories import PASSWORD, make_totp_device, make_user, totp_code

pytestmark = pytest.mark.django_db

HOME = reverse("kotan:home")
ENROL = reverse("mfa:enrol")
VERIFY = reverse("mfa:verify")


def _password_login(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client.get(response.url)


@pytest.fixture
def new_admin(kupang):
    return make_user(city=kupang, role=User.Role.ADMIN, is_staff=True)


def test_an_admin_without_a_device_is_sent_to_enrolment_after_the_password(client, new_admin):
    response = _password_login(client, new_admin)
    assert response.status_code == 302
    assert response.url == f"{ENROL}?next=%2F"
    # No other page answers before the second step, the admin site included.
    for url in (HOME, reverse("kotan:region-list"), reverse("admin:index")):
        assert client.get(url).url.startswith(ENROL)


def test_enrolment_shows_a_local_qr_code_and_confirms_with_a_code(client, new_admin, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code, then at once the right one
    _password_login(client, new_admin)
    page = client.get(ENROL, {"next": "/wilayah/"}).content.decode()
    svg = re.search(r"<svg.*?</svg>", page, re.S)
    assert svg is not None and "<img" not in svg.group(0)  # drawn here, not fetched
    device = TOTPDevice.objects.get(user=new_admin, confirmed=False)
    secret = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', page)
    assert secret is not None and secret.group(1).replace(" ", "") in device.config_url

    wrong = client.post(ENROL, {"token": "000000" if totp_code(device) != "000000" else "111111"})
    assert "Kode tidak cocok" in wrong.content.decode()

    done = client.post(ENROL, {"token": totp_code(device), "next": "/wilayah/"})
    body = done.content.decode()
    codes = re.findall(r'<li class="col">(\w+)</li>', body)
    assert len(codes) == 10 and 'href="/wilayah/"' in body
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200


def test_an_enrolled_admin_types_a_code_after_the_password(client, admin_user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code, then at once the right one
    device = TOTPDevice.objects.get(user=admin_user)
    response = _password_login(client, admin_user)
    assert response.url == f"{VERIFY}?next=%2F"
    # Enrolling again without the second step would replace the device: refused.
    assert client.get(ENROL).url.startswith(VERIFY)
    assert "Kode salah" in client.post(VERIFY, {"token": "12345"}).content.decode()
    verified = client.post(VERIFY, {"token": totp_code(device), "next": "/wilayah/"})
    assert verified.status_code == 302 and verified.url == "/wilayah/"
    assert client.get(HOME).status_code == 200


def test_after_a_wrong_code_even_the_right_one_waits(client, admin_user):
    device = TOTPDevice.objects.get(user=admin_user)
    _password_login(client, admin_user)
    client.post(VERIFY, {"token": "12345"})
    response = client.post(VERIFY, {"token": totp_code(device)})
    assert response.status_code == 200
    assert "Terlalu banyak kode salah" in response.content.decode()


def test_a_code_cannot_be_used_twice(client, admin_user):
    device = TOTPDevice.objects.get(user=admin_user)
    code = totp_code(device)
    _password_login(client, admin_user)
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.post(reverse("logout"))
    _password_login(client, admin_user)
    assert client.post(VERIFY, {"token": code}).status_code == 200


def test_a_recovery_code_logs_in_once(client, verifier):
    login_client = client
    _password_login(login_client, verifier)
    login_client.post(VERIFY, {"token": totp_code(TOTPDevice.objects.get(user=verifier))})
    codes = re.findall(
        r'<li class="col">(\w+)</li>', client.post(reverse("mfa:recovery-codes")).content.decode()
    )
    assert len(codes) == 10
    client.post(reverse("logout"))
    _password_login(client, verifier)
    response = client.post(VERIFY, {"token": codes[0].upper()}, follow=True)
    assert "tersisa 9 kode" in response.content.decode()
    assert StaticToken.objects.filter(device__user=verifier).count() == 9
    client.post(reverse("logout"))
    _password_login(client, verifier)
    assert client.post(VERIFY, {"token": codes[0]}).status_code == 200


def test_the_next_page_must_be_on_this_site(client, admin_user):
    _password_login(client, admin_user)
    device = TOTPDevice.objects.get(user=admin_user)
    response = client.post(VERIFY, {"token": totp_code(device), "next": "https://evil.test/"})
    assert response.url == HOME


def test_other_roles_are_not_asked(client, operator, pimpinan, stakeholder_officer):
    for user in (operator, pimpinan, stakeholder_officer):
        assert _password_login(client, user).status_code == 200
        client.post(reverse("logout"))


def test_the_roles_that_need_mfa_are_one_setting(client, operator, settings):
    settings.MFA_REQUIRED_ROLES = [*settings.MFA_REQUIRED_ROLES, User.Role.OPERATOR]
    assert _password_login(client, operator).url.startswith(ENROL)


def test_a_verified_session_survives_only_with_its_device(client, admin_user):
    _password_login(client, admin_user)
    client.post(VERIFY, {"token": totp_code(TOTPDevice.objects.get(user=admin_user))})
    assert client.get(HOME).status_code == 200
    TOTPDevice.objects.filter(user=admin_user).delete()  # e.g. the Admin removed a lost phone
    assert client.get(HOME).url.startswith(ENROL)


def test_persona_helpers_pass_the_second_step_only_for_roles_that_need_it(kupang):
    admin = make_user(city=kupang, role=User.Role.ADMIN)
    assert not TOTPDevice.objects.filter(user=admin).exists()
    make_totp_device(admin)
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).count() == 1


def test_the_mfa_pages_need_a_login(client):
    assert client.get(ENROL).url.startswith(reverse("login"))
    assert client.get(VERIFY).url.startswith(reverse("login"))
    assert client.get(reverse("mfa:recovery-codes")).status_code in (302, 405)


def test_a_city_admin_sees_only_its_city_s_devices_never_their_secret(
    client, admin_user, verifier, other_city
):
    outsider = make_user(city=other_city, role=User.Role.VERIFIKATOR, first_name="Orang Kediri")
    make_totp_device(outsider)
    device = TOTPDevice.objects.get(user=verifier)
    login(client, admin_user)
    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist")).content.decode()
    assert str(verifier) in listing and str(outsider) not in listing
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200 and device.key not in page.content.decode()
    other = TOTPDevice.objects.get(user=outsider)
    assert client.get(reverse("admin:otp_totp_totpdevice_change", args=[other.pk])).status_code in (
        302,
        404,
    )
    # A lost phone: the Admin deletes the device, and the user enrols again.
    client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
