"""Inputs of the API read one way: a query parameter's whole number that fits a database id, or a
structured 400 naming the parameter (an integer over 2^63 reached SQLite as a 500, issue 12); a
body's date and time (DateTimeIn) that fits the calendar in every time zone, or the same 400."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers
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


class DateTimeIn(serializers.DateTimeField):
    """A date and time sent to the API. One DRF cannot place in the community's time zone is the
    field's "out of range" error: 0001-01-01 at midnight in Shanghai is before year 1 in UTC, and
    DRF's own check of it raised OverflowError (a 500; found by the deep fuzz run)."""

    def enforce_timezone(self, value: Any) -> Any:
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


def choice_param(request: Request, name: str, choices: Any) -> str | None:
    """A query parameter that filters by one of ``choices``, or a structured 400 naming it (any
    text reached the database: a NUL there was PostgreSQL's 500; found by the deep fuzz run)."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value: str = serializers.ChoiceField(choices=choices).run_validation(raw)
    except ValidationError as exc:
        raise ValidationError({name: exc.detail}) from exc
    return value
