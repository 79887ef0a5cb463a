"""Language choice (Bahasa Indonesia unless the user picked English with the switch) and
the maintenance page shown while the database is unreachable."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers

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
