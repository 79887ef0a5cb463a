"""The role-aware navigation shown on every page."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kotan.models import User

Role = User.Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: tuple[str, ...]


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Beranda"), "kotan:home", tuple(Role.values)),
    NavItem(_("Indikator"), "indicators:index", tuple(Role.values)),
    NavItem(_("Survei"), "surveys:index", tuple(Role.values)),
    NavItem(_("Rapat & tindak lanjut"), "meetings:index", tuple(Role.values)),
    NavItem(_("Dasbor & laporan"), "reports:index", tuple(Role.values)),
    NavItem(_("Wilayah"), "kotan:region-list", tuple(Role.values)),
    NavItem(_("Pemangku kepentingan"), "kotan:stakeholder-list", tuple(Role.values)),
)


def navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not isinstance(user, User) or user.city_id is None:
        return {"nav_items": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = [
        {"label": item.label, "url": reverse(item.url_name), "active": current == item.url_name}
        for item in NAV_ITEMS
        if user.role in item.roles
    ]
    return {"nav_items": items}
