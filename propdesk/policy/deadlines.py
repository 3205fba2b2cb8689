"""Deadline arithmetic: computed once, when a clock starts, in the community's time zone.

Interval arithmetic on the calendar, never second-by-second counting. All datetimes are aware;
results are in the community's zone (compare them freely with UTC datetimes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from propdesk.policy.calendar import WorkingCalendar

if TYPE_CHECKING:
    from propdesk.policy.hours import WorkingHours


class DurationKind(StrEnum):
    MINUTES = "minutes"  # wall clock, 24 h a day, 7 days a week
    SAME_DAY = "same_day"  # end of the office day; after late intake, end of the next day
    DAYS = "days"  # N × 24 h
    WORKING_DAYS = "working_days"  # end of the N-th working day after the start day
    WEEKLY = "weekly"  # recurring: 7 × 24 h from the start, again from each contact
    MONTHLY_QUOTA = "monthly_quota"  # end of the calendar month of the start
    QUARTERLY_QUOTA = "quarterly_quota"  # end of the calendar quarter of the start (CS-3)
    GIVEN = "given"  # the deadline comes with the event (a promise, a rectification date)


class Counting(StrEnum):
    """What a clock counts: wall-clock time, or only the working hours of the order's team
    (班组工作时间, propdesk.policy.hours)."""

    WALL = "wall"
    TEAM_HOURS = "team_hours"


@dataclass(frozen=True)
class OfficeDay:
    """The office's day: when "same day" ends and after which a new request counts as tomorrow's."""

    zone: ZoneInfo
    day_end: time = time(23, 59, 59)
    late_intake: time = time(20, 0)

    def end_of(self, day: date) -> datetime:
        return datetime.combine(day, self.day_end, tzinfo=self.zone)


class DeadlineError(ValueError):
    pass


# The farthest a deadline staff type themselves (kind given: FD-3's promise, CP-5's
# rectification) may lie ahead: the same date next year still fits; 2062 typed for 2026 does not.
GIVEN_DEADLINE_HORIZON = timedelta(days=366)

QUOTA_KINDS = frozenset({DurationKind.MONTHLY_QUOTA, DurationKind.QUARTERLY_QUOTA})


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s calendar quarter (一季度 January to March, 二季度
    April to June, 三季度 July to September, 四季度 October to December). ``day`` is a local
    date: take it in the community's time zone first."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    first = date(day.year, first_month, 1)
    after = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return first, after - timedelta(days=1)


def quarter_number(day: date) -> int:
    """1 to 4: the calendar quarter of a local date."""
    return (day.month - 1) // 3 + 1


def compute_due(
    start: datetime,
    kind: DurationKind,
    value: int,
    *,
    office: OfficeDay,
    calendar: WorkingCalendar,
    given: datetime | None = None,
    hours: WorkingHours | None = None,
) -> datetime:
    """When a clock started at ``start`` is due.

    ``value`` is minutes, days or working days as ``kind`` says (ignored for same day, monthly
    quota and given). ``given`` is the deadline an event brought (kind GIVEN). ``hours``: a
    minutes clock that counts a team's working hours (counting team_hours) counts only those
    (started outside them, it counts from the next opening); None counts the wall clock. Other
    kinds ignore ``hours``.
    """
    if start.tzinfo is None:
        raise DeadlineError("start must be timezone-aware")
    local = start.astimezone(office.zone)
    if kind is DurationKind.MINUTES and hours is not None:
        return hours.add(local, value).astimezone(office.zone)
    if kind is DurationKind.MINUTES:
        return local + timedelta(minutes=value)
    if kind is DurationKind.SAME_DAY:
        day = local.date()
        # After late intake, or once the office day is over (an office whose day ends before
        # its late-intake time, e.g. 18:00): the next day's, never a deadline already past nor
        # one that leaves no time at all (a request at 18:00:00 sharp is tomorrow's).
        if local.time() >= office.late_intake or local.time() >= office.day_end:
            day += timedelta(days=1)
        return office.end_of(day)
    if kind is DurationKind.DAYS:
        return local + timedelta(days=value)
    if kind is DurationKind.WEEKLY:
        return local + timedelta(days=7 * max(value, 1))
    if kind is DurationKind.WORKING_DAYS:
        return office.end_of(calendar.nth_working_day_after(local.date(), value))
    if kind is DurationKind.MONTHLY_QUOTA:
        first_next = (local.replace(day=28) + timedelta(days=4)).replace(day=1)
        return office.end_of(first_next.date() - timedelta(days=1))
    if kind is DurationKind.QUARTERLY_QUOTA:
        return office.end_of(quarter_of(local.date())[1])
    if kind is DurationKind.GIVEN:
        if given is None or given.tzinfo is None:
            raise DeadlineError("this clock needs an aware deadline from its event")
        return given.astimezone(office.zone)
    raise DeadlineError(f"unknown duration kind {kind}")
