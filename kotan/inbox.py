"""The "Tugas saya" inbox: what each role has to do now, as counts that link to lists.

The core knows nothing of the apps (reports → meetings → indicators → kotan), so each app
registers a provider in its AppConfig.ready(); the home page and the navigation ask them
all. A provider runs a fixed number of queries whatever the amount of data (asserted in
tests/kotan/test_inbox.py), and returns nothing for roles it has no task for.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from kotan.models import User


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


Provider = Callable[[User, datetime.date], list[InboxItem]]

_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def inbox_for(user: User, today: datetime.date) -> list[InboxItem]:
    items: list[InboxItem] = []
    for provider in _PROVIDERS:
        items.extend(provider(user, today))
    return items
