"""FD-1 in plain Python: was a call answered within three rings, and when does the call-back of a
missed call start its clock. No Django: the calls app stores calls, this decides about them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from propdesk.policy.rules import CallsPolicy


def ring_ms(ringing_at: datetime | None, answered_at: datetime | None) -> int | None:
    """The ring time in milliseconds (answered − ringing); None when either is unknown. A clock
    skew that puts the answer before the ring counts as 0."""
    if ringing_at is None or answered_at is None:
        return None
    return max(0, (answered_at - ringing_at) // timedelta(milliseconds=1))


def answered_within(policy: CallsPolicy, ring_time_ms: int | None) -> bool:
    """FD-1: answered within ``rings`` ring cycles (15 s at 5 s × 3). Exactly at the limit is
    within; a millisecond later is not. An unknown ring time (no ringing reported) is within:
    nothing says the caller waited."""
    if ring_time_ms is None:
        return True
    return ring_time_ms <= policy.answer_within_seconds * 1000


def callback_start(policy: CallsPolicy, missed_at: datetime, zone: ZoneInfo) -> datetime:
    """When the call-back clock of a call missed at ``missed_at`` starts: at once within office
    hours; else when the office next opens (the same day before opening, the next day after
    closing). Aware in, aware out (in ``zone``)."""
    if missed_at.tzinfo is None:
        raise ValueError("missed_at must be timezone-aware")
    local = missed_at.astimezone(zone)
    hours = policy.office_hours
    opening = datetime.combine(local.date(), hours.start, tzinfo=zone)
    closing = datetime.combine(local.date(), hours.end, tzinfo=zone)
    if local < opening:
        return opening
    if local >= closing:
        return datetime.combine(local.date() + timedelta(days=1), hours.start, tzinfo=zone)
    return local
