"""Meetings and their minutes are for the invited organisations, BNN Kota staff and
pimpinan; an organisation's actions are its own (DOMAIN.md §5)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from meetings.models import Action, Meeting
from meetings.services.meetings import MeetingDetails, meeting_update
from tests.conftest import login
from tests.factories import make_action, make_meeting, make_user

pytestmark = pytest.mark.django_db

MINUTES = "Notulen rahasia: Kesbangpol menyiapkan SK Tim Terpadu."


@pytest.fixture
def meeting(kupang, kesbangpol):
    return make_meeting(
        city=kupang, invited=[kesbangpol], status=Meeting.Status.HELD, minutes=MINUTES
    )


def test_an_uninvited_organisation_s_officer_cannot_read_the_minutes(
    client, meeting, uninvited_officer
):
    login(client, uninvited_officer)
    assert client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).status_code == 404
    listing = client.get(reverse("meetings:index"))
    assert meeting.title not in listing.content.decode()


def test_an_invited_organisation_s_officer_reads_them(client, meeting, stakeholder_officer):
    login(client, stakeholder_officer)
    response = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    assert response.status_code == 200
    assert MINUTES in response.content.decode()


def test_an_organisation_that_signed_in_without_an_invitation_reads_them(
    client, meeting, uninvited_officer, dinkes
):
    meeting.attendances.create(stakeholder=dinkes, name="dr. Hadir")
    login(client, uninvited_officer)
    response = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    assert MINUTES in response.content.decode()


@pytest.mark.parametrize("persona", ["pimpinan", "verifier", "operator"])
def test_bnn_staff_and_pimpinan_read_every_meeting_s_minutes(client, meeting, persona, request):
    login(client, request.getfixturevalue(persona))
    response = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    assert MINUTES in response.content.decode()


def test_an_officer_sees_only_its_organisation_s_actions(
    client, kupang, kesbangpol, bappeda, stakeholder_officer
):
    own = make_action(city=kupang, owner=kesbangpol, title="Aksi Kesbangpol")
    theirs = make_action(city=kupang, owner=bappeda, title="Aksi Bappeda")
    assert list(Action.objects.for_user(stakeholder_officer)) == [own]
    login(client, stakeholder_officer)
    page = client.get(reverse("meetings:action-list")).content.decode()
    assert own.title in page
    assert theirs.title not in page
    assert client.get(reverse("meetings:action-detail", args=[theirs.pk])).status_code == 404


def test_the_meeting_service_refuses_a_user_who_may_not_edit(meeting, pimpinan, other_city):
    details = MeetingDetails(kind=meeting.kind, title="Diubah", starts_at=meeting.starts_at)
    for actor in (pimpinan, make_user(city=other_city, role="operator")):
        with pytest.raises(PermissionDenied):
            meeting_update(
                actor=actor, meeting=meeting, expected_version=meeting.version, details=details
            )
    meeting.refresh_from_db()
    assert meeting.title != "Diubah"
