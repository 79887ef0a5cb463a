"""Turning the next-rakor agenda draft into a planned meeting."""

from __future__ import annotations

import datetime

from django.db import transaction

from kotan.models import Region, User
from meetings.models import Meeting
from meetings.selectors import next_agenda_draft
from meetings.services.meetings import MeetingDetails, meeting_create


@transaction.atomic
def agenda_draft_schedule(
    *,
    actor: User,
    city: Region,
    starts_at: datetime.datetime,
    venue: str,
    today: datetime.date,
) -> Meeting:
    """The draft is rebuilt here rather than taken from the browser, so the meeting gets the
    agenda and invitations as they stand when the operator clicks."""
    draft = next_agenda_draft(city=city, today=today)
    organiser = next(
        (s for s in draft.invited if s.kind == s.Kind.BNN and s.city_id == city.pk), None
    )
    return meeting_create(
        actor=actor,
        city=city,
        details=MeetingDetails(
            kind=Meeting.Kind.RAKOR,
            title=draft.title,
            starts_at=starts_at,
            venue=venue,
            organiser=organiser,
            invited=draft.invited,
            agenda=draft.items,
        ),
    )
