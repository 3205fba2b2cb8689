"""Writes of emergencies (EM-1, EM-2): logging one, acknowledging, checking in on site, resolving,
and the repeat of unacknowledged alerts that widens to the deputies.

Every function takes an aware ``now`` and runs in one transaction: the work order, the emergency,
its responders, their outbox notifications, their EM-2 clocks and the work order's events are
written together or not at all.
"""

from propdesk.incidents.services._common import (
    EMERGENCY_KIND,
    ROSTER_GAP_KIND,
    Call,
    RosterGap,
    emergency_policy,
    responders_for,
)
from propdesk.incidents.services.duplicates import DUPLICATE_WINDOW, DuplicateEmergency
from propdesk.incidents.services.emergencies import (
    emergency_acknowledge,
    emergency_check_in,
    emergency_log,
    emergency_resolve,
)
from propdesk.incidents.services.repeat import RepeatReport, emergencies_repeat

__all__ = [
    "DUPLICATE_WINDOW",
    "EMERGENCY_KIND",
    "ROSTER_GAP_KIND",
    "Call",
    "DuplicateEmergency",
    "RepeatReport",
    "RosterGap",
    "emergencies_repeat",
    "emergency_acknowledge",
    "emergency_check_in",
    "emergency_log",
    "emergency_policy",
    "emergency_resolve",
    "responders_for",
]
