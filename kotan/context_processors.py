"""The role-aware navigation shown on every page, and the named permissions for templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kotan.inbox import InboxItem, inbox_for, nav_counts
from kotan.models import User
from kotan.permissions import holds_role

Role = User.Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: tuple[str, ...]
    # Items sharing a group sit in one dropdown, so the bar fits one line at 1366 px.
    group: str | Promise = ""


CITY_ROLES = tuple(role for role in Role.values if role != Role.ADMIN_PUSAT)
NATIONAL = (Role.ADMIN_PUSAT,)
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Tugas saya"), "kotan:home", (*CITY_ROLES, *NATIONAL)),
    NavItem(_("Indikator"), "indicators:index", CITY_ROLES),
    NavItem(_("Survei"), "surveys:index", CITY_ROLES),
    NavItem(_("Kuesioner survei"), "surveys:questionnaire-list", NATIONAL),
    NavItem(_("Metodologi"), "indicators:framework", NATIONAL),
    NavItem(_("Skor semua kota"), "reports:national-scores", NATIONAL),
    NavItem(_("Rapat & tindak lanjut"), "meetings:index", CITY_ROLES),
    NavItem(_("Dasbor & laporan"), "reports:index", CITY_ROLES),
    NavItem(_("Wilayah"), "kotan:region-list", CITY_ROLES, group=_("Data kota")),
    NavItem(_("Pemangku kepentingan"), "kotan:stakeholder-list", CITY_ROLES, group=_("Data kota")),
)


def inbox_items(request: HttpRequest) -> list[InboxItem]:
    """The user's inbox for the home page."""
    user = request.user
    assert isinstance(user, User)
    return inbox_for(user, timezone.localdate())


def navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not isinstance(user, User) or not holds_role(user, *Role.values):
        return {"nav_items": [], "unread_count": 0}
    current = request.resolver_match.view_name if request.resolver_match else ""
    counts = nav_counts(user, timezone.localdate())
    items: list[dict[str, object]] = []
    groups: dict[str, dict[str, object]] = {}
    for item in NAV_ITEMS:
        if user.role not in item.roles:
            continue
        entry: dict[str, object] = {
            "label": item.label,
            "url": reverse(item.url_name),
            "active": current == item.url_name,
            "count": counts.tasks if item.url_name == "kotan:home" else 0,
        }
        if not item.group:
            items.append(entry)
            continue
        key = str(item.group)
        if key not in groups:
            groups[key] = {"label": item.group, "children": [], "active": False}
            items.append(groups[key])
        children = groups[key]["children"]
        assert isinstance(children, list)
        children.append(entry)
        groups[key]["active"] = bool(groups[key]["active"]) or bool(entry["active"])
    return {"nav_items": items, "unread_count": counts.unread}


class Can:
    """`{% if can.meetings.edit_meetings %}`: the apps' named permissions (their
    permissions.py), asked of django-rules alone. Django's `perms` would also ask the model
    backend, which costs two queries a page for every rule that says no."""

    def __init__(self, user: Any, app: str = "") -> None:
        self._user, self._app = user, app

    def __getitem__(self, name: str) -> Any:
        if not self._app:
            return Can(self._user, name)
        return rules.has_perm(f"{self._app}.{name}", self._user)


def permissions(request: HttpRequest) -> dict[str, object]:
    return {"can": Can(request.user)}
