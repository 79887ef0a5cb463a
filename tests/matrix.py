"""Building blocks for the permission matrix: each app lists its URLs in
`tests/<app>/matrix.py` as `ROWS`, and tests/test_permission_matrix.py checks them all."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

ANON_REDIRECT = 302  # login_required sends anonymous users to the login page
CITY_ROLES = ("admin", "operator", "verifikator", "pimpinan", "pemangku")


@dataclass(frozen=True)
class Row:
    """One URL: how to build it, how to call it, and the status each persona must get."""

    name: str
    expect: Mapping[str, int]
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda personas: {})
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] = field(default=lambda personas: {})
    query: str = ""


def statuses(
    *, anonymous: int = ANON_REDIRECT, other_city: int, default: int = 403, **by_role: int
) -> dict[str, int]:
    """Expected statuses: roles named get their value, other city roles `default`."""
    table = {role: by_role.get(role, default) for role in CITY_ROLES}
    table["anonymous"] = anonymous
    table["other_city"] = other_city
    return table


def everyone(
    status: int = 200, *, other_city: int | None = None, anonymous: int = ANON_REDIRECT
) -> dict[str, int]:
    """Every logged-in persona gets `status`; another city's user gets `other_city`
    (default the same: a list page shows them their own, empty, city)."""
    return statuses(
        anonymous=anonymous,
        other_city=status if other_city is None else other_city,
        **dict.fromkeys(CITY_ROLES, status),
    )
