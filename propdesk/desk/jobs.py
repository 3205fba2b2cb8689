"""The desk's periodic work, run by the worker, each job at its own interval."""

from __future__ import annotations

from datetime import datetime

from propdesk.core.jobs import periodic_job
from propdesk.desk.services.telling import announcements_purge, announcements_tell


# Every WORKER_INTERVAL_SECONDS: the staff hear of a new complaint (CP-1 10 min) at once.
@periodic_job("desk.tell", before="notify.deliver")
def tell(now: datetime) -> int:
    """Issue 15: the staff hear of work orders and contacts (the announcements' fan-out) before
    the outbox is delivered in the same tick."""
    return announcements_tell(now=now)


# A minute: a row kept 30 days goes a minute later at most; nobody reads done rows.
@periodic_job("desk.purge", every=60)
def purge(now: datetime) -> int:
    """The announcements done longer ago than settings.ANNOUNCEMENT_RETENTION_DAYS are deleted,
    in short batches; pending and given-up rows stay."""
    return announcements_purge(now=now)
