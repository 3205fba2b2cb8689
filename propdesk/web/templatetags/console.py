"""Template helpers of the console: a clock as a countdown chip."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils.translation import gettext as _

from propdesk.clocks.models import Clock, ClockState

register = template.Library()


def _span(seconds: float) -> str:
    s = abs(int(seconds))
    d, h, m, sec = s // 86400, s % 86400 // 3600, s % 3600 // 60, s % 60
    if d:
        return f"{d}d {h}h"
    if h:
        return f"{h}h {m:02d}m"
    return f"{m}:{sec:02d}"


@register.inclusion_tag("web/partials/clock.html")
def clock_chip(clock: Clock, now: datetime) -> dict[str, Any]:
    """Green while running, amber from the warning time, red once due or breached."""
    left = (clock.due_at - now) / timedelta(seconds=1)
    breached = clock.state == ClockState.BREACHED or left <= 0
    amber = not breached and clock.warn_at is not None and now >= clock.warn_at
    return {
        "clock": clock,
        "css": "red" if breached else ("amber" if amber else ""),
        "text": ("+" if left <= 0 else "") + _span(left),
        "over": "+",
    }


@register.filter
def local(value: datetime | None, tz: str) -> datetime | None:
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(tz)) if value else None


@register.simple_tag
def overdue_label() -> str:
    return _("overdue")
