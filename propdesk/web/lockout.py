"""What a locked-out login gets, on every door (django-axes calls these; see settings "Login
throttling"): the console and the back office a page, the token login JSON in the API's error
shape; both say, in the user's language, how long to wait, with a Retry-After header."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from propdesk.core import clients
from propdesk.core.clients import limit_address

LOCKED_OUT = 429
# What django-axes stores of a login's username (AccessAttempt.username, varchar(255)).
USERNAME_STORED = 255


def login_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The username a login try is counted under: as typed, cut to what axes stores. A longer one
    (no account has one: User.username is 150) was refused by PostgreSQL, a 500 on every door
    (console, back office, token login), where the try is a wrong password like any other."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")  # axes's default
    if credentials:
        typed = credentials.get(field)
    else:
        typed = getattr(request, "data", request.POST).get(field)
    return typed[:USERNAME_STORED] if isinstance(typed, str) else typed


def client_ip(request: HttpRequest) -> str | None:
    """The address a login comes from (settings.CLIENT_IP_HEADER when set, behind a reverse
    proxy that sets it), counted as the residents' sign-in codes count it: an IPv6 client by its
    /64 (propdesk.core.clients)."""
    return limit_address(clients.client_ip(request)) or None


def wait_minutes() -> int:
    """Minutes until a lockout ends: the whole cool-off, which each refused try starts again."""
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message() -> str:
    return _(
        "Too many wrong passwords for this account from this address: signing in is locked "
        "for %(minutes)d minutes. Please wait %(minutes)d minutes and try again, or ask the "
        "office head to unlock it."
    ) % {"minutes": wait_minutes()}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    message = lockout_message()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "error": {
                    "code": "locked_out",
                    "message": message,
                    "retry_after_seconds": wait_minutes() * 60,
                }
            },
            status=LOCKED_OUT,
        )
    else:
        response = render(
            request,
            "web/locked_out.html",
            {"message": message, "back": request.path},
            status=LOCKED_OUT,
        )
    response["Retry-After"] = str(wait_minutes() * 60)
    return response
