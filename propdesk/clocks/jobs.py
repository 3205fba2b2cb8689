"""The clocks' periodic work, run by the worker, each job at its own interval."""

from __future__ import annotations

from datetime import datetime

from propdesk.clocks.services import calendar_source_check, clocks_sweep
from propdesk.core.jobs import periodic_job

_calendar_checked = False


# Every WORKER_INTERVAL_SECONDS: a breach (EM-2 5 min, CP-1 10 min) escalates within it.
@periodic_job("clocks.sweep")
def sweep(now: datetime) -> int:
    return clocks_sweep(now=now).breached


# A minute: it checks once per process (no-op after); a failed check is tried again a minute on.
@periodic_job("clocks.calendar", every=60)
def calendar(now: datetime) -> int:
    """Once per process: the statutory data can only change with a new install."""
    global _calendar_checked
    if _calendar_checked:
        return 0
    changed = calendar_source_check(now=now)
    _calendar_checked = True
    return changed
