"""Building blocks for the permission matrix: each app lists its URLs in
`tests/<app>/matrix.py` as `ROWS`, and tests/test_permission_matrix.py checks them all.

The personas (tests/conftest.py): anonymous; the city's admin, operator, verifikator and
pimpinan; three stakeholder officers — `pemangku` (Kesbangpol, which owns the matrix's
actions and evidence), `pemangku_other` (Bappeda: answers for KL3 with Kesbangpol and for
every stakeholder-level indicator, invited to the matrix's meetings) and
`pemangku_uninvited` (Dinkes: invited to none); an operator of another city; and
`admin_pusat`, the national methodology staff (no city), who gets 403 on every city page
unless a row names it.

The two other officers get what `pemangku` gets unless a row says otherwise: a row about
Kesbangpol's own object names them with `other_orgs=` (usually 404, as for another city).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

ANON_REDIRECT = 302  # login_required sends anonymous users to the login page
OTHER_OFFICERS = ("pemangku_other", "pemangku_uninvited")
CITY_ROLES = ("admin", "operator", "verifikator", "pimpinan", "pemangku", *OTHER_OFFICERS)
PERSONAS = ("anonymous", *CITY_ROLES, "other_city", "admin_pusat")


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
    *,
    anonymous: int = ANON_REDIRECT,
    other_city: int,
    default: int = 403,
    other_orgs: int | None = None,
    admin_pusat: int = 403,
    **by_role: int,
) -> dict[str, int]:
    """Expected statuses: roles named get their value, other city roles `default`; the
    officers of the other organisations get `other_orgs`, else what `pemangku` gets."""
    unknown = set(by_role) - set(CITY_ROLES)
    assert not unknown, f"not a persona: {unknown}"
    table = {role: by_role.get(role, default) for role in CITY_ROLES}
    for officer in OTHER_OFFICERS:
        fallback = table["pemangku"] if other_orgs is None else other_orgs
        table[officer] = by_role.get(officer, fallback)
    table["anonymous"] = anonymous
    table["other_city"] = other_city
    table["admin_pusat"] = admin_pusat
    return table


def everyone(
    status: int = 200,
    *,
    other_city: int | None = None,
    anonymous: int = ANON_REDIRECT,
    other_orgs: int | None = None,
    **by_role: int,
) -> dict[str, int]:
    """Every logged-in persona of a city gets `status`; another city's user gets
    `other_city` (default the same: a list page shows them their own, empty, city); the
    other organisations' officers `other_orgs` (default the same); Admin Pusat 403 (no
    city); roles named their value."""
    return statuses(
        anonymous=anonymous,
        other_city=status if other_city is None else other_city,
        other_orgs=other_orgs,
        **{**dict.fromkeys(CITY_ROLES[:5], status), **by_role},
    )


def every_persona(status: int) -> dict[str, int]:
    """The same status for all, anonymous included (public pages)."""
    return dict.fromkeys(PERSONAS, status)
