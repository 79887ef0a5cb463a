"""List pages run a fixed number of queries, whatever the amount of data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kotan.models import Stakeholder
from tests.conftest import login
from tests.factories import make_action, make_decision, make_meeting

pytestmark = pytest.mark.django_db

# Session, user, the navigation's task and notification counts, then the page's own queries.
EXPECTED = {
    "meetings:index": 5,
    "meetings:action-list": 8,
    "meetings:action-mine": 7,
    "meetings:agenda-draft": 7,
}


def _add_data(city, n):
    orgs = list(Stakeholder.objects.filter(city=city)[:4])
    past = timezone.localdate() - datetime.timedelta(days=3)
    for i in range(n):
        meeting = make_meeting(city=city, invited=orgs)
        decision = make_decision(meeting=meeting)
        for org in orgs:
            make_action(city=city, owner=org, meeting=meeting, decision=decision, due_on=past)
        meeting.attendances.create(stakeholder=orgs[0], name=f"Orang {i}")


def _get(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_list_runs_the_same_queries_at_two_sizes(
    client, kupang, operator, stakeholder_officer, django_assert_num_queries, name
):
    login(client, stakeholder_officer if name == "meetings:action-mine" else operator)
    _add_data(kupang, 2)
    with django_assert_num_queries(EXPECTED[name]):
        _get(client, name)
    _add_data(kupang, 10)
    with django_assert_num_queries(EXPECTED[name]):
        _get(client, name)
