"""What the convenience services share: the roles that serve at the front desk and the cart."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from propdesk.policy.workflow import OFFICE_ROLES, Role

# Who lends and takes back the cart's items, and logs a concierge request: the front desk, the
# office and the concierges.
DESK_ROLES = OFFICE_ROLES | {Role.CONCIERGE}


def locked(qs: QuerySet) -> QuerySet:  # type: ignore[type-arg]
    """Rows for one worker at a time: ``FOR UPDATE SKIP LOCKED`` where the database has it
    (PostgreSQL); SQLite has one writer at a time."""
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs
