"""Assessment periods: a city's yearly entry window and its status open → closed → locked."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from indicators.models import AssessmentPeriod
from indicators.scoring.recompute import scores_recompute
from indicators.services.values import EntryError
from kotan.models import Region, User
from kotan.permissions import require
from kotan.services import audit_record, field_changes

Status = AssessmentPeriod.Status

# Who moves a period from one status to another. Locking is the verifier's act: after it no
# value of the period changes again, so scores and briefs built on it stay reproducible.
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    (Status.OPEN, Status.CLOSED): (User.Role.ADMIN, User.Role.OPERATOR, User.Role.VERIFIKATOR),
    (Status.CLOSED, Status.OPEN): (User.Role.ADMIN, User.Role.OPERATOR),
    (Status.CLOSED, Status.LOCKED): (User.Role.VERIFIKATOR,),
    # Reopening a locked period (with a reason in the audit log) makes its scores
    # provisional again (DOMAIN.md §3.9).
    (Status.LOCKED, Status.OPEN): (User.Role.VERIFIKATOR,),
}


def _window_error(opens_on: datetime.date, closes_on: datetime.date) -> None:
    if closes_on < opens_on:
        raise EntryError(_("Tanggal tutup tidak boleh sebelum tanggal buka."))


@transaction.atomic
def period_create(
    *,
    actor: User,
    city: Region,
    year: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
) -> AssessmentPeriod:
    require(actor, "indicators.manage_periods", city)
    _window_error(opens_on, closes_on)
    if AssessmentPeriod.objects.filter(city=city, year=year).exists():
        raise EntryError(_("Periode tahun %(year)s sudah ada.") % {"year": year})
    try:
        with transaction.atomic():
            period = AssessmentPeriod.objects.create(
                city=city, year=year, opens_on=opens_on, closes_on=closes_on
            )
    except IntegrityError:  # created by someone else in the meantime
        raise EntryError(_("Periode tahun %(year)s sudah ada.") % {"year": year}) from None
    audit_record(
        actor=actor,
        city=city,
        obj=period,
        action="period.create",
        changes={
            "year": [None, year],
            "opens_on": [None, str(opens_on)],
            "closes_on": [None, str(closes_on)],
        },
    )
    return period


@transaction.atomic
def period_update(
    *,
    actor: User,
    period: AssessmentPeriod,
    opens_on: datetime.date,
    closes_on: datetime.date,
) -> AssessmentPeriod:
    require(actor, "indicators.manage_periods", period)
    _window_error(opens_on, closes_on)
    if period.status == Status.LOCKED:
        raise EntryError(_("Periode yang sudah dikunci tidak dapat diubah."))
    before = {"opens_on": str(period.opens_on), "closes_on": str(period.closes_on)}
    period.opens_on, period.closes_on = opens_on, closes_on
    period.save(update_fields=["opens_on", "closes_on"])
    after = {"opens_on": str(opens_on), "closes_on": str(closes_on)}
    audit_record(
        actor=actor,
        city=period.city,
        obj=period,
        action="period.update",
        changes=field_changes(before, after),
    )
    return period


def allowed_transitions(user: User, period: AssessmentPeriod) -> list[str]:
    return [
        target
        for (source, target), roles in TRANSITIONS.items()
        if source == period.status and user.has_role(*roles)
    ]


@transaction.atomic
def period_status_set(
    *, actor: User, period: AssessmentPeriod, status: str, reason: str = ""
) -> AssessmentPeriod:
    current = AssessmentPeriod.objects.select_for_update().get(pk=period.pk)
    if status not in allowed_transitions(actor, current):
        raise EntryError(
            _("Status periode tidak dapat diubah dari %(source)s ke %(target)s oleh peran Anda.")
            % {"source": current.get_status_display(), "target": Status(status).label}
            if status in Status.values
            else _("Status tidak dikenal.")
        )
    before = current.status
    current.status = status
    current.save(update_fields=["status"])
    if Status.LOCKED in (before, status):
        # §3.9: a score is final exactly while its period is locked. Recomputed here, in the
        # same transaction, so no page ever shows a locked period's scores as provisional
        # (or a reopened one's as final).
        scores_recompute(period_ids=[current.pk])
    audit_record(
        actor=actor,
        city=current.city,
        obj=current,
        action=f"period.{status}",
        changes={"status": [before, status]},
        reason=reason,
    )
    return current
