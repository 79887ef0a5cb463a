"""The "Tugas saya" home page (kotan.inbox and each app's provider) and the navigation's
counts: what each role sees, where each count leads, and a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import ImportBatch, Indicator, Submission
from kotan.models import Notification, Region, Stakeholder
from kotan.notifications import notifications_emit
from meetings.models import Meeting
from tests.conftest import login
from tests.factories import (
    make_action,
    make_approved_submission,
    make_brief,
    make_import_batch,
    make_meeting,
    make_open_period,
)

pytestmark = pytest.mark.django_db

HOME = reverse("kotan:home")


@pytest.fixture
def period(kupang, framework):
    return make_open_period(city=kupang)


def _items(response):
    return [item for _section, items in response.context["sections"] for item in items]


def _counts(response) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in _items(response):
        counts[item.key] = counts.get(item.key, 0) + item.count
    return counts


def _nav_count(response) -> int:
    home = next(i for i in response.context["nav_items"] if i["url"] == HOME)
    if home["count"]:  # and it is shown
        assert 'data-testid="nav-task-count"' in response.content.decode()
    return home["count"]


def _grow(kupang, period, operator, size):
    """`size` units in every state, imports, overdue actions, meetings without minutes,
    briefs and notifications."""
    kelurahan = list(Region.objects.filter(city=kupang, level="kelurahan").order_by("code"))
    stakeholders = list(Stakeholder.objects.filter(city=kupang).order_by("pk"))
    taken = Submission.objects.filter(period=period).count()
    for i in range(size):
        for status in ("draft", "returned", "submitted"):
            region = kelurahan[taken % len(kelurahan)]
            taken += 1
            make_approved_submission(
                period=period, region=region, values={"KK1": 10}, status=status
            )
        make_import_batch(period=period, created_by=operator)
        past = timezone.localdate() - datetime.timedelta(days=2)
        make_action(city=kupang, owner=stakeholders[i % len(stakeholders)], due_on=past)
        meeting = make_meeting(city=kupang)
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
        make_brief(period=period, status="done")
        notifications_emit(
            city=kupang,
            recipients=[operator],
            kind=Notification.Kind.IMPORT_DONE,
            event_key=f"grow:{size}:{i}",
            title="Impor selesai",
        )


def test_the_operator_sees_units_to_fill_imports_actions_and_meetings(
    client, operator, period, kupang
):
    _grow(kupang, period, operator, 2)
    login(client, operator)
    response = client.get(HOME)
    counts = _counts(response)
    assert counts["units-draft"] == 2
    assert counts["units-returned"] == 2
    assert counts["imports-waiting"] == 2
    assert counts["actions-overdue"] == 2
    assert counts["meetings-without-minutes"] == 2
    # the city, 51 kelurahan and the organisations with stakeholder indicators, minus the 6
    # units started above
    assert counts["units-not-started"] > 0
    # Counted tasks are the navigation's badge (not the "not started" context).
    assert _nav_count(response) == sum(v for k, v in counts.items() if k != "units-not-started")


def test_each_count_links_to_its_filtered_list(client, operator, period, kupang):
    _grow(kupang, period, operator, 1)
    login(client, operator)
    response = client.get(HOME)
    returned = next(i for i in _items(response) if i.key == "units-returned")
    assert f'href="{returned.url}"'.replace("&", "&amp;") in response.content.decode()
    listed = client.get(returned.url).context["units"]
    assert [u.status for u in listed] == ["returned"]
    overdue = next(i for i in _items(response) if i.key == "actions-overdue")
    assert client.get(overdue.url).status_code == 200
    held = next(i for i in _items(response) if i.key == "meetings-without-minutes")
    meetings = client.get(held.url).context["meetings"]
    assert [m.status for m in meetings] == [Meeting.Status.HELD]


def test_the_verifier_sees_submitted_units_waiting(client, verifier, operator, period, kupang):
    _grow(kupang, period, operator, 3)
    login(client, verifier)
    response = client.get(HOME)
    assert _counts(response) == {"review-waiting": 3}
    assert _nav_count(response) == 3


def test_the_stakeholder_officer_sees_its_unfilled_indicators_and_returned_values(
    client, stakeholder_officer, period, kesbangpol
):
    assigned = Indicator.objects.filter(
        level="stakeholder", responsible=kesbangpol, active=True
    ).count()
    login(client, stakeholder_officer)
    before = _counts(client.get(HOME))
    assert before["indicators-unfilled"] == assigned
    submission = make_approved_submission(
        period=period,
        stakeholder=kesbangpol,
        values={"KL4": 1},
        status="returned",
    )
    Submission.objects.filter(pk=submission.pk).update(return_reason="Bukti KL4 kurang")
    make_action(
        city=period.city,
        owner=kesbangpol,
        due_on=timezone.localdate() + datetime.timedelta(days=2),
    )
    make_brief(period=period, status="done", kind="stakeholder", stakeholder=kesbangpol)
    response = client.get(HOME)
    after = _counts(response)
    assert after["indicators-unfilled"] == assigned - 1
    assert after["values-returned"] == 1
    assert after["actions-due"] == 1
    assert after["briefs-ready"] == 1
    assert "Bukti KL4 kurang" in response.content.decode()
    assert _nav_count(response) == sum(after.values())


def test_pimpinan_sees_the_latest_score_and_what_changed_since_the_last_visit(
    client, pimpinan, period, kupang
):
    from indicators.scoring.recompute import scores_recompute

    login(client, pimpinan)
    client.get(HOME)  # the first visit
    make_approved_submission(period=period, values={"KL1": 1})
    scores_recompute(period_ids=[period.pk])
    make_brief(period=period, status="done")
    response = client.get(HOME)
    counts = _counts(response)
    assert counts["approved-since-visit"] == 1
    assert counts["briefs-ready"] == 1
    body = response.content.decode()
    assert "Skor dihitung ulang sejak kunjungan terakhir Anda." in body
    # The new score was also told by a notification.
    assert Notification.objects.filter(
        recipient=pimpinan, kind=Notification.Kind.SCORE_NEW
    ).exists()
    # Seen: the next visit has nothing new.
    assert _counts(client.get(HOME))["approved-since-visit"] == 0


@pytest.mark.parametrize("role", ["operator", "verifikator", "pemangku", "pimpinan"])
def test_the_home_page_runs_a_fixed_number_of_queries(
    client, personas, period, kupang, role, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = personas.users[role]
    login(client, user)
    _grow(kupang, period, personas.users["operator"], 1)
    client.get(HOME)  # warm the session
    with CaptureQueriesContext(connection) as small:
        client.get(HOME)
    _grow(kupang, period, personas.users["operator"], 10)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(HOME)
    assert len(small.captured_queries) <= 20


@pytest.mark.parametrize("size", [1, 10])
def test_the_navigation_costs_one_query_on_any_page(
    client, operator, period, kupang, size, django_assert_num_queries
):
    _grow(kupang, period, operator, size)
    login(client, operator)
    # session, user, the user's city (brand), the navigation's counts, the notifications
    with django_assert_num_queries(6):
        response = client.get(reverse("kotan:notification-list"))
    assert _nav_count(response) > 0
    assert len(response.context["page"]) == size


def test_pending_imports_exclude_finished_ones(client, operator, period, kupang):
    make_import_batch(period=period, created_by=operator, status=ImportBatch.Status.DONE)
    login(client, operator)
    assert _counts(client.get(HOME))["imports-waiting"] == 0
