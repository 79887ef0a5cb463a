"""Reminder emails: a daily one to each owner organisation's officers, a weekly digest to
operators. Each email is logged before it is sent, under a unique (recipient, kind, day),
so running a job twice, or on two workers at once, sends nothing twice."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kotan.models import EmailMode, Notification, Region, User
from kotan.notifications import notifications_emit
from meetings.models import Action, ReminderLog

logger = logging.getLogger(__name__)

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class SendResult:
    sent: int
    skipped: int


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _claim(
    *, recipient: User, kind: str, day: datetime.date, actions: Sequence[Action]
) -> ReminderLog | None:
    """Record the email about to be sent; None when it was already sent (or is being sent)."""
    try:
        with transaction.atomic():
            return ReminderLog.objects.create(
                recipient=recipient,
                kind=kind,
                sent_on=day,
                email=recipient.email,
                action_ids=[a.pk for a in actions],
            )
    except IntegrityError:
        return None


def _send(*, template: str, to: str, context: dict[str, object]) -> None:
    # Always Indonesian: the job runs outside a request, and recipients are Indonesian civil
    # servants whatever language an earlier request used.
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def _deliver(
    *,
    recipient: User,
    kind: str,
    day: datetime.date,
    actions: Sequence[Action],
    template: str,
    context: dict[str, object],
) -> bool:
    log = _claim(recipient=recipient, kind=kind, day=day, actions=actions)
    if log is None:
        return False
    try:
        _send(template=template, to=recipient.email, context=context)
    except Exception:
        # Not sent: forget the claim so that the task's retry (or tomorrow's run) sends it.
        log.delete()
        raise
    return True


def _action_rows(actions: Iterable[Action], today: datetime.date) -> list[dict[str, object]]:
    return [
        {
            "action": action,
            "overdue": action.is_overdue(today),
            "days": (action.due_on - today).days,
            "url": _absolute(reverse("meetings:action-detail", args=[action.pk])),
        }
        for action in actions
    ]


# In-app notifications are written for actions due within this many days (the email lists a
# wider window, as a summary).
NOTIFY_DUE_DAYS = 3


def _notify_due(actions: Sequence[Action], officers: Sequence[User], today: datetime.date) -> None:
    """One in-app notification per action and officer when it falls due within 3 days and
    when it becomes overdue; keyed by the due date, so a changed deadline is told again.
    The daily email below carries them, so they are not emailed one by one."""
    by_owner: dict[int, list[User]] = defaultdict(list)
    for officer in officers:
        by_owner[officer.stakeholder_id or 0].append(officer)
    with translation.override(settings.LANGUAGE_CODE):
        for action in actions:
            if action.is_overdue(today):
                kind, title = Notification.Kind.ACTION_OVERDUE, _("Terlambat: %(title)s")
            elif (action.due_on - today).days <= NOTIFY_DUE_DAYS:
                kind, title = Notification.Kind.ACTION_DUE_SOON, _("Jatuh tempo %(due)s: %(title)s")
            else:
                continue
            notifications_emit(
                city=action.city_id,
                recipients=by_owner.get(action.owner_id, []),
                kind=kind,
                event_key=f"action.{kind}:{action.pk}:{action.due_on.isoformat()}",
                title=title % {"title": action.title, "due": date_format(action.due_on, "j F Y")},
                url=reverse("meetings:action-detail", args=[action.pk]),
                email=False,
            )


def reminders_send_daily(*, today: datetime.date) -> SendResult:
    """Email every active officer (with an email address, who has not turned notification
    emails off) of each organisation that owns an open action due within 7 days or overdue,
    once per day; and write the in-app notifications of actions due within 3 days or
    overdue."""
    actions = list(
        Action.objects.open()
        .filter(due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
        .select_related("owner", "city", "variable")
        .order_by("due_on", "pk")
    )
    by_owner: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        by_owner[action.owner_id].append(action)
    officers = list(
        User.objects.filter(
            role=User.Role.PEMANGKU, is_active=True, stakeholder_id__in=by_owner.keys()
        )
        .select_related("stakeholder")
        .order_by("pk")
    )
    with transaction.atomic():
        _notify_due(actions, officers, today)
    sent = skipped = 0
    for officer in officers:
        if not officer.email or officer.email_notifications == EmailMode.OFF:
            continue
        assert officer.stakeholder_id is not None
        own = by_owner[officer.stakeholder_id]
        context: dict[str, object] = {
            "recipient": officer,
            "stakeholder": officer.stakeholder,
            "today": today,
            "overdue": _action_rows([a for a in own if a.is_overdue(today)], today),
            "due_soon": _action_rows([a for a in own if not a.is_overdue(today)], today),
            "mine_url": _absolute(reverse("meetings:action-mine")),
        }
        delivered = _deliver(
            recipient=officer,
            kind=ReminderLog.Kind.DAILY,
            day=today,
            actions=own,
            template="action_reminder",
            context=context,
        )
        sent, skipped = (sent + 1, skipped) if delivered else (sent, skipped + 1)
    logger.info("daily reminders for %s: %s sent, %s skipped", today, sent, skipped)
    return SendResult(sent=sent, skipped=skipped)


def _digest_for_city(city: Region, today: datetime.date) -> dict[str, object]:
    actions = list(
        Action.objects.filter(city=city).select_related("owner").order_by("due_on", "pk")
    )
    week_ago = today - datetime.timedelta(days=7)
    open_actions = [a for a in actions if a.is_open]
    per_owner: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "overdue": 0})
    for action in open_actions:
        row = per_owner[str(action.owner)]
        row["open"] += 1
        row["overdue"] += int(action.is_overdue(today))
    return {
        "city": city,
        "today": today,
        "overdue": _action_rows([a for a in open_actions if a.is_overdue(today)], today),
        "due_soon": _action_rows(
            [
                a
                for a in open_actions
                if today <= a.due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS)
            ],
            today,
        ),
        "closed_recently": [
            a
            for a in actions
            if a.status == Action.Status.DONE
            and a.closed_at is not None
            and timezone.localtime(a.closed_at).date() >= week_ago
        ],
        "per_owner": sorted(per_owner.items()),
        "open_count": len(open_actions),
        "list_url": _absolute(reverse("meetings:action-list")),
    }


def digest_send_weekly(*, today: datetime.date) -> SendResult:
    """Email each city's operators a digest of its actions, once per ISO week."""
    week_start = today - datetime.timedelta(days=today.weekday())
    cities = Region.objects.filter(pk__in=Action.objects.values("city_id")).order_by("code")
    sent = skipped = 0
    for city in cities:
        context = _digest_for_city(city, today)
        operators = (
            User.objects.filter(city=city, role=User.Role.OPERATOR, is_active=True)
            .exclude(email="")
            .order_by("pk")
        )
        for operator in operators:
            delivered = _deliver(
                recipient=operator,
                kind=ReminderLog.Kind.DIGEST,
                day=week_start,
                actions=[],
                template="operator_digest",
                context={**context, "recipient": operator},
            )
            sent, skipped = (sent + 1, skipped) if delivered else (sent, skipped + 1)
    logger.info("weekly digest for %s: %s sent, %s skipped", week_start, sent, skipped)
    return SendResult(sent=sent, skipped=skipped)
