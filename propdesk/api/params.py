"""Query parameters of the API read one way: a whole number that fits a database id, or a
structured 400 naming the parameter (an integer over 2^63 reached SQLite as a 500, issue 12)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

LIMIT = 2**63


def int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValidationError({name: [_("Must be a whole number.")]}) from exc
    if not -LIMIT < value < LIMIT:
        raise ValidationError({name: [_("Must be a whole number.")]})
    return value
