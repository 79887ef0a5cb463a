"""Reads that are more than a filter: action lists, attendance rates, the next rakor's agenda."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractYear
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from indicators.models import AssessmentPeriod, ScoreSnapshot, Variable
from indicators.selectors import variable_indices
from kotan.models import Region, Stakeholder, User
from meetings.models import Action, ActionQuerySet, Attendance, Meeting, MeetingQuerySet


def meeting_list(
    user: User, *, year: int | None = None, kind: str = "", status: str = ""
) -> MeetingQuerySet:
    meetings = (
        Meeting.objects.for_user(user)
        .select_related("organiser")
        .annotate(
            invited_count=Count("invited", distinct=True),
            action_count=Count("actions", distinct=True),
        )
    )
    if year:
        meetings = meetings.filter(starts_at__year=year)
    if kind:
        meetings = meetings.filter(kind=kind)
    if status:
        meetings = meetings.filter(status=status)
    return meetings


def action_list(user: User, *, filters: Mapping[str, Any], today: datetime.date) -> ActionQuerySet:
    """The city's actions narrowed by the list's filters (a cleaned ActionFilterForm)."""
    actions = Action.objects.for_user(user).select_related(
        "owner", "variable", "indicator", "meeting"
    )
    for name in ("owner", "variable", "meeting"):
        if filters.get(name):
            actions = actions.filter(**{name: filters[name]})
    for name in ("status", "category"):
        if filters.get(name):
            actions = actions.filter(**{name: filters[name]})
    if filters.get("overdue"):
        actions = actions.overdue(today)
    return actions.order_by("due_on", "pk")


@dataclass(frozen=True)
class AttendanceRate:
    year: int
    meetings: int
    attended: int

    @property
    def percent(self) -> Decimal:
        return (Decimal(100) * self.attended / self.meetings).quantize(Decimal("0.1"))


def attendance_rates(stakeholder: Stakeholder, *, limit: int = 5) -> list[AttendanceRate]:
    """Per year (WITA), of the meetings that took place to which the organisation was invited
    or at which it signed in: how many it attended (anyone of it present)."""
    invited = Meeting.invited.through.objects.filter(
        meeting_id=OuterRef("pk"), stakeholder_id=stakeholder.pk
    )
    signed = Attendance.objects.filter(meeting_id=OuterRef("pk"), stakeholder_id=stakeholder.pk)
    rows = (
        Meeting.objects.for_city(stakeholder.city_id)
        .took_place()
        .filter(Exists(invited) | Exists(signed))
        .annotate(year=ExtractYear("starts_at"), came=Exists(signed.filter(present=True)))
        .values("year")
        .annotate(total=Count("pk"), attended=Count("pk", filter=Q(came=True)))
        .order_by("-year")[:limit]
    )
    return [AttendanceRate(r["year"], r["total"], r["attended"]) for r in rows]


@dataclass(frozen=True)
class WeakVariable:
    variable: Variable
    index: Decimal


# The scoring in the indicators app is being built in parallel. The hook it is expected to
# offer: `indicators.selectors.variable_indices(period) -> Mapping[Variable, Decimal | None]`
# (the city's index per variable on 0–100, None when a variable lacks data).
def weakest_variables(period: AssessmentPeriod | None, *, limit: int = 2) -> list[WeakVariable]:
    """The variables with the lowest index in `period`'s scores, weakest first; [] while the
    period has no scores."""
    if period is None:
        return []
    ranked = sorted(
        (
            (variable, index)
            for variable, index in variable_indices(period).items()
            if index is not None
        ),
        key=lambda pair: (pair[1], pair[0].order),
    )
    return [WeakVariable(variable, index) for variable, index in ranked[:limit]]


@dataclass
class AgendaDraft:
    title: str
    period: AssessmentPeriod | None
    weak: list[WeakVariable]
    overdue: list[Action]
    items: list[str] = field(default_factory=list)
    invited: list[Stakeholder] = field(default_factory=list)
    # §3.9: whether the scores the agenda cites are final (their period is locked).
    final: bool = False


def _index_text(index: Decimal) -> str:
    """47,67 — the app's format, never 47.6667."""
    return number_format(index.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), 2)


def next_agenda_draft(*, city: Region, today: datetime.date) -> AgendaDraft:
    """A draft agenda for the next rakor: the weakest variables of the latest period's scores
    (when scores exist) and the overdue actions, grouped by owner organisation."""
    # Final scores where they exist (the latest locked period with a final snapshot), else
    # the latest period's provisional ones, said as such.
    final_snapshot = ScoreSnapshot.objects.for_city(city.pk).filter(
        period_id=OuterRef("pk"), edition__is_default=True, is_final=True
    )
    period = (
        AssessmentPeriod.objects.for_city(city.pk)
        .annotate(final=Exists(final_snapshot))
        .order_by("-final", "-year")
        .first()
    )
    final = bool(period and getattr(period, "final", False))
    weak = weakest_variables(period)
    overdue = list(
        Action.objects.for_city(city.pk)
        .overdue(today)
        .select_related("owner", "variable")
        .order_by("owner__name", "due_on", "pk")
    )
    items = [_("Pembukaan dan arahan pimpinan rapat")]
    for weak_variable in weak:
        assert period is not None
        items.append(
            _(
                "Variabel %(name)s (indeks %(index)s, %(status)s %(year)s): penyebab dan "
                "langkah perbaikan"
            )
            % {
                "name": weak_variable.variable.name,
                "index": _index_text(weak_variable.index),
                "status": _("final") if final else _("sementara"),
                "year": period.year,
            }
        )
    per_owner = Counter(action.owner for action in overdue)
    for owner, count in per_owner.items():
        items.append(
            _("Tindak lanjut terlambat %(owner)s (%(count)s kegiatan): kendala dan tenggat baru")
            % {"owner": owner, "count": count}
        )
    items += [_("Rencana tindak lanjut dan pembagian tugas"), _("Penutup")]
    lead = (
        Stakeholder.objects.for_city(city.pk)
        .active()
        .filter(kind__in=[Stakeholder.Kind.PIMPINAN_DAERAH, Stakeholder.Kind.BNN])
    )
    invited = list(dict.fromkeys([*lead, *per_owner]))
    title = _("Rakor KOTAN: evaluasi tindak lanjut %(date)s") % {
        "date": today.strftime("%m/%Y"),
    }
    return AgendaDraft(
        title=title,
        period=period,
        weak=weak,
        overdue=overdue,
        items=items,
        invited=invited,
        final=final,
    )
