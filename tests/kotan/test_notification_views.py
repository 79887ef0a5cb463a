"""The bell, the notification list, marking read and the email preference page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kotan.models import EmailMode, Notification
from kotan.notifications import notifications_emit
from tests.conftest import login

pytestmark = pytest.mark.django_db
LIST = reverse("kotan:notification-list")


def _tell(city, user, key, url="/indikator/"):
    notifications_emit(
        city=city,
        recipients=[user],
        kind=Notification.Kind.SUBMISSION_APPROVED,
        event_key=key,
        title=f"Data {key} disetujui",
        url=url,
    )
    return Notification.objects.get(event_key=key, recipient=user)


def test_the_bell_shows_the_unread_count_and_the_list_shows_them(client, kupang, operator):
    _tell(kupang, operator, "a")
    _tell(kupang, operator, "b")
    login(client, operator)
    response = client.get(LIST)
    body = response.content.decode()
    assert response.context["unread_count"] == 2
    assert 'data-testid="bell-count"' in body
    assert "Data a disetujui" in body and "Data b disetujui" in body


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, kupang, operator):
    note = _tell(kupang, operator, "a", url="/rapat/")
    login(client, operator)
    response = client.post(reverse("kotan:notification-read", args=[note.pk]), {"open": "1"})
    assert response.url == "/rapat/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_link_to_another_site_is_never_followed(client, kupang, operator):
    note = _tell(kupang, operator, "a", url="https://evil.example/")
    login(client, operator)
    response = client.post(reverse("kotan:notification-read", args=[note.pk]), {"open": "1"})
    assert response.url == LIST


def test_mark_all_read_and_the_unread_filter(client, kupang, operator):
    _tell(kupang, operator, "a")
    _tell(kupang, operator, "b")
    login(client, operator)
    client.post(reverse("kotan:notification-read-all"))
    assert len(client.get(LIST, {"status": "belum-dibaca"}).context["page"]) == 0
    assert len(client.get(LIST).context["page"]) == 2


def test_another_users_notification_is_404(client, kupang, operator, verifier):
    note = _tell(kupang, operator, "a")
    login(client, verifier)
    response = client.post(reverse("kotan:notification-read", args=[note.pk]))
    assert response.status_code == 404


def test_marking_read_by_get_is_405(client, kupang, operator):
    note = _tell(kupang, operator, "a")
    login(client, operator)
    assert client.get(reverse("kotan:notification-read", args=[note.pk])).status_code == 405


def test_the_user_chooses_daily_digest(client, operator):
    login(client, operator)
    url = reverse("kotan:notification-settings")
    assert client.post(url, {"email": "digest"}).status_code == 302
    operator.refresh_from_db()
    assert operator.email_notifications == EmailMode.DIGEST


def test_an_unknown_choice_is_a_form_error(client, operator):
    login(client, operator)
    response = client.post(reverse("kotan:notification-settings"), {"email": "hourly"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_anonymous_users_go_to_login(client):
    assert client.get(LIST).status_code == 302


@pytest.mark.parametrize("size", [1, 10])
def test_the_list_runs_a_fixed_number_of_queries(
    client, kupang, operator, size, django_assert_num_queries
):
    for i in range(size):
        _tell(kupang, operator, f"n{i}")
    login(client, operator)
    # session, user, the user's city, the navigation's counts, the page's count and rows
    with django_assert_num_queries(6):
        client.get(LIST)
