"""The meetings app's part of "Tugas saya" (kotan.inbox): overdue actions and meetings
without final minutes for the office, due and overdue actions for an organisation. One or
two queries per role."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from kotan.inbox import InboxItem, count_of
from kotan.models import User
from meetings.models import Action, Meeting

Role = User.Role
# An organisation is told about an action this many days before it is due.
DUE_SOON_DAYS = 3


def meeting_tasks(user: User, today: datetime.date) -> list[InboxItem]:
    section = _("Rapat & tindak lanjut")
    if user.has_role(Role.ADMIN, Role.OPERATOR):
        overdue = Action.objects.for_city(user.city_id).overdue(today).count()
        without_minutes = (
            Meeting.objects.for_city(user.city_id).filter(status=Meeting.Status.HELD).count()
        )
        return [
            InboxItem(
                "actions-overdue",
                _("tindak lanjut kota terlambat"),
                overdue,
                f"{reverse('meetings:action-list')}?overdue=on",
                section,
                tone="danger",
            ),
            InboxItem(
                "meetings-without-minutes",
                _("rapat terlaksana tanpa notulen final"),
                without_minutes,
                f"{reverse('meetings:index')}?status={Meeting.Status.HELD}",
                section,
            ),
        ]
    if user.has_role(Role.PEMANGKU) and user.stakeholder_id is not None:
        counts = (
            Action.objects.for_city(user.city_id)
            .filter(owner_id=user.stakeholder_id)
            .open()
            .aggregate(
                overdue=Count("pk", filter=Q(due_on__lt=today)),
                due=Count(
                    "pk",
                    filter=Q(
                        due_on__gte=today,
                        due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
                    ),
                ),
            )
        )
        url = reverse("meetings:action-mine")
        return [
            InboxItem(
                "actions-overdue",
                _("tindak lanjut instansi terlambat"),
                counts["overdue"],
                url,
                section,
                tone="danger",
            ),
            InboxItem(
                "actions-due",
                _("tindak lanjut jatuh tempo dalam 3 hari"),
                counts["due"],
                url,
                section,
                tone="warning",
            ),
        ]
    return []


def meeting_task_counts(user: User, today: datetime.date) -> list[Any]:
    """The items above as SQL expressions, for the navigation's one query."""
    if user.has_role(Role.ADMIN, Role.OPERATOR):
        return [
            count_of(Action.objects.for_city(user.city_id).overdue(today)),
            count_of(Meeting.objects.for_city(user.city_id).filter(status=Meeting.Status.HELD)),
        ]
    if user.has_role(Role.PEMANGKU) and user.stakeholder_id is not None:
        mine = Action.objects.for_city(user.city_id).filter(owner_id=user.stakeholder_id).open()
        soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
        return [count_of(mine.filter(due_on__lte=soon))]
    return []
