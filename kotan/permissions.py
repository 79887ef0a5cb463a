"""Role checks for views: the rules stay visible as decorators on each view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from kotan.models import User

Role = User.Role
ALL_ROLES = tuple(Role.values)
CITY_STAFF = (Role.ADMIN, Role.OPERATOR, Role.VERIFIKATOR)

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Anonymous users go to the login page; a logged-in user without one of `roles`, or
    without a city, gets 403."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or user.city_id is None or not user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(ViewFunc, login_required(wrapper))

    return decorator
