"""The emergencies' periodic work, run by the worker, each job at its own interval."""

from __future__ import annotations

from datetime import datetime

from propdesk.core.jobs import periodic_job
from propdesk.incidents.services import emergencies_repeat


# Every WORKER_INTERVAL_SECONDS: EM-1 repeats a fire alert until each responder acknowledges.
@periodic_job("incidents.repeat")
def repeat(now: datetime) -> int:
    return emergencies_repeat(now=now).repeats
