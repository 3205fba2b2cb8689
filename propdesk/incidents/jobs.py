"""The emergencies' periodic work, run by the worker every tick."""

from __future__ import annotations

from datetime import datetime

from propdesk.core.jobs import periodic_job
from propdesk.incidents.services import emergencies_repeat


@periodic_job("incidents.repeat")
def repeat(now: datetime) -> int:
    return emergencies_repeat(now=now).repeats
