import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kotan.lib.locking import StaleVersion
from kotan.models import AuditEntry, Stakeholder
from meetings.models import Meeting
from meetings.services.meetings import MeetingDetails, meeting_update
from tests.conftest import login
from tests.factories import make_action, make_decision, make_meeting

pytestmark = pytest.mark.django_db


def _org(city, code):
    return Stakeholder.objects.get(city=city, code=code)


def test_an_operator_creates_a_meeting_with_agenda_and_invitations(client, operator, kupang):
    login(client, operator)
    polres, kejari = _org(kupang, "polres"), _org(kupang, "kejari")
    response = client.post(
        reverse("meetings:meeting-create"),
        {
            "kind": "rakor",
            "title": "Rakor KOTAN triwulan I",
            "starts_at": "2026-02-10T09:00",
            "venue": "Aula Balai Kota",
            "chair": "Wakil Wali Kota",
            "invited": [polres.pk, kejari.pk],
            "agenda": "Pembukaan\n\nEvaluasi\n",
        },
    )
    meeting = Meeting.objects.get(title="Rakor KOTAN triwulan I")
    assert response.status_code == 302
    assert [i.title for i in meeting.agenda_items.all()] == ["Pembukaan", "Evaluasi"]
    assert set(meeting.invited.all()) == {polres, kejari}
    # Entered in WITA (UTC+8).
    assert meeting.starts_at == datetime.datetime(2026, 2, 10, 1, 0, tzinfo=datetime.UTC)
    assert AuditEntry.objects.for_object(meeting).get().action == "meeting.create"


def test_it_rejects_an_end_before_the_start(client, operator):
    login(client, operator)
    response = client.post(
        reverse("meetings:meeting-create"),
        {
            "kind": "rakor",
            "title": "X",
            "starts_at": "2026-02-10T09:00",
            "ends_at": "2026-02-10T08:00",
        },
    )
    assert response.status_code == 200
    assert "Waktu selesai harus sesudah waktu mulai." in response.content.decode()


def test_a_second_save_from_a_stale_form_is_refused(client, operator, kupang):
    meeting = make_meeting(city=kupang)
    login(client, operator)
    data = {
        "kind": "rakor",
        "title": "Judul baru",
        "starts_at": "2026-02-10T09:00",
        "version": meeting.version,
    }
    assert client.post(reverse("meetings:meeting-edit", args=[meeting.pk]), data).status_code == 302
    response = client.post(
        reverse("meetings:meeting-edit", args=[meeting.pk]), {**data, "title": "Judul lain"}
    )
    assert response.status_code == 200
    assert "sudah diubah orang lain" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.title == "Judul baru"


def test_the_service_refuses_a_stale_version(kupang, operator):
    meeting = make_meeting(city=kupang)
    details = MeetingDetails(kind="rakor", title="A", starts_at=meeting.starts_at)
    meeting_update(actor=operator, meeting=meeting, expected_version=1, details=details)
    with pytest.raises(StaleVersion):
        meeting_update(actor=operator, meeting=meeting, expected_version=1, details=details)


def test_attendance_is_recorded_and_marks_the_meeting_held(client, operator, kupang):
    polres = _org(kupang, "polres")
    meeting = make_meeting(city=kupang, invited=[polres])
    login(client, operator)
    url = reverse("meetings:meeting-attendance", args=[meeting.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "version": meeting.version,
        "form-TOTAL_FORMS": 2,
        "form-INITIAL_FORMS": 0,
        "form-0-stakeholder": polres.pk,
        "form-0-name": "AKBP Budi",
        "form-0-position": "Kasat Narkoba",
        "form-0-present": "on",
        "form-1-stakeholder": _org(kupang, "kejari").pk,
        "form-1-name": "Ani",
    }
    assert client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    rows = {(a.name, a.present) for a in meeting.attendances.all()}
    assert rows == {("AKBP Budi", True), ("Ani", False)}


def test_attendance_without_a_name_gets_a_field_error(client, operator, kupang):
    meeting = make_meeting(city=kupang)
    login(client, operator)
    data = {
        "version": meeting.version,
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 0,
        "form-0-stakeholder": _org(kupang, "polres").pk,
        "form-0-position": "Kasat",
    }
    response = client.post(reverse("meetings:meeting-attendance", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert "tidak boleh kosong" in response.content.decode()


def _minutes(client, meeting, **extra):
    data = {"minutes": "Notulen", "decisions": "Satu\nDua", "version": meeting.version, **extra}
    return client.post(reverse("meetings:meeting-minutes", args=[meeting.pk]), data)


def test_final_minutes_are_locked_until_reopened_with_a_reason(client, operator, kupang):
    meeting = make_meeting(city=kupang)
    login(client, operator)
    assert _minutes(client, meeting, finalise="on").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FINAL
    assert [d.text for d in meeting.decisions.all()] == ["Satu", "Dua"]
    # Locked: the minutes page sends the user back with a message.
    response = client.get(reverse("meetings:meeting-minutes", args=[meeting.pk]))
    assert response.status_code == 302
    reopen = reverse("meetings:meeting-reopen", args=[meeting.pk])
    response = client.post(reopen, {"reason": "  ", "version": meeting.version})
    assert response.status_code == 200
    assert "tidak boleh kosong" in response.content.decode()
    response = client.post(reopen, {"reason": "Salah ketik nama", "version": meeting.version})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    entry = AuditEntry.objects.for_object(meeting).filter(action="meeting.minutes.reopen").get()
    assert entry.reason == "Salah ketik nama"
    assert entry.actor == operator


def test_a_decision_with_an_action_cannot_be_removed(client, operator, kupang):
    meeting = make_meeting(city=kupang)
    decision = make_decision(meeting=meeting, text="Susun Perda")
    make_action(city=kupang, owner=_org(kupang, "kesbangpol"), meeting=meeting, decision=decision)
    login(client, operator)
    response = _minutes(client, meeting, decisions="Lainnya")
    assert response.status_code == 200
    assert "sudah punya tindak lanjut" in response.content.decode()
    # Kept text keeps its decision (and its actions) while another is added.
    assert _minutes(client, meeting, decisions="Baru\nSusun Perda").status_code == 302
    decision.refresh_from_db()
    assert decision.order == 2


def test_finalising_empty_minutes_is_refused(client, operator, kupang):
    meeting = make_meeting(city=kupang)
    login(client, operator)
    response = _minutes(client, meeting, minutes="", finalise="on")
    assert response.status_code == 200
    assert "Notulen kosong" in response.content.decode()


def test_the_ics_file_is_a_calendar_event_in_wita(client, pimpinan, kupang):
    start = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
    meeting = make_meeting(city=kupang, title="Rakor", starts_at=start, venue="Aula")
    meeting.agenda_items.create(order=1, title="Pembukaan")
    login(client, pimpinan)
    response = client.get(reverse("meetings:meeting-ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == start
    assert str(event["location"]) == "Aula"
    assert "Pembukaan" in str(event["description"])


def test_the_meeting_list_filters_by_year_and_kind(client, pimpinan, kupang):
    make_meeting(
        city=kupang, title="Lama", starts_at=timezone.make_aware(datetime.datetime(2021, 11, 18, 9))
    )
    make_meeting(city=kupang, title="Rapat evaluasi", kind="monev")
    login(client, pimpinan)
    body = client.get(reverse("meetings:index"), {"tahun": "2021"}).content.decode()
    assert "Lama" in body and "Rapat evaluasi" not in body
    body = client.get(reverse("meetings:index"), {"jenis": "monev", "tahun": "x"}).content.decode()
    assert "Rapat evaluasi" in body and "Lama" not in body


def test_an_outsider_cannot_see_a_meeting(client, other_city_operator, kupang):
    meeting = make_meeting(city=kupang)
    login(client, other_city_operator)
    assert client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).status_code == 404
