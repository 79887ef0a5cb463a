"""The .ics calendar file of a meeting (RFC 5545), built with the icalendar library."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event

from meetings.models import Meeting

DEFAULT_DURATION = datetime.timedelta(hours=2)


def meeting_ics(meeting: Meeting) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Kotan//Rapat KOTAN//ID")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{meeting.ical_uid}@kotan")
    event.add("dtstamp", meeting.updated_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_DURATION)
    event.add("summary", f"{meeting.get_kind_display()}: {meeting.title}")
    if meeting.venue:
        event.add("location", meeting.venue)
    agenda = "\n".join(f"{item.order}. {item.title}" for item in meeting.agenda_items.all())
    if agenda:
        event.add("description", agenda)
    event.add(
        "url", settings.SITE_URL.rstrip("/") + reverse("meetings:meeting-detail", args=[meeting.pk])
    )
    # Bumped on every save, so calendars that imported an earlier file take the update.
    event.add("sequence", meeting.version)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
