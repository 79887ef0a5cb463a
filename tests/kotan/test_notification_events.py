"""Each app's services tell the right people (kotan.notifications): a unit returned,
approved or reopened; an action assigned, due or overdue; a brief ready; an import done or
failed. New scores are covered in tests/kotan/test_inbox.py."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from indicators.importing import import_batch_fail
from indicators.models import Indicator
from indicators.services.values import (
    submission_approve,
    submission_reopen,
    submission_return,
)
from kotan.models import Notification, Stakeholder, User
from meetings.services.actions import ActionDetails, action_create
from meetings.services.reminders import reminders_send_daily
from tests.factories import (
    make_action,
    make_approved_submission,
    make_import_batch,
    make_open_period,
    make_user,
    make_variable,
)

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def period(kupang, framework):
    return make_open_period(city=kupang)


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_stakeholder_units_decisions_go_to_its_officers_not_to_other_organisations(
    period, verifier, stakeholder_officer, kesbangpol, kupang
):
    other = make_user(
        city=kupang,
        role=User.Role.PEMANGKU,
        stakeholder=Stakeholder.objects.get(city=kupang, code="dp3a"),
    )
    submission = make_approved_submission(
        period=period, stakeholder=kesbangpol, values={"KL4": 1}, status="submitted"
    )
    submission_return(
        submission=submission, actor=verifier, reason="Lampirkan DPA", expected_version=None
    )
    note = Notification.objects.get(recipient=stakeholder_officer)
    assert note.kind == Kind.SUBMISSION_RETURNED
    assert note.body == "Alasan: Lampirkan DPA"
    assert note.url == submission.get_absolute_url()
    assert _kinds(other) == []
    assert _kinds(verifier) == []  # the one who decided is not told


def test_a_city_units_approval_and_reopening_go_to_the_operators(period, verifier, operator):
    submission = make_approved_submission(period=period, values={"KL1": 1}, status="submitted")
    submission_approve(submission=submission, actor=verifier, expected_version=None)
    submission_reopen(
        submission=submission, actor=verifier, reason="Salah ketik", expected_version=None
    )
    assert sorted(_kinds(operator)) == sorted([Kind.SUBMISSION_APPROVED, Kind.SUBMISSION_REOPENED])


def test_an_assigned_action_is_told_to_the_owners_officers(
    kupang, operator, stakeholder_officer, kesbangpol, framework
):
    action = action_create(
        actor=operator,
        city=kupang,
        details=ActionDetails(
            title="Susun RAD P4GN",
            category="pengorganisasian",
            variable=make_variable("KL"),
            owner=kesbangpol,
            due_on=datetime.date(2026, 12, 31),
        ),
        plan_year=2026,
    )
    note = Notification.objects.get(recipient=stakeholder_officer)
    assert note.kind == Kind.ACTION_ASSIGNED
    assert "Susun RAD P4GN" in note.title and "31 Desember 2026" in note.body
    assert str(action.pk) in note.url


def test_the_daily_reminder_writes_due_and_overdue_notifications_once(
    kupang, stakeholder_officer, kesbangpol
):
    today = datetime.date(2026, 11, 27)
    make_action(city=kupang, owner=kesbangpol, title="Perda", due_on=today - datetime.timedelta(1))
    make_action(city=kupang, owner=kesbangpol, title="SK", due_on=today + datetime.timedelta(3))
    make_action(city=kupang, owner=kesbangpol, title="Jauh", due_on=today + datetime.timedelta(6))
    reminders_send_daily(today=today)
    reminders_send_daily(today=today)
    titles = dict(
        Notification.objects.filter(recipient=stakeholder_officer).values_list("kind", "title")
    )
    assert titles == {
        Kind.ACTION_OVERDUE: "Terlambat: Perda",
        Kind.ACTION_DUE_SOON: titles[Kind.ACTION_DUE_SOON],
    }
    assert "SK" in titles[Kind.ACTION_DUE_SOON]
    # The daily email carries them: one email, not one per notification.
    assert len(mail.outbox) == 1
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"skipped"}


def test_an_officer_who_turned_emails_off_gets_no_reminder_email(
    kupang, stakeholder_officer, kesbangpol
):
    stakeholder_officer.email_notifications = "off"
    stakeholder_officer.save()
    today = datetime.date(2026, 11, 27)
    make_action(city=kupang, owner=kesbangpol, due_on=today - datetime.timedelta(1))
    assert reminders_send_daily(today=today).sent == 0
    assert Notification.objects.filter(recipient=stakeholder_officer).count() == 1


def test_a_failed_import_is_told_to_whoever_uploaded_it(period, operator):
    batch = make_import_batch(period=period, created_by=operator, status="importing")
    import_batch_fail(batch_id=batch.pk, message="Impor gagal karena kesalahan sistem.")
    note = Notification.objects.get(recipient=operator)
    assert note.kind == Kind.IMPORT_FAILED
    assert "uji.csv" in note.title and note.body == "Impor gagal karena kesalahan sistem."


def test_a_finished_brief_is_told_to_whoever_asked(operator, period):
    from reports.models import Brief
    from reports.services.briefs import brief_render, brief_request

    brief = brief_request(user=operator, period=period, kind=Brief.Kind.CITY_SUMMARY).brief
    brief_render(brief_id=brief.pk)
    note = Notification.objects.get(recipient=operator)
    assert note.kind == Kind.BRIEF_READY
    assert note.url.endswith(f"/{brief.pk}/")


def test_indicator_validation_rules_are_edited_on_the_framework_form(
    client, admin_pusat, framework
):
    from django.urls import reverse

    from tests.conftest import login

    kk1 = Indicator.objects.get(code="KK1")
    login(client, admin_pusat)  # the national methodology staff own the catalogue
    url = reverse("indicators:indicator-edit", args=[kk1.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "responsible"}
    data.update(
        {"variable": kk1.variable_id, "warn_min": "10", "warn_max": "5", "warn_max_change": "20"}
    )
    response = client.post(url, data)
    assert "warn_max" in response.context["form"].errors
    data["warn_max"] = "95"
    assert client.post(url, data).status_code == 302
    kk1.refresh_from_db()
    assert (kk1.warn_min, kk1.warn_max, kk1.warn_max_change) == (10, 95, 20)
