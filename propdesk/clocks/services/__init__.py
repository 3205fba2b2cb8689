"""Clocks from events, and the sweeper that breaches and escalates them.

``clocks_on_event`` runs inside the transaction of the work-order (or contact) change that caused
it, so a clock starts or stops exactly when its event is written. ``clocks_sweep`` is called by
the worker: it takes only due rows by index, in small batches, and is safe with many workers at
once (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer at a time).
"""

from propdesk.clocks.services.calendar import (
    calendar_day_set,
    calendar_source_check,
    team_hours_changed,
)
from propdesk.clocks.services.events import (
    ClockPlan,
    Written,
    clocks_on_event,
    clocks_plan,
    order_facts,
)
from propdesk.clocks.services.policy import (
    OfficeCalendar,
    clock_hours,
    policy_for,
    policy_overrides,
    team_hours_for,
)
from propdesk.clocks.services.sweeper import SweepReport, clocks_sweep

__all__ = [
    "ClockPlan",
    "OfficeCalendar",
    "SweepReport",
    "Written",
    "calendar_day_set",
    "calendar_source_check",
    "clock_hours",
    "clocks_on_event",
    "clocks_plan",
    "clocks_sweep",
    "order_facts",
    "policy_for",
    "policy_overrides",
    "team_hours_changed",
    "team_hours_for",
]
