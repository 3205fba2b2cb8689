"""Errors the services raise. The API turns them into structured JSON, the UI into messages.

Field-level problems are django.core.exceptions.ValidationError with a dict of field → messages.
"""

from __future__ import annotations

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
