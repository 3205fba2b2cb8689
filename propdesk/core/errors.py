"""Errors the services raise. The API turns them into structured JSON, the UI into messages.

Field-level problems are django.core.exceptions.ValidationError with a dict of field → messages.
"""

from __future__ import annotations

from django.db.models import CharField, Model
from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response
from django.utils.translation import gettext

from propdesk.policy.messages import PolicyError


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def quiet_log(self) -> tuple[str, str] | None:
        """For a 5xx whose cause is the request, not the server (a search cut off at its time):
        what to log instead of Django's ERROR, (what happened, its facts), never what the user
        typed. None: Django's own logging."""
        return None


def log_answer(exc: ServiceError, *, request: HttpRequest, response: HttpResponse) -> None:
    """Log the answer to ``exc`` once, at WARNING on ``django.request``, where the error says how
    (``quiet_log``): Django logs every 5xx at ERROR, paging an operator for a user's too-broad
    search. The response is marked as logged, so Django does not log it again. The API's error
    handler and the console's views call it alike."""
    quiet = exc.quiet_log()
    if quiet is None:
        return
    what, facts = quiet
    log_response(
        "%s: %s (%s)",
        what,
        request.path,
        facts,
        response=response,
        request=request,
        level="warning",
    )


class NotFound(ServiceError):
    """Missing, or hidden from this user: the two look the same so ids leak nothing."""

    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    """The object changed since the user saw it, or the action does not fit its state."""

    status = 409
    code = "conflict"


def policy_message(exc: PolicyError) -> str:
    """The policy engine's refusal (InvalidPhone, InvalidRoom…) in the reader's language: its
    English msgid translated, then its params filled in."""
    message = gettext(exc.message)
    return message % exc.params if exc.params else message


def too_long(text: str, limit: int, label: str) -> list[str]:
    """The refusal of a text longer than ``limit`` characters (``label`` names the field, in the
    reader's language), with the limit and the text's own length; empty when it fits. A service
    refuses such a text and stores nothing, never cutting it to fit: what was typed is kept on
    the form (DESIGN.md, law 7)."""
    if len(text) <= limit:
        return []
    return [
        gettext("%(label)s: at most %(limit)s characters (this has %(n)s); shorten it.")
        % {"label": label, "limit": limit, "n": len(text)}
    ]


def too_long_for(model: type[Model], field: str, text: str) -> list[str]:
    """``too_long`` for a model's text field: its ``max_length`` the limit, its verbose name the
    label."""
    found = model._meta.get_field(field)
    assert isinstance(found, CharField) and found.max_length, f"{model.__name__}.{field}"
    return too_long(text, found.max_length, str(found.verbose_name))
