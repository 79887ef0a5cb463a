"""Helpers shared by the meeting and action views."""

from __future__ import annotations

from django.db.models import Model

from kotan.lib.history import HistoryItem, readable_history
from kotan.models import AuditEntry, User

HISTORY_LENGTH = 30


def history(user: User, obj: Model) -> list[HistoryItem]:
    """The latest changes to `obj`, for the history panel beside it, as people read them."""
    entries = (
        AuditEntry.objects.for_user(user)
        .for_object(obj)
        .select_related("actor", "content_type")[:HISTORY_LENGTH]
    )
    return readable_history(entries)
