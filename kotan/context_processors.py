"""The role-aware navigation shown on every page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kotan.inbox import InboxItem, inbox_for
from kotan.models import Notification, User

Role = User.Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: tuple[str, ...]


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Tugas saya"), "kotan:home", tuple(Role.values)),
    NavItem(_("Indikator"), "indicators:index", tuple(Role.values)),
    NavItem(_("Rapat & tindak lanjut"), "meetings:index", tuple(Role.values)),
    NavItem(_("Dasbor & laporan"), "reports:index", tuple(Role.values)),
    NavItem(_("Wilayah"), "kotan:region-list", tuple(Role.values)),
    NavItem(_("Pemangku kepentingan"), "kotan:stakeholder-list", tuple(Role.values)),
)


def inbox_items(request: HttpRequest) -> list[InboxItem]:
    """The user's inbox, computed once per request (the navigation and the home page both
    show it)."""
    cached: list[InboxItem] | None = getattr(request, "_kotan_inbox", None)
    if cached is None:
        user = request.user
        assert isinstance(user, User)
        cached = inbox_for(user, timezone.localdate())
        request._kotan_inbox = cached  # type: ignore[attr-defined]
    return cached


def navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not isinstance(user, User) or user.city_id is None:
        return {"nav_items": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    # Counts of things to do (not of things to know about: those are the bell's).
    task_count = sum(item.count for item in inbox_items(request) if item.tone != "info")
    items = [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "active": current == item.url_name,
            "count": task_count if item.url_name == "kotan:home" else 0,
        }
        for item in NAV_ITEMS
        if user.role in item.roles
    ]
    unread = Notification.objects.for_user(user).unread().count()
    return {"nav_items": items, "unread_count": unread}
