"""References to other objects in a request body, checked at the door: an id the user may not
see is a field error (the same as a missing one), never a leak or a 500."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from propdesk.community import selectors as reg
from propdesk.community.models import Household, User
from propdesk.core.errors import NotFound


def household_ref(
    user: User, household_id: int | None, field: str = "household"
) -> Household | None:
    """The household ``household_id`` names, if the user may see it; None for no id."""
    if household_id is None:
        return None
    try:
        return reg.access_household(user, household_id, with_residents=False)
    except NotFound as exc:
        raise ValidationError({field: ["No such household."]}) from exc
