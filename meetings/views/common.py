"""Helpers shared by the meeting and action views."""

from __future__ import annotations

from django.db.models import Model

from kotan.models import AuditEntry, User

HISTORY_LENGTH = 30


def history(user: User, obj: Model) -> list[AuditEntry]:
    """The latest changes to `obj`, for the history panel beside it."""
    return list(
        AuditEntry.objects.for_user(user).for_object(obj).select_related("actor")[:HISTORY_LENGTH]
    )
