"""The indicators app's part of "Tugas saya" (kotan.inbox): units to fill, submit and
review, imports waiting, a stakeholder's own indicators, the latest score for Pimpinan.

Every branch runs a fixed number of queries, whatever the number of periods, units and
values (tests/kotan/test_inbox.py asserts it at two data sizes)."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from indicators.models import (
    AssessmentPeriod,
    ImportBatch,
    Indicator,
    IndicatorValue,
    Submission,
)
from kotan.inbox import InboxItem, count_of
from kotan.models import Region, Stakeholder, User

Role = User.Role
Status = Submission.Status
Level = Indicator.Level


def _queue_url(**params: object) -> str:
    return f"{reverse('indicators:review-queue')}?{urlencode(params)}"


def _open_periods(user: User) -> list[AssessmentPeriod]:
    return list(
        AssessmentPeriod.objects.for_city(user.city_id)
        .filter(status=AssessmentPeriod.Status.OPEN)
        .order_by("-year")
    )


def _expected_units(city_id: int) -> int:
    """Units the city answers for in a period: the city, each kelurahan, each organisation
    with stakeholder-level indicators. Three queries."""
    levels = set(Indicator.objects.active().values_list("level", flat=True).distinct())
    units = 1 if Level.KOTA in levels else 0
    if Level.KELURAHAN in levels:
        units += Region.objects.for_city(city_id).kelurahan().count()
    if Level.STAKEHOLDER in levels:
        units += (
            Stakeholder.objects.for_city(city_id)
            .filter(active=True)
            .filter(indicators__active=True, indicators__level=Level.STAKEHOLDER)
            .distinct()
            .count()
        )
    return units


def _operator_items(user: User) -> list[InboxItem]:
    assert user.city_id is not None
    periods = _open_periods(user)
    items: list[InboxItem] = []
    if periods:
        expected = _expected_units(user.city_id)
        counts = Counter(
            {
                (row["period_id"], row["status"]): row["n"]
                for row in Submission.objects.for_city(user.city_id)
                .filter(period__in=periods)
                .values("period_id", "status")
                .annotate(n=Count("pk"))
                .order_by()
            }
        )
        returned = list(
            Submission.objects.for_city(user.city_id)
            .filter(period__in=periods, status=Status.RETURNED)
            .select_related("region", "stakeholder")
            .order_by("-updated_at")[:3]
        )
        for period in periods:
            started = sum(n for (pk, _s), n in counts.items() if pk == period.pk)
            section = _("Pengisian data %(year)s") % {"year": period.year}
            items += [
                InboxItem(
                    "units-not-started",
                    _("unit belum mulai diisi"),
                    max(expected - started, 0),
                    reverse("indicators:completeness", args=[period.pk]),
                    section,
                    tone="secondary",
                    counted=False,
                ),
                InboxItem(
                    "units-draft",
                    _("unit masih draf"),
                    counts[(period.pk, Status.DRAFT)],
                    _queue_url(status=Status.DRAFT, periode=period.pk),
                    section,
                    tone="secondary",
                ),
                InboxItem(
                    "units-returned",
                    _("unit dikembalikan verifikator"),
                    counts[(period.pk, Status.RETURNED)],
                    _queue_url(status=Status.RETURNED, periode=period.pk),
                    section,
                    details=tuple(
                        f"{s.stakeholder or (s.region.name if s.region else '')}: {s.return_reason}"
                        for s in returned
                        if s.period_id == period.pk
                    ),
                    tone="warning",
                ),
            ]
    waiting = (
        ImportBatch.objects.for_city(user.city_id)
        .filter(
            status__in=[ImportBatch.Status.READY, ImportBatch.Status.INVALID],
        )
        .count()
    )
    items.append(
        InboxItem(
            "imports-waiting",
            _("impor menunggu konfirmasi atau perbaikan"),
            waiting,
            reverse("indicators:import-periods"),
            _("Impor data"),
        )
    )
    return items


def _reviewer_items(user: User) -> list[InboxItem]:
    waiting = (
        Submission.objects.for_city(user.city_id)
        .filter(status=Status.SUBMITTED)
        .aggregate(n=Count("pk"), oldest=Min("submitted_at"))
    )
    details: tuple[str, ...] = ()
    if waiting["oldest"]:
        details = (_("terlama menunggu %(age)s") % {"age": timesince(waiting["oldest"])},)
    return [
        InboxItem(
            "review-waiting",
            _("unit menunggu verifikasi"),
            waiting["n"],
            reverse("indicators:review-queue"),
            _("Verifikasi data"),
            details=details,
        )
    ]


def _stakeholder_items(user: User) -> list[InboxItem]:
    periods = _open_periods(user)
    if not periods or user.stakeholder_id is None:
        return []
    assigned = (
        Indicator.objects.active()
        .filter(level=Level.STAKEHOLDER, responsible=user.stakeholder_id)
        .count()
    )
    filled = dict(
        IndicatorValue.objects.for_city(user.city_id)
        .filter(
            submission__period__in=periods,
            submission__stakeholder_id=user.stakeholder_id,
            value__isnull=False,
            indicator__active=True,
            indicator__responsible=user.stakeholder_id,
        )
        .values_list("submission__period_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("submission__period_id", "n")
    )
    returned = {
        s.period_id: s
        for s in Submission.objects.for_city(user.city_id).filter(
            period__in=periods, stakeholder_id=user.stakeholder_id, status=Status.RETURNED
        )
    }
    items = []
    for period in periods:
        url = reverse(
            "indicators:entry-stakeholder",
            kwargs={"pk": period.pk, "stakeholder": user.stakeholder_id},
        )
        section = _("Data instansi %(year)s") % {"year": period.year}
        back = returned.get(period.pk)
        items += [
            InboxItem(
                "indicators-unfilled",
                _("indikator belum diisi"),
                max(assigned - filled.get(period.pk, 0), 0),
                url,
                section,
            ),
            InboxItem(
                "values-returned",
                _("data dikembalikan verifikator"),
                1 if back else 0,
                url,
                section,
                details=(_("Alasan: %(reason)s") % {"reason": back.return_reason},) if back else (),
                tone="warning",
            ),
        ]
    return items


def indicator_tasks(user: User, today: datetime.date) -> list[InboxItem]:
    items: list[InboxItem] = []
    if user.has_role(Role.ADMIN, Role.OPERATOR):
        items += _operator_items(user)
    if user.has_role(Role.ADMIN, Role.VERIFIKATOR):
        items += _reviewer_items(user)
    if user.has_role(Role.PEMANGKU):
        items += _stakeholder_items(user)
    return items


def indicator_task_counts(user: User, today: datetime.date) -> list[Any]:
    """The counted items above as SQL expressions, for the navigation's one query."""
    open_periods = AssessmentPeriod.objects.for_city(user.city_id).filter(
        status=AssessmentPeriod.Status.OPEN
    )
    in_open = Submission.objects.for_city(user.city_id).filter(period__in=open_periods)
    counts: list[Any] = []
    if user.has_role(Role.ADMIN, Role.OPERATOR):
        counts += [
            count_of(in_open.filter(status__in=[Status.DRAFT, Status.RETURNED])),
            count_of(
                ImportBatch.objects.for_city(user.city_id).filter(
                    status__in=[ImportBatch.Status.READY, ImportBatch.Status.INVALID],
                )
            ),
        ]
    if user.has_role(Role.ADMIN, Role.VERIFIKATOR):
        counts.append(
            count_of(Submission.objects.for_city(user.city_id).filter(status=Status.SUBMITTED))
        )
    if user.has_role(Role.PEMANGKU) and user.stakeholder_id is not None:
        assigned = Indicator.objects.active().filter(
            level=Level.STAKEHOLDER, responsible=user.stakeholder_id
        )
        filled = IndicatorValue.objects.for_city(user.city_id).filter(
            submission__period__in=open_periods,
            submission__stakeholder_id=user.stakeholder_id,
            value__isnull=False,
            indicator__in=assigned,
        )
        counts += [
            count_of(assigned) * count_of(open_periods) - count_of(filled),
            count_of(in_open.filter(stakeholder_id=user.stakeholder_id, status=Status.RETURNED)),
        ]
    return counts
