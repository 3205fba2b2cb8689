"""The outbox's periodic work, run by the worker, each job at its own interval."""

from __future__ import annotations

from datetime import datetime

from propdesk.core.jobs import periodic_job
from propdesk.notify.residents import resident_messages_deliver
from propdesk.notify.services import (
    delivery_records_purge,
    notifications_deliver,
    notifications_purge,
)


# Every WORKER_INTERVAL_SECONDS: the bell, e-mail, SMS and EM-1 alerts go out at once.
@periodic_job("notify.deliver")
def deliver(now: datetime) -> int:
    report = notifications_deliver(now=now)
    # Residents' text messages (issue 13) ride the same tick: one batch each time.
    return report.sent + resident_messages_deliver(now=now)


# A minute: rows kept 180 days go a minute later at most; nobody reads them once done.
@periodic_job("notify.purge", every=60)
def purge(now: datetime) -> int:
    """The staff's read notifications are deleted once read longer ago than
    settings.NOTIFICATION_RETENTION_DAYS, in short batches; unread ones never. The delivery
    records (e-mail, SMS, webhook; the residents' text messages) once done with and older than
    settings.NOTIFICATION_DELIVERY_RETENTION_DAYS; pending ones never."""
    return notifications_purge(now=now) + sum(delivery_records_purge(now=now).values())
