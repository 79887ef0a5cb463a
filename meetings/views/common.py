"""Helpers shared by the meeting and action views."""

from __future__ import annotations

from django.db.models import Model
from django.http import HttpRequest

from kotan.lib.history import HistoryItem, readable_history
from kotan.models import AuditEntry, User
from kotan.permissions import Role

EDITORS = (Role.ADMIN, Role.OPERATOR)
REOPENERS = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR)
REPORTERS = (Role.ADMIN, Role.OPERATOR, Role.PEMANGKU)
PLANNERS = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR, Role.PIMPINAN)
HISTORY_LENGTH = 30


def current_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def history(user: User, obj: Model) -> list[HistoryItem]:
    """The latest changes to `obj`, for the history panel beside it, as people read them."""
    entries = (
        AuditEntry.objects.for_user(user)
        .for_object(obj)
        .select_related("actor", "content_type")[:HISTORY_LENGTH]
    )
    return readable_history(entries)
