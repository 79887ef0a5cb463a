"""The "Tugas saya" inbox: what each role has to do now, as counts that link to lists.

The core knows nothing of the apps (reports → meetings → indicators → kotan), so each app
registers, in its AppConfig.ready():

- a provider of inbox items for the home page (a fixed number of queries per role, asserted
  in tests/kotan/test_inbox.py at two data sizes);
- a counter for the navigation bar: SQL expressions counting the same tasks, which the
  context processor evaluates for all apps in one query, so that every page costs exactly
  one query more whatever the role and the amount of data.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Expression, F, Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from kotan.models import Notification, User


@dataclass(frozen=True)
class InboxItem:
    """One line of the inbox: "12 unit menunggu verifikasi" → the filtered list."""

    key: str  # stable, for tests and anchors: "review-waiting", "actions-overdue"…
    label: str
    count: int
    url: str
    section: str = ""
    # A few examples shown under the count (e.g. returned units with the reason).
    details: tuple[str, ...] = field(default=())
    # Bootstrap colour of the count badge: "danger" for late, "warning" for returned…
    tone: str = "primary"
    # Part of the task count in the navigation (the app's counter counts it too); False for
    # context such as "units not started" or "approved since your last visit".
    counted: bool = True


Provider = Callable[[User, datetime.date], list[InboxItem]]
Counter = Callable[[User, datetime.date], list[Any]]

_PROVIDERS: list[Provider] = []
_COUNTERS: list[Counter] = []


def register(provider: Provider, counter: Counter | None = None) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    if counter is not None and counter not in _COUNTERS:
        _COUNTERS.append(counter)


def inbox_for(user: User, today: datetime.date) -> list[InboxItem]:
    items: list[InboxItem] = []
    for provider in _PROVIDERS:
        items.extend(provider(user, today))
    return items


def count_of(queryset: QuerySet[Any]) -> Expression:
    """An SQL expression counting `queryset`'s rows, to combine in one SELECT."""
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Coalesce(Subquery(counted[:1]), Value(0), output_field=IntegerField())


@dataclass(frozen=True)
class NavCounts:
    tasks: int
    unread: int


def nav_counts(user: User, today: datetime.date) -> NavCounts:
    """The navigation's two badges, in one query: the user's tasks across the apps and
    unread notifications."""
    expressions = [e for counter in _COUNTERS for e in counter(user, today)]
    columns: dict[str, Any] = {f"t{i}": e for i, e in enumerate(expressions)}
    columns["unread"] = count_of(Notification.objects.filter(recipient_id=user.pk).unread())
    row = cast(dict[str, Any], User.objects.filter(pk=user.pk).values(**columns).first() or {})
    return NavCounts(
        tasks=sum(max(int(row.get(f"t{i}") or 0), 0) for i in range(len(expressions))),
        unread=int(row.get("unread") or 0),
    )
