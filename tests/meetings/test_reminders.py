import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from indicators.models import AssessmentPeriod
from kotan.models import Stakeholder, User
from meetings import tasks
from meetings.models import Meeting, ReminderLog
from meetings.selectors import attendance_rates, weakest_variables
from meetings.services.reminders import digest_send_weekly, reminders_send_daily
from tests.conftest import login
from tests.factories import make_action, make_meeting, make_user

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)


def _org(city, code):
    return Stakeholder.objects.get(city=city, code=code)


@pytest.fixture
def actions(kupang, stakeholder_officer):
    dp3a = _org(kupang, "dp3a")
    make_user(city=kupang, role=User.Role.PEMANGKU, stakeholder=dp3a, email="dp3a@example.test")
    days = datetime.timedelta
    return {
        "late": make_action(
            city=kupang,
            owner=stakeholder_officer.stakeholder,
            title="Perda",
            due_on=TODAY - days(3),
        ),
        "soon": make_action(
            city=kupang, owner=dp3a, title="Kader keluarga", due_on=TODAY + days(7)
        ),
        "later": make_action(city=kupang, owner=dp3a, title="Nanti", due_on=TODAY + days(8)),
        "done": make_action(city=kupang, owner=dp3a, title="Beres", due_on=TODAY, status="selesai"),
    }


def test_officers_get_one_reminder_a_day_about_their_own_actions(actions, stakeholder_officer):
    assert reminders_send_daily(today=TODAY).sent == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    kesbangpol = by_to[stakeholder_officer.email]
    assert "Perda" in kesbangpol.body and "TERLAMBAT" in kesbangpol.body
    assert "Kader keluarga" not in kesbangpol.body
    dp3a = by_to["dp3a@example.test"]
    assert "Kader keluarga" in dp3a.body and "Nanti" not in dp3a.body and "Beres" not in dp3a.body
    assert isinstance(dp3a, EmailMultiAlternatives)
    assert dp3a.alternatives[0][1] == "text/html"
    assert "/rapat/tindak-lanjut/" in dp3a.body
    # Same day again: nothing more.
    assert reminders_send_daily(today=TODAY).sent == 0
    assert len(mail.outbox) == 2
    log = ReminderLog.objects.get(email="dp3a@example.test")
    assert log.action_ids == [actions["soon"].pk]
    # The next day sends again.
    assert reminders_send_daily(today=TODAY + datetime.timedelta(days=1)).sent == 2


def test_a_failed_send_is_not_recorded(actions, monkeypatch):
    def broken(self, fail_silently=False):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    with pytest.raises(OSError):
        reminders_send_daily(today=TODAY)
    assert not ReminderLog.objects.exists()


def test_operators_get_a_weekly_digest_once_a_week(actions, operator):
    assert digest_send_weekly(today=TODAY).sent == 1
    message = mail.outbox[0]
    assert message.to == [operator.email]
    assert "Ringkasan mingguan" in message.subject
    assert "Perda" in message.body
    # Later the same ISO week: already sent.
    assert digest_send_weekly(today=TODAY + datetime.timedelta(days=2)).sent == 0


@pytest.fixture
def today_is_friday(monkeypatch):
    """The clock is an edge: the tasks read today's date (WITA) when beat sends them."""
    monkeypatch.setattr(tasks.timezone, "localdate", lambda *args, **kwargs: TODAY)


def test_the_tasks_send_todays_reminders_and_digest(
    actions, operator, stakeholder_officer, today_is_friday
):
    assert tasks.send_action_reminders() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [stakeholder_officer.email, "dp3a@example.test"]
    )
    assert tasks.send_action_reminders() == 0  # once a day
    assert tasks.send_operator_digest() == 1
    assert mail.outbox[-1].to == [operator.email]


def test_beat_sends_the_reminders_at_seven_wita_through_the_task_it_names(
    settings, actions, today_is_friday
):
    from copy import copy
    from zoneinfo import ZoneInfo

    from kotan.celery import app

    wita = ZoneInfo("Asia/Makassar")
    entry = settings.CELERY_BEAT_SCHEDULE["meetings-action-reminders"]
    schedule = copy(entry["schedule"])
    yesterday = datetime.datetime(2026, 11, 26, 7, 0, tzinfo=wita)
    schedule.nowfun = lambda: datetime.datetime(2026, 11, 27, 6, 59, tzinfo=wita)
    assert not schedule.is_due(yesterday).is_due
    # 07.00 WITA is 23.00 UTC the day before: the entry is read in WITA.
    schedule.nowfun = lambda: datetime.datetime(2026, 11, 27, 7, 0, 5, tzinfo=wita)
    assert schedule.is_due(yesterday).is_due
    assert app.tasks[entry["task"]]() == 2
    assert len(mail.outbox) == 2


def test_weakest_variables_is_empty_until_scores_exist(kupang):
    period = AssessmentPeriod.objects.create(
        city=kupang, year=2026, opens_on=TODAY, closes_on=TODAY
    )
    assert weakest_variables(None) == []
    assert weakest_variables(period) == []


def test_weakest_variables_come_from_the_periods_scores(kupang, framework):
    from indicators.scoring.recompute import scores_recompute
    from tests.factories import make_approved_submission

    period = AssessmentPeriod.objects.create(
        city=kupang, year=2026, opens_on=TODAY, closes_on=TODAY
    )
    # City-level values only: KK 100, KM 0, KW 30, KL 100, HK 0 (scores of those indicators).
    make_approved_submission(
        period=period, values={"KK2": 4, "KM4": 1, "KW1": 30, "KL1": 1, "HK1": 0}
    )
    scores_recompute(period_ids=[period.pk])
    weakest = weakest_variables(period)
    assert [(w.variable.code, w.index) for w in weakest] == [("KM", Decimal(0)), ("HK", Decimal(0))]


def test_the_agenda_draft_becomes_a_planned_meeting(client, operator, kupang):
    dp3a = _org(kupang, "dp3a")
    make_action(city=kupang, owner=dp3a, due_on=timezone.localdate() - datetime.timedelta(days=1))
    login(client, operator)
    body = client.get(reverse("meetings:agenda-draft")).content.decode()
    assert "Tindak lanjut terlambat DP3A (1 kegiatan)" in body
    response = client.post(reverse("meetings:agenda-schedule"), {"starts_at": "", "venue": "Aula"})
    assert "tidak boleh kosong" in response.content.decode()
    response = client.post(
        reverse("meetings:agenda-schedule"), {"starts_at": "2026-12-15T09:00", "venue": "Aula"}
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.status == Meeting.Status.PLANNED
    assert dp3a in meeting.invited.all()
    assert any("DP3A" in item.title for item in meeting.agenda_items.all())


def test_the_stakeholder_page_shows_its_yearly_attendance_rate(client, pimpinan, kupang):
    polres = _org(kupang, "polres")
    for day, present in ((1, True), (2, False), (3, True), (4, None)):
        meeting = make_meeting(
            city=kupang,
            invited=[polres],
            status=Meeting.Status.HELD,
            starts_at=timezone.make_aware(datetime.datetime(2025, 3, day, 9)),
        )
        if present is not None:
            meeting.attendances.create(stakeholder=polres, name="Wakil", present=present)
    make_meeting(
        city=kupang,
        invited=[polres],
        starts_at=timezone.make_aware(datetime.datetime(2025, 5, 1, 9)),
    )
    [rate] = attendance_rates(polres)
    assert (rate.year, rate.meetings, rate.attended, rate.percent) == (2025, 4, 2, Decimal("50.0"))
    login(client, pimpinan)
    body = client.get(reverse("kotan:stakeholder-detail", args=[polres.pk])).content.decode()
    assert "Kehadiran di rapat" in body and "50,0%" in body


def test_the_demo_rakor_is_seeded_once(kupang, framework):
    call_command("seed_demo_meetings")
    call_command("seed_demo_meetings")
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.FINAL
    assert timezone.localtime(meeting.starts_at).date() == datetime.date(2021, 11, 18)
    assert meeting.decisions.count() == 3
    assert meeting.actions.count() == 4
    assert {a.category for a in meeting.actions.all()} == {
        "pengorganisasian",
        "kompetensi_sdm",
        "tata_laksana",
    }


def test_the_agenda_draft_prefers_final_scores_and_formats_them(kupang, framework):
    """A locked 2025 period's final scores win over an open 2026 period's provisional ones;
    indices read like the rest of the app (47,67, never 47.6667)."""
    from indicators.scoring.recompute import scores_recompute
    from meetings.selectors import next_agenda_draft
    from tests.factories import make_approved_submission

    locked = AssessmentPeriod.objects.create(
        city=kupang, year=2025, opens_on=TODAY, closes_on=TODAY, status="locked"
    )
    make_approved_submission(
        period=locked, values={"KK2": 4, "KM4": "2.43", "KW1": 90, "KL1": 1, "HK1": 0}
    )
    scores_recompute(period_ids=[locked.pk])
    newer = AssessmentPeriod.objects.create(city=kupang, year=2026, opens_on=TODAY, closes_on=TODAY)
    make_approved_submission(period=newer, values={"KK2": 1, "KM4": 1, "KW1": 1, "KL1": 0})
    scores_recompute(period_ids=[newer.pk])
    draft = next_agenda_draft(city=kupang, today=TODAY)
    assert (draft.period, draft.final) == (locked, True)
    km = next(item for item in draft.items if "Ketahanan Masyarakat" in item)
    # KM4 2.43 on 1–4 → (2.43 − 1)/3·100 = 47.666… → "47,67"
    assert "indeks 47,67, final 2025" in km
    AssessmentPeriod.objects.filter(pk=locked.pk).update(status="open")
    scores_recompute(period_ids=[locked.pk])
    draft = next_agenda_draft(city=kupang, today=TODAY)
    assert draft.final is False and draft.period == newer
    assert all("sementara 2026" in item for item in draft.items if item.startswith("Variabel"))
