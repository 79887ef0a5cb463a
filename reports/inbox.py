"""The reports app's part of "Tugas saya" (kotan.inbox): finished briefs the user has not
downloaded yet: those addressed to an officer's organisation, the city summaries for
Pimpinan. One query."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from kotan.inbox import InboxItem
from kotan.models import User
from reports.models import Brief, BriefDownload

Role = User.Role


def report_tasks(user: User, today: datetime.date) -> list[InboxItem]:
    if user.has_role(Role.PEMANGKU):
        briefs = Brief.objects.filter(
            city_id=user.city_id or 0,
            kind=Brief.Kind.STAKEHOLDER,
            stakeholder_id=user.stakeholder_id or 0,
        )
        label = _("ringkasan untuk instansi Anda belum diunduh")
    elif user.has_role(Role.PIMPINAN):
        briefs = Brief.objects.filter(city_id=user.city_id or 0, kind=Brief.Kind.CITY_SUMMARY)
        label = _("ringkasan kebijakan siap, belum diunduh")
    else:
        return []
    unread = (
        briefs.filter(status=Brief.Status.DONE)
        .exclude(pk__in=BriefDownload.objects.filter(user=user).values("brief_id"))
        .count()
    )
    return [
        InboxItem(
            "briefs-ready",
            label,
            unread,
            reverse("reports:brief-list"),
            _("Ringkasan kebijakan"),
        )
    ]
