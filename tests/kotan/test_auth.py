from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD


def _log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_user_logs_in_and_out(client, operator):
    response = _log_in(client, operator.username, PASSWORD)
    assert response.status_code == 302 and response.url == reverse("kotan:home")
    client.post(reverse("logout"))
    assert client.get(reverse("kotan:home")).status_code == 302


def test_a_wrong_password_is_explained_in_indonesian(client, operator):
    response = _log_in(client, operator.username, "salah")
    assert response.status_code == 200
    assert (
        "benar" in response.content.decode()
    )  # Django's Indonesian: "...nama pengguna dan sandi yang benar"


def test_repeated_wrong_passwords_lock_the_account_out(client, operator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, operator.username, "salah")
    response = _log_in(client, operator.username, PASSWORD)
    assert response.status_code == 429
    assert "dikunci sementara" in response.content.decode()


def test_the_lockout_ends_after_the_cool_off(client, operator, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, operator.username, "salah")
    past = (
        AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    AccessAttempt.objects.update(attempt_time=past)
    assert _log_in(client, operator.username, PASSWORD).status_code == 302


def test_password_reset_mails_an_indonesian_link_that_works(client, operator):
    client.post(reverse("password_reset"), {"email": operator.email})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Atur ulang kata sandi" in message.subject
    link = next(line for line in message.body.splitlines() if "/akun/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Buat kata sandi baru" in form_page.content.decode()
    new = "kupang-tanggap-2026"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert _log_in(client, operator.username, new).status_code == 302


def test_password_change_keeps_the_user_logged_in(client, operator):
    client.force_login(operator)
    new = "kupang-tanggap-2026"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.check_password(new)
