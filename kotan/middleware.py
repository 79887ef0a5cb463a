"""Language choice (Bahasa Indonesia unless the user picked English with the switch), and
the refusal of text that cannot be stored."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


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


# A NUL byte (PostgreSQL refuses it in text) or a lone UTF-16 surrogate (no UTF-8 encoding).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable_text(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


class InputHygieneMiddleware:
    """Answers 400 to a request whose path, query string, form fields, file names or cookies
    hold text no database column can store, before any view or session lookup sees it
    (`/wilayah/%00/` once reached PostgreSQL and answered 500). Must come before anything
    reads the session or the user: it checks the cookies first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(has_unstorable_text(k + v) for k, v in request.COOKIES.items()):
            # Plain text: the page template would look the session up with this cookie.
            return HttpResponseBadRequest(_("Cookie tidak sah."), content_type="text/plain")
        if self._unstorable(request):
            return render(request, "400.html", status=400)
        return self.get_response(request)

    @staticmethod
    def _unstorable(request: HttpRequest) -> bool:
        if has_unstorable_text(request.path_info):
            return True
        fields: list[tuple[str, list[Any]]] = list(request.GET.lists())
        if request.method == "POST":
            fields += list(request.POST.lists())
            fields += [
                (name, [upload.name or "" for upload in uploads])
                for name, uploads in request.FILES.lists()
            ]
        return any(
            has_unstorable_text(name) or any(has_unstorable_text(str(v)) for v in values)
            for name, values in fields
        )
