"""Reads of clocks: compliance per rule per month, from stored clocks by one aggregate query."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q

from propdesk.clocks.models import Clock, ClockLog, ClockState
from propdesk.community.models import Community
from propdesk.core.replica import replica_reads

# The report's line per rule and its percentage, shared with the what-if replay.
from propdesk.policy.replay import RuleCompliance

__all__ = ["RuleCompliance", "calendar_fallback", "compliance_for_month", "month_bounds"]


def month_bounds(community: Community, year: int, month: int) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next, in the community's time zone."""
    zone = ZoneInfo(community.time_zone)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return start, end


@replica_reads()
def compliance_for_month(community: Community, year: int, month: int) -> list[RuleCompliance]:
    """Per rule: clocks started in the month (community time), by outcome. One query."""
    start, end = month_bounds(community, year, month)
    rows = (
        Clock.objects.filter(community=community, started_at__gte=start, started_at__lt=end)
        .values("rule_id")
        .annotate(
            started=Count("id"),
            met=Count("id", filter=Q(state=ClockState.MET)),
            breached=Count("id", filter=Q(state=ClockState.BREACHED)),
            running=Count("id", filter=Q(state=ClockState.RUNNING)),
            cancelled=Count("id", filter=Q(state=ClockState.CANCELLED)),
            title=Min("title"),
        )
        .order_by("rule_id")
    )
    return [RuleCompliance(**row) for row in rows]


def calendar_fallback(order_ids: Iterable[int], *, live_only: bool = False) -> dict[int, list[int]]:
    """Orders whose clocks count working days Monday–Friday because the statutory calendar has no
    data for a year they span (RULES: "says so in the UI and log"): order id → those years.
    Read from each clock's last start or recomputation in its log (one query); ``live_only``
    keeps only the clocks still to meet, running or breached (a breach met late or cancelled
    since keeps its state, and is done)."""
    qs = ClockLog.objects.filter(order_id__in=list(order_ids), what__in=["started", "recomputed"])
    if live_only:
        qs = qs.filter(
            clock__state__in=[ClockState.RUNNING, ClockState.BREACHED],
            clock__met_at__isnull=True,
            clock__cancelled_at__isnull=True,
        )
    last: dict[int, tuple[int, list[int]]] = {}
    for clock_id, order_id, data in qs.order_by("clock_id", "at", "id").values_list(
        "clock_id", "order_id", "data"
    ):
        last[clock_id] = (order_id, list((data or {}).get("calendar_fallback_years") or []))
    found: dict[int, set[int]] = {}
    for order_id, years in last.values():
        if years:
            found.setdefault(order_id, set()).update(years)
    return {order_id: sorted(years) for order_id, years in found.items()}
