"""Histories as people read them (kotan.lib.history): labels, not codes; values formatted
as the interface writes them; file names, not storage paths."""

import datetime

import pytest
from django.urls import reverse

from indicators.models import Submission
from kotan.lib.history import readable_history
from kotan.models import AuditEntry
from kotan.services import audit_record, field_changes
from meetings.models import Meeting
from tests.conftest import login
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


def _lines(item):
    return {line.label: (line.old, line.new) for line in item.lines}


def test_a_meeting_entry_reads_in_indonesian(kupang, operator):
    meeting = make_meeting(city=kupang)
    starts = datetime.datetime(2026, 2, 10, 1, 0, tzinfo=datetime.UTC)
    audit_record(
        actor=operator,
        city=kupang,
        obj=meeting,
        action="meeting.attendance",
        changes=field_changes(
            {"status": "planned", "starts_at": None}, {"status": "held", "starts_at": starts}
        ),
    )
    [item] = readable_history(AuditEntry.objects.for_object(meeting))
    assert item.action == "Daftar hadir dicatat"
    lines = _lines(item)
    assert lines["Status"] == ("Direncanakan", "Terlaksana")
    assert lines["Mulai"] == ("—", "10 Februari 2026, 09.00 WITA")
    text = repr((item.action, item.lines))
    assert "meeting.attendance" not in text and "+08:00" not in text and "+00:00" not in text


def test_values_read_as_ya_tidak_decimal_commas_and_file_names(kupang, operator):
    meeting = make_meeting(city=kupang)
    audit_record(
        actor=operator,
        city=kupang,
        obj=meeting,
        action="value.form",
        changes={
            "value": [None, "1"],
            "KK1": ["47.6667", "2.7"],
            "evidence": ["", "evidence/3/137/KL1.pdf"],
        },
    )
    entry = AuditEntry.objects.get()
    entry.object_repr = "KL1 · Kota Kupang"
    [item] = readable_history([entry], yes_no=["KL1"])
    lines = _lines(item)
    assert lines["Nilai"] == ("—", "Ya")
    assert lines["KK1"] == ("47,67", "2,7")
    assert lines["Bukti dukung"] == ("—", "KL1.pdf")
    assert item.action == "Diisi lewat formulir"


def test_an_unknown_action_is_never_shown_as_its_code(kupang, operator):
    meeting = make_meeting(city=kupang)
    audit_record(actor=operator, city=kupang, obj=meeting, action="something.internal")
    [item] = readable_history(AuditEntry.objects.all())
    assert item.action == "Perubahan"


def test_the_meeting_page_history_shows_labels_not_codes(client, operator, kupang):
    meeting = make_meeting(city=kupang)
    audit_record(
        actor=operator,
        city=kupang,
        obj=meeting,
        action="meeting.attendance",
        changes={"status": [Meeting.Status.PLANNED, Meeting.Status.HELD]},
    )
    html = login(client, operator).get(reverse("meetings:meeting-detail", args=[meeting.pk])).text
    assert "Daftar hadir dicatat" in html and "Direncanakan → Terlaksana" in html
    assert "meeting.attendance" not in html


def test_the_submission_history_shows_status_labels(kupang, operator, framework):
    from tests.factories import make_open_period

    period = make_open_period(city=kupang)
    submission = Submission.objects.create(period=period, level="kota", region=kupang)
    audit_record(
        actor=operator,
        city=kupang,
        obj=submission,
        action="submission.submitted",
        changes={"status": ["draft", "submitted"]},
    )
    from indicators.selectors import history

    [item] = history(submission)
    assert item.action == "Diajukan" and _lines(item)["Status"] == ("Draf", "Diajukan")
