"""EM-1 and issue 12 (limits): one emergency is called once. When an emergency of the same kind
at the same place (the same household, or the same location text) in the same community was
logged less than a minute ago and is still open, logging it again asks first: the desk either
merges the report into the open one (no second round of calls; the report is recorded on the
open one's work order) or, knowing, logs a separate emergency."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.community.models import Community, Household, User
from propdesk.core.errors import Conflict
from propdesk.incidents.models import Emergency, EmergencyState
from propdesk.incidents.services._common import _order_event

DUPLICATE_WINDOW = timedelta(seconds=60)
ASK, MERGE, FORCE = "", "merge", "force"
CHOICES = (ASK, MERGE, FORCE)


class DuplicateEmergency(Conflict):
    """The same emergency is already open: merge it, or log a separate one knowingly."""

    code = "duplicate_emergency"

    def __init__(self, existing: Emergency) -> None:
        local = timezone.localtime(existing.reported_at).strftime("%H:%M:%S")
        message = _(
            "An emergency of the same kind at the same place was logged less than a minute ago "
            "(%(kind)s at %(location)s, %(number)s, %(time)s). Merge this report into it?"
        ) % {
            "kind": existing.kind_title,
            "location": existing.location,
            "number": existing.order.number,
            "time": local,
        }
        super().__init__(message)
        self.existing = existing
        self.extra: dict[str, Any] = {
            "duplicate_of": existing.pk,
            "choices": [MERGE, FORCE],
        }


def _same_place(location: str) -> str:
    return " ".join(location.split()).casefold()


def emergency_duplicate_of(
    *,
    community: Community,
    kind: str,
    location: str,
    household: Household | None,
    now: datetime,
) -> Emergency | None:
    """The open emergency of this kind at this place logged within the last minute (at most
    DUPLICATE_WINDOW before ``now``, boundary included), if any. The caller holds the
    community's row lock, so two desks logging at once see each other."""
    recent = Emergency.objects.filter(
        community=community,
        kind=kind,
        state=EmergencyState.OPEN,
        reported_at__gte=now - DUPLICATE_WINDOW,
        reported_at__lte=now,
    ).select_related("order")
    place = _same_place(location)
    for emergency in recent.order_by("-reported_at", "-pk"):
        if household is not None and emergency.household_id == household.pk:
            return emergency
        if place and _same_place(emergency.location) == place:
            return emergency
    return None


def emergency_merge(
    existing: Emergency,
    *,
    by: User,
    now: datetime,
    description: str = "",
    caller_name: str = "",
    caller_phone: str = "",
) -> Emergency:
    """Record a second report of ``existing`` on its work order, in the caller's words whole
    (``caller_phone`` as the desk stores one); nobody is called again."""
    note = description.strip() or _("The same emergency was reported again.")
    _order_event(
        existing.order,
        by=by,
        now=now,
        action="emergency_merged",
        note=note,
        emergency=existing.pk,
        caller_name=caller_name.strip(),
        caller_phone=caller_phone.strip(),
    )
    existing.merged = True
    return existing
