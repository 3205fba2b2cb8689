"""Errors the services raise. The API turns them into structured JSON, the UI into messages.

Field-level problems are django.core.exceptions.ValidationError with a dict of field → messages.
"""

from __future__ import annotations

from django.db.models import CharField, Model
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
