"""The service cart's periodic work (CS-1): find the loans overdue now and write each one's
reminder (once), then send the reminders through the SMS gateway."""

from __future__ import annotations

from datetime import datetime

from propdesk.concierge.services.cart import loan_reminders_deliver, loans_remind_overdue
from propdesk.core.jobs import periodic_job


@periodic_job("concierge.cart_overdue")
def cart_overdue(now: datetime) -> int:
    return loans_remind_overdue(now=now)


@periodic_job("concierge.cart_reminders")
def cart_reminders(now: datetime) -> int:
    return loan_reminders_deliver(now=now)
