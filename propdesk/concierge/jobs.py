"""Periodic work of the convenience services: each community's CS-3 clock starts at the first
instant of its local quarter; the service cart (CS-1) finds the loans overdue now and writes each
one's reminder (once), then sends the reminders through the SMS gateway."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max

from propdesk.clocks.models import Clock
from propdesk.community.models import Community
from propdesk.concierge.services.activities import quarter_quota_ensure, quarter_start
from propdesk.concierge.services.cart import loan_reminders_deliver, loans_remind_overdue
from propdesk.core.jobs import periodic_job


# 30 s: the quarter's CS-3 clock appears within its first minute (started at its first instant).
@periodic_job("concierge.quarter_start", every=30)
def activities_quarter_start(now: datetime) -> int:
    """Start the quarter's CS-3 clock of every community that has none yet; returns how many.
    Two queries when every community has its clock (the usual tick)."""
    latest = dict(
        Clock.objects.filter(
            rule_id="CS-3",
            order__isnull=True,
            contact__isnull=True,
            started_at__gte=now - timedelta(days=93),
        )
        .values("community_id")
        .annotate(last=Max("started_at"))
        .values_list("community_id", "last")
    )
    started = 0
    for community in Community.objects.only("id", "time_zone", "policy"):
        last = latest.get(community.pk)
        if last is not None and last >= quarter_start(community, now):
            continue
        with transaction.atomic():
            started += quarter_quota_ensure(community=community, now=now)
    return started


# A minute: a text to a borrower already late; the desk's 超时未还 list reads due_at itself.
@periodic_job("concierge.cart_overdue", every=60)
def cart_overdue(now: datetime) -> int:
    return loans_remind_overdue(now=now)


# A minute: sends what cart_overdue wrote; its retries back off by minutes (1, 2, 4 …).
@periodic_job("concierge.cart_reminders", every=60)
def cart_reminders(now: datetime) -> int:
    return loan_reminders_deliver(now=now)
