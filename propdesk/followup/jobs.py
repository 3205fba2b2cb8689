"""The follow-up loop's periodic work: each community's monthly visit quota (RV-1) starts at
the first instant of its local month."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max

from propdesk.clocks.models import Clock
from propdesk.community.models import Community
from propdesk.core.jobs import periodic_job
from propdesk.followup.services import monthly_quota_ensure
from propdesk.followup.services._common import month_start as first_instant


# 30 s: the month's RV-1 clock appears within its first minute (started at its first instant).
@periodic_job("followup.month_start", every=30)
def month_start(now: datetime) -> int:
    """Start the month's RV-1 clock of every community that has none yet; returns how many.
    Two queries when every community has its clock (the usual tick)."""
    latest = dict(
        Clock.objects.filter(
            rule_id="RV-1",
            order__isnull=True,
            contact__isnull=True,
            started_at__gte=now - timedelta(days=32),
        )
        .values("community_id")
        .annotate(last=Max("started_at"))
        .values_list("community_id", "last")
    )
    started = 0
    for community in Community.objects.only("id", "time_zone", "policy"):
        last = latest.get(community.pk)
        if last is not None and last >= first_instant(community, now):
            continue
        with transaction.atomic():
            started += monthly_quota_ensure(community=community, now=now)
    return started
