"""Kotan's middleware: the request log with its request id, the language choice (Bahasa
Indonesia unless the user picked English with the switch) and the maintenance page shown
while the database is unreachable."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import empty

from kotan.lib.logs import request_id_var

request_logger = logging.getLogger("kotan.request")
# An id set by the proxy in front is kept, so its log and ours can be joined; anything else
# (too long, odd characters) is replaced by our own.
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
REQUEST_ID_HEADER = "X-Request-ID"


class RequestLogMiddleware:
    """One log line per request (method, path, status, duration, user id) carrying a request
    id, which every other log line of the request carries too (kotan.lib.logs) and which the
    response returns in `X-Request-ID`, so a user's report can be found in the logs. First in
    MIDDLEWARE, so that it also sees static files and the other middleware's answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Cleared when the response is finished (kotan.apps), not here: Django logs a 4xx/5xx
        # response after the middleware returned it, and that line belongs to the request.
        request_id_var.set(request_id)
        started = time.monotonic()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        request_logger.info(
            "%s %s %s %sms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": _user_id(request),
            },
        )
        return response


def _user_id(request: HttpRequest) -> int | None:
    """The user's id if authentication already loaded the user; never a query of its own."""
    user = getattr(request, "user", None)
    loaded = getattr(user, "_wrapped", user)
    if loaded is None or loaded is empty:
        return None
    return getattr(loaded, "pk", None)


logger = logging.getLogger(__name__)

# What psycopg and Django raise while PostgreSQL is down, restarting or failing over.
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


class ChosenLanguageMiddleware:
    """Replaces Django's LocaleMiddleware, which would follow the browser's Accept-Language:
    many officers' phones are set to English, yet the interface must be Indonesian first.
    Only the language cookie written by the switch (django.views.i18n.set_language) counts.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


def database_unavailable_response() -> HttpResponse:
    """The Indonesian 503 page with Retry-After. Rendered without a request context: the
    context processors would read the user, hence the database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    # Logged once as a warning by the caller: django.request would log every request of an
    # outage as an error (and mail ADMINS for each).
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def is_database_error(error: BaseException | None) -> bool:
    """True when `error`, or an error it was raised from, means the database is down."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, DATABASE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


class DatabaseUnavailableMiddleware:
    """A database outage answers 503 with a maintenance page instead of 500.

    Placed after AuthenticationMiddleware: it loads the session and the user here, where
    their failure can be caught (errors inside another middleware never reach a later
    process_exception), and turns the views' database errors into the same page. The rest
    (an error while saving the session, in DEBUG=0) is caught by kotan.views.server_error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request.user.is_authenticated  # noqa: B018  (loads the session and the user)
        except DATABASE_ERRORS as exc:
            return self._unavailable(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_error(exception):
            return self._unavailable(request, exception)
        return None

    @staticmethod
    def _unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
        logger.warning("database unavailable (%s %s): %s", request.method, request.path, exc)
        return database_unavailable_response()
