"""The reports app's part of "Tugas saya" (kotan.inbox): for Pimpinan the latest score and
what changed since the last visit; finished briefs the user has not downloaded yet (those
addressed to an officer's organisation, the city summaries for Pimpinan). A fixed number of
queries."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from indicators.models import ScoreSnapshot, Submission
from kotan.inbox import InboxItem, count_of
from kotan.models import User
from reports.models import Brief, BriefDownload

Role = User.Role


def _score_items(user: User) -> list[InboxItem]:
    snapshot = (
        ScoreSnapshot.objects.for_city(user.city_id)
        .filter(edition__is_default=True)
        .select_related("period")
        .order_by("-period__year")
        .first()
    )
    if snapshot is None:
        return []
    since = user.last_home_visit
    approved_since = (
        Submission.objects.for_city(user.city_id)
        .filter(period=snapshot.period, status=Submission.Status.APPROVED, approved_at__gt=since)
        .count()
        if since
        else 0
    )
    score = (
        f"{number_format(snapshot.scaled, 2)} · {snapshot.band_name}"
        if snapshot.scaled is not None
        else _("belum lengkap")
    )
    details = [_("IKOTAN %(year)s: %(score)s") % {"year": snapshot.period.year, "score": score}]
    if since and snapshot.computed_at > since:
        details.append(_("Skor dihitung ulang sejak kunjungan terakhir Anda."))
    return [
        InboxItem(
            "approved-since-visit",
            _("unit disetujui sejak kunjungan terakhir"),
            approved_since,
            reverse("reports:dashboard"),
            _("Kesiapan kota"),
            details=tuple(details),
            tone="info",
            counted=False,
        )
    ]


def _briefs_not_downloaded(user: User) -> QuerySet[Brief] | None:
    """Finished briefs for the user that the user has not downloaded yet: those addressed
    to an officer's organisation, the city summaries for Pimpinan."""
    if user.has_role(Role.PEMANGKU):
        briefs = Brief.objects.for_city(user.city_id).filter(
            kind=Brief.Kind.STAKEHOLDER,
            stakeholder_id=user.stakeholder_id or 0,
        )
    elif user.has_role(Role.PIMPINAN):
        briefs = Brief.objects.for_city(user.city_id).filter(kind=Brief.Kind.CITY_SUMMARY)
    else:
        return None
    return briefs.filter(status=Brief.Status.DONE).exclude(
        pk__in=BriefDownload.objects.filter(user=user).values("brief_id")
    )


def report_task_counts(user: User, today: datetime.date) -> list[Any]:
    briefs = _briefs_not_downloaded(user)
    return [] if briefs is None else [count_of(briefs)]


def report_tasks(user: User, today: datetime.date) -> list[InboxItem]:
    items = _score_items(user) if user.has_role(Role.PIMPINAN) else []
    briefs = _briefs_not_downloaded(user)
    if briefs is None:
        return items
    label = (
        _("ringkasan untuk instansi Anda belum diunduh")
        if user.has_role(Role.PEMANGKU)
        else _("ringkasan kebijakan siap, belum diunduh")
    )
    unread = briefs.count()
    return [
        *items,
        InboxItem(
            "briefs-ready",
            label,
            unread,
            reverse("reports:brief-list"),
            _("Ringkasan kebijakan"),
        ),
    ]
