"""Who may do what (DOMAIN.md §5), in one place per app: this module holds the roles and the
predicates every app builds on; indicators, meetings and reports each have their own
`permissions.py` for their objects.

The rules are django-rules predicates registered as named permissions, so that the same rule
serves a view (`role_required`, `rules.has_perm`), a template (`can.meetings.edit_meetings`,
`{% has_perm "meetings.report_progress" user action as can_report %}`) and a service
(`require(user, "meetings.report_progress", action)`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from kotan.models import User

Role = User.Role
# Every role of a city: all but Admin Pusat, who belongs to no city.
ALL_ROLES = tuple(role for role in Role.values if role != Role.ADMIN_PUSAT)
CITY_STAFF = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR)

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def holds_role(user: object, *roles: str) -> bool:
    """Is `user` an active user holding one of `roles`, of a city (Admin Pusat: of none)?"""
    if not isinstance(user, User) or not user.has_role(*roles):
        return False
    return (user.city_id is None) == (user.role == Role.ADMIN_PUSAT)


def has_role(*roles: str) -> rules.Predicate:
    """A named predicate: `holds_role(user, *roles)`."""

    def check(user: object) -> bool:
        return holds_role(user, *roles)

    return rules.Predicate(check, name=f"has_role({', '.join(roles)})")


def _in_city(user: object, obj: object) -> bool:
    return obj is None or getattr(obj, "city_id", None) == getattr(user, "city_id", None)


# No object (a page, a button), or an object (anything with a `city_id`) of the user's city.
is_in_city = rules.Predicate(_in_city, name="is_in_city")

is_admin = has_role(Role.ADMIN)
is_city_user = has_role(*ALL_ROLES)
is_city_staff = has_role(*CITY_STAFF)
is_officer = has_role(Role.PEMANGKU)
is_admin_pusat = has_role(Role.ADMIN_PUSAT)

rules.add_perm("kotan.use_city", is_city_user)
rules.add_perm("kotan.manage_city", is_admin)
rules.add_perm("kotan.national", is_admin_pusat)


def require(user: User | None, permission: str, obj: Model | None = None) -> None:
    """For services: refuse (PermissionDenied) unless `user` holds `permission` on `obj`.
    No user is the system itself (a job, a command, demo data), which may; so may a
    superuser (the Django admin's own rule)."""
    if user is None or (user.is_active and user.is_superuser):
        return
    if not rules.has_perm(permission, user, obj):
        raise PermissionDenied(permission)


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Anonymous users go to the login page; a logged-in user without one of `roles` (or a
    city role without a city) gets 403."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not holds_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(ViewFunc, login_required(wrapper))

    return decorator
