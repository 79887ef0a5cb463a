"""Minutes (notulen) of a meeting as a PDF: the meeting, attendance, agenda, the minutes
text, the decisions and the follow-up actions they created."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import AssessmentPeriod, MethodologyEdition
from meetings.models import Action, Meeting
from reports.briefs.common import (
    BriefContent,
    BriefContentUnavailable,
    fingerprint_of,
    period_facts,
)

TEMPLATE = "reports/pdf/minutes.html"


def _meeting(period: AssessmentPeriod, meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.filter(city_id=period.city_id, pk=meeting_id)
        .select_related("organiser")
        .prefetch_related(
            "agenda_items",
            "decisions",
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner", "variable").order_by(
                    "due_on", "pk"
                ),
            ),
        )
        .first()
    )
    if meeting is None:
        raise BriefContentUnavailable(_("Rapat ini tidak ditemukan di kota periode ini."))
    return meeting


def meeting_section(meeting: Meeting) -> dict[str, Any]:
    """Plain data of the meeting for the template and the fingerprint (the prefetches of
    `_meeting` plus 2 queries: invitations and attendance). `version` and `updated_at` make
    any edit of the meeting change the fingerprint."""
    invited = list(meeting.invited.order_by("kind", "name").values_list("pk", "name"))
    attendances = list(
        meeting.attendances.select_related("stakeholder").order_by(
            "stakeholder__name", "name", "pk"
        )
    )
    actions_by_decision: dict[int | None, list[dict[str, Any]]] = {}
    for action in meeting.actions.all():
        actions_by_decision.setdefault(action.decision_id, []).append(
            {
                "id": action.pk,
                "title": action.title,
                "owner": action.owner.name,
                "category": action.get_category_display(),
                "variable": action.variable.code,
                "due": action.due_on,
                "status": action.get_status_display(),
                "progress": action.progress,
                "updated_at": action.updated_at,
            }
        )
    present_ids = {a.stakeholder_id for a in attendances if a.present}
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "kind": meeting.get_kind_display(),
        "status": meeting.get_status_display(),
        "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
        "venue": meeting.venue,
        "organiser": meeting.organiser.name if meeting.organiser else "",
        "chair": meeting.chair,
        "minutes": meeting.minutes,
        "minutes_final_at": meeting.minutes_final_at,
        "version": meeting.version,
        "updated_at": meeting.updated_at,
        "agenda": [item.title for item in meeting.agenda_items.all()],
        "attendance": [
            {
                "name": a.name,
                "position": a.position,
                "stakeholder": a.stakeholder.name,
                "present": a.present,
            }
            for a in attendances
        ],
        "present_count": sum(a.present for a in attendances),
        "absent_invited": [name for pk, name in invited if pk not in present_ids],
        "decisions": [
            {"order": d.order, "text": d.text, "actions": actions_by_decision.get(d.pk, [])}
            for d in meeting.decisions.all()
        ],
        "other_actions": actions_by_decision.get(None, []),
    }


def build(
    *, period: AssessmentPeriod, edition: MethodologyEdition, meeting_id: int
) -> BriefContent:
    meeting = _meeting(period, meeting_id)
    data = {"facts": period_facts(period, edition), "meeting": meeting_section(meeting)}
    fingerprint = fingerprint_of(data)
    context = {**data, "fingerprint": fingerprint, "generated_at": timezone.now(), "method": None}
    return BriefContent(template=TEMPLATE, context=context, fingerprint=fingerprint)
