"""Notifications: one row per event and recipient, shown in the app and emailed as each user
chose (immediately, in a daily digest, or not at all).

Apps emit events through `notifications_emit` from their services, inside the transaction of
the change (reports → meetings → indicators → kotan: nothing here knows the apps). Delivery
never loses an event and never fails the change it tells about:

- the row is written in the change's transaction, under a unique (event key, recipient), so
  an event emitted twice is stored once;
- the email is sent by a task queued after commit; when the broker is down the row stays
  `pending` and the periodic sweep sends it once the broker is back;
- a row is claimed (`pending` → `sending`) by one conditional UPDATE before its email is
  sent, so two workers never send it twice; a claim left by a dead worker is retried.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from kotan.lib.broker import enqueue
from kotan.models import EmailMode, Notification, Region, User

logger = logging.getLogger(__name__)

Email = Notification.Email

# A claim older than this belongs to a worker that died mid-send: the sweep retries it.
STALE_CLAIM = datetime.timedelta(minutes=10)


def _email_status(user: User) -> str:
    if not user.email or user.email_notifications == EmailMode.OFF:
        return Email.SKIPPED
    if user.email_notifications == EmailMode.DIGEST:
        return Email.DIGEST
    return Email.PENDING


def notifications_emit(
    *,
    city: Region | int,
    recipients: Iterable[User],
    kind: str,
    event_key: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> int:
    """Tell `recipients` (inactive users are skipped) about one event; return how many new
    rows were written. Call it inside the transaction of the change. `email=False` when the
    caller emails the event itself (the daily action reminder)."""
    city_id = city if isinstance(city, int) else city.pk
    unique = {user.pk: user for user in recipients if user.is_active}
    if not unique:
        return 0
    existing = set(
        Notification.objects.filter(event_key=event_key, recipient_id__in=unique).values_list(
            "recipient_id", flat=True
        )
    )
    rows = [
        Notification(
            city_id=city_id,
            recipient=user,
            event_key=event_key[:120],
            kind=kind,
            title=title[:200],
            body=body,
            url=url[:300],
            email_status=_email_status(user) if email else Email.SKIPPED,
        )
        for pk, user in unique.items()
        if pk not in existing
    ]
    # ignore_conflicts: a concurrent emit of the same event wins the race harmlessly.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.email_status == Email.PENDING for row in rows):
        transaction.on_commit(partial(notifications_dispatch, event_key=event_key[:120]))
    return len(rows)


def notifications_dispatch(*, event_key: str) -> bool:
    """Queue the email task for one event; False (rows stay pending) if the broker is down."""
    from kotan.tasks import notifications_email_task

    return enqueue(notifications_email_task, event_key)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path.startswith("/") else path


def _send(*, template: str, to: str, context: dict[str, object]) -> None:
    # Always Indonesian: sent outside a request, to Indonesian civil servants.
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def _claim(pks: Iterable[int], from_status: str) -> bool:
    return bool(
        Notification.objects.filter(pk__in=list(pks), email_status=from_status).update(
            email_status=Email.SENDING, email_claimed_at=timezone.now()
        )
    )


def _send_one(notification: Notification) -> bool:
    if not _claim([notification.pk], Email.PENDING):
        return False  # another worker has it, or it went out already
    try:
        _send(
            template="notification",
            to=notification.recipient.email,
            context={
                "notification": notification,
                "recipient": notification.recipient,
                "url": _absolute(notification.url),
                "settings_url": _absolute(reverse("kotan:notification-settings")),
            },
        )
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(email_status=Email.PENDING)
        raise
    Notification.objects.filter(pk=notification.pk).update(
        email_status=Email.SENT, emailed_at=timezone.now()
    )
    return True


def notifications_send(*, event_key: str) -> int:
    """Email every pending notification of one event; return how many were sent."""
    pending = Notification.objects.filter(
        event_key=event_key, email_status=Email.PENDING
    ).select_related("recipient")
    return sum(_send_one(n) for n in pending)


def notifications_sweep(*, now: datetime.datetime | None = None) -> int:
    """Send what the broker never received, and retry claims of workers that died."""
    now = now or timezone.now()
    # A dead digest claim is retried as single emails: late and plural beats lost.
    Notification.objects.filter(
        email_status=Email.SENDING, email_claimed_at__lt=now - STALE_CLAIM
    ).update(email_status=Email.PENDING)
    pending = (
        Notification.objects.filter(email_status=Email.PENDING)
        .select_related("recipient")
        .order_by("created_at", "pk")
    )
    sent = 0
    for notification in pending:
        try:
            sent += _send_one(notification)
        except Exception:
            logger.exception("notification %s: email failed, left pending", notification.pk)
    return sent


def notifications_send_digests(*, now: datetime.datetime | None = None) -> int:
    """One email per user holding digest notifications: everything since the last digest."""
    now = now or timezone.now()
    due = (
        Notification.objects.filter(email_status=Email.DIGEST, created_at__lte=now)
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in due:
        by_user[notification.recipient_id].append(notification)
    sent = 0
    for items in by_user.values():
        pks = [n.pk for n in items]
        if not _claim(pks, Email.DIGEST):
            continue
        recipient = items[0].recipient
        try:
            _send(
                template="notification_digest",
                to=recipient.email,
                context={
                    "recipient": recipient,
                    "rows": [(n, _absolute(n.url)) for n in items],
                    "list_url": _absolute(reverse("kotan:notification-list")),
                    "settings_url": _absolute(reverse("kotan:notification-settings")),
                },
            )
        except Exception:
            logger.exception("digest for user %s failed, left for the next run", recipient.pk)
            Notification.objects.filter(pk__in=pks).update(email_status=Email.DIGEST)
            continue
        Notification.objects.filter(pk__in=pks).update(email_status=Email.SENT, emailed_at=now)
        sent += 1
    return sent


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read, or all of them when no id is given."""
    unread = Notification.objects.for_user(user).unread()
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def notification_preferences_save(*, user: User, email_mode: str) -> User:
    user.email_notifications = email_mode
    user.save(update_fields=["email_notifications"])
    return user


def city_users(city_id: int, *roles: str) -> list[User]:
    """Active users of a city holding one of `roles`: recipients of city-wide events."""
    return list(User.objects.filter(city_id=city_id, role__in=roles, is_active=True))


def officers_of(stakeholder_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(
            Q(stakeholder_id__in=list(stakeholder_ids)),
            role=User.Role.PEMANGKU,
            is_active=True,
        )
    )
