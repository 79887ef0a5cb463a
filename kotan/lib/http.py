"""The request type of views that only logged-in users reach (healthchecks' hc/accounts/http.py).

`role_required` (kotan.permissions) lets only our `User` through, so a view it decorates may
annotate its request as `AuthenticatedHttpRequest` and read `request.user` as a `User`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from kotan.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails  # set by django_htmx's middleware on every request
