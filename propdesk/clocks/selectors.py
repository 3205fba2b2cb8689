"""Reads of clocks: compliance per rule per month, from stored clocks by one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q

from propdesk.clocks.models import Clock, ClockState
from propdesk.community.models import Community


@dataclass(frozen=True)
class RuleCompliance:
    rule_id: str
    title: str
    started: int
    met: int  # met in time
    breached: int  # missed, whether met late or not at all
    running: int
    cancelled: int

    @property
    def compliance(self) -> Decimal | None:
        """Met in time / (met + breached), in percent to one decimal; None until one is decided."""
        decided = self.met + self.breached
        if not decided:
            return None
        return (Decimal(100 * self.met) / decided).quantize(Decimal("0.1"), ROUND_HALF_UP)


def month_bounds(community: Community, year: int, month: int) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next, in the community's time zone."""
    zone = ZoneInfo(community.time_zone)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return start, end


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
