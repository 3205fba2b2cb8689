"""The language of each request: Simplified Chinese, the office's language, unless the signed-in
user chose English (``User.language``, set in the console's top bar). What the browser asks for
(Accept-Language, a cookie) does not change the console. The API alone still honours
Accept-Language for a caller who has made no choice (an integration asking for English)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def language_for(request: HttpRequest) -> str:
    """The user's own choice if they made one; else, on the API, what the client asks for; else
    the office's language (settings.LANGUAGE_CODE)."""
    user = getattr(request, "user", None)
    chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    if chosen in LANGUAGE_CODES:
        return chosen
    if request.path.startswith("/api/"):
        asked = translation.get_language_from_request(request)
        if asked in LANGUAGE_CODES:
            return asked
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Activates ``language_for(request)`` for the request (after AuthenticationMiddleware), and
    gives the thread back its language afterwards, so that nothing after the request (a job, the
    next test) speaks the last user's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            # The API switches to a token user's own choice once it knows them (api.authentication).
            answered = translation.get_language() or language
        if request.path.startswith("/api/"):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", answered)
        return response
