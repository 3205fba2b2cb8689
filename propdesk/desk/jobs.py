"""The desk's periodic work, run by the worker every tick."""

from __future__ import annotations

from datetime import datetime

from propdesk.core.jobs import periodic_job
from propdesk.desk.services.telling import announcements_purge, announcements_tell


@periodic_job("desk.tell", before="notify.deliver")
def tell(now: datetime) -> int:
    """Issue 15: the staff hear of work orders and contacts (the announcements' fan-out) before
    the outbox is delivered in the same tick."""
    return announcements_tell(now=now)


@periodic_job("desk.purge")
def purge(now: datetime) -> int:
    """The announcements done longer ago than settings.ANNOUNCEMENT_RETENTION_DAYS are deleted,
    in short batches; pending and given-up rows stay."""
    return announcements_purge(now=now)
