from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from kotan.mfa.services import mfa_enrolled, mfa_required

# Pages a user between the password and the second step may still open.
_OPEN_URL_NAMES = frozenset({"login", "logout", "set-language", "healthz"})


class MfaRequiredMiddleware:
    """A user of a role that requires two-step login reaches no page but the MFA pages (and
    logout) until the session is verified: to `mfa:verify`, or to `mfa:enrol` without a
    device. Must come after django_otp's OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not mfa_required(user) or user.is_verified():  # type: ignore[union-attr]
            return None
        match = request.resolver_match
        if match is None or match.namespace == "mfa" or match.url_name in _OPEN_URL_NAMES:
            return None
        target = "mfa:verify" if mfa_enrolled(user) else "mfa:enrol"  # type: ignore[arg-type]
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(target)}?{query}")
