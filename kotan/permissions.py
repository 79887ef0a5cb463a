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
ALL_ROLES = tuple(Role.values)
CITY_STAFF = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR)

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def holds_role(user: object, *roles: str) -> bool:
    """Is `user` an active user of a city holding one of `roles`?"""
    return isinstance(user, User) and user.city_id is not None and user.has_role(*roles)


def has_role(*roles: str) -> rules.Predicate:
    """A named predicate: the user is an active user of a city holding one of `roles`."""

    def check(user: object) -> bool:
        return holds_role(user, *roles)

    return rules.Predicate(check, name=f"has_role({', '.join(roles)})")


is_admin = has_role(Role.ADMIN)
is_city_user = has_role(*ALL_ROLES)
is_city_staff = has_role(*CITY_STAFF)
is_officer = has_role(Role.PEMANGKU)

rules.add_perm("kotan.use_city", is_city_user)
rules.add_perm("kotan.manage_city", is_admin)


def require(user: User, permission: str, obj: Model | None = None) -> None:
    """For services: refuse (PermissionDenied) unless `user` holds `permission` on `obj`."""
    if not rules.has_perm(permission, user, obj):
        raise PermissionDenied(permission)


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Anonymous users go to the login page; a logged-in user without one of `roles`, or
    without a city, gets 403."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not holds_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(ViewFunc, login_required(wrapper))

    return decorator
