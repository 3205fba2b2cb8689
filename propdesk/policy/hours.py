"""Team working hours (班组工作时间): weekly opening intervals on top of the office's calendar,
and the two operations a "team hours" clock needs, by interval arithmetic (never minute by
minute).

Plain Python, no Django. A week gives each weekday (Monday to Sunday) its intervals in local
time: several a day for split shifts, the gap between two of them is the lunch break (午休). An
interval may end at "24:00"; a night shift across midnight is written as two intervals, the
second on the next day's row (e.g. Monday 22:00-24:00 and Tuesday 00:00-06:00), so each day of
the calendar decides for its own part of the shift.

The office's calendar stays the base (``WorkingCalendar``: statutory days, 调休, the office's own
days). Which row a date uses:

- a working day Monday to Friday: its own weekday's row;
- a working Saturday or Sunday (an adjusted working day, 调休, or a day the office itself works):
  Monday's row, the hours of a normal working day;
- an ordinary weekend (a Saturday or Sunday that is no statutory holiday and that the office did
  not close): its own Saturday or Sunday row (a team that works weekends keeps its hours);
- a statutory holiday (法定节假日, on any weekday) or a day the office closed: the ``holiday``
  row, empty unless the team keeps hours on holidays (e.g. a security team around the clock).

All datetimes are aware; the arithmetic is done in UTC, so a zone with daylight saving counts
real elapsed time; results are returned in the team's zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.messages import PolicyError, gettext_noop

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOLIDAY_KEY = "holiday"
ROW_KEYS = (*DAY_KEYS, HOLIDAY_KEY)
DAY_MINUTES = 24 * 60
# How far a search for the next opening may run before the hours are called empty (a year).
_MAX_SCAN_DAYS = 400
_HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")

Interval = tuple[int, int]  # minutes after local midnight, start < end <= 1440


class HoursError(PolicyError):
    """Team hours that cannot be used; ``message`` is an English msgid (see messages.py)."""


def _minutes(text: Any, row: str) -> int:
    match = _HHMM.match(str(text).strip()) if isinstance(text, str) else None
    if match is None:
        raise HoursError(
            gettext_noop("%(day)s: %(value)s is not a time; write it as HH:MM, e.g. 08:30."),
            day=row,
            value=str(text),
        )
    value = int(match[1]) * 60 + int(match[2])
    if value > DAY_MINUTES:
        raise HoursError(
            gettext_noop("%(day)s: %(value)s is not a time; write it as HH:MM, e.g. 08:30."),
            day=row,
            value=str(text),
        )
    return value


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class WeekHours:
    """A team's week: for each weekday (Monday first) and for holidays, the opening intervals in
    minutes after local midnight, in order, not overlapping."""

    days: tuple[tuple[Interval, ...], ...]
    holiday: tuple[Interval, ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> WeekHours:
        """Read ``{"mon": [["08:00", "12:00"], ["13:30", "17:30"]], …, "holiday": []}`` (a
        missing row has no hours). Raises HoursError naming the day and the fault: a time that
        is not HH:MM, an interval that does not end after it starts, intervals out of order or
        overlapping, an unknown row."""
        if not isinstance(data, Mapping):
            raise HoursError(gettext_noop("The working hours must be a week of days."))
        unknown = sorted(set(data) - set(ROW_KEYS))
        if unknown:
            raise HoursError(
                gettext_noop("Unknown day %(day)s; use mon … sun and holiday."),
                day=", ".join(str(u) for u in unknown),
            )
        rows = [cls._row(key, data.get(key) or []) for key in ROW_KEYS]
        return cls(days=tuple(rows[:7]), holiday=rows[7])

    @staticmethod
    def _row(key: str, raw: Any) -> tuple[Interval, ...]:
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            raise HoursError(gettext_noop("%(day)s: give a list of start and end times."), day=key)
        out: list[Interval] = []
        for pair in raw:
            if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
                raise HoursError(
                    gettext_noop("%(day)s: each interval is a start and an end time."), day=key
                )
            start, end = _minutes(pair[0], key), _minutes(pair[1], key)
            if end <= start:
                raise HoursError(
                    gettext_noop("%(day)s: %(start)s-%(end)s must end after it starts."),
                    day=key,
                    start=_fmt(start),
                    end=_fmt(end),
                )
            if out and start < out[-1][1]:
                raise HoursError(
                    gettext_noop(
                        "%(day)s: %(start)s-%(end)s overlaps or comes before the interval "
                        "ending %(previous)s; list the intervals in order."
                    ),
                    day=key,
                    start=_fmt(start),
                    end=_fmt(end),
                    previous=_fmt(out[-1][1]),
                )
            out.append((start, end))
        return tuple(out)

    def to_mapping(self) -> dict[str, list[list[str]]]:
        rows = [*self.days, self.holiday]
        pairs = zip(ROW_KEYS, rows, strict=True)
        return {key: [[_fmt(a), _fmt(b)] for a, b in row] for key, row in pairs}

    @property
    def is_empty(self) -> bool:
        return not any(self.days) and not self.holiday

    def weekly_minutes(self) -> int:
        """Counted minutes in an ordinary week (no holidays)."""
        return sum(b - a for row in self.days for a, b in row)


_PARTS = re.compile(r"[,，、;；\s]+")
_DASH = re.compile(r"\s*(?:-|–|—|~|～|至|到)\s*")


def parse_row_text(key: str, text: str) -> list[list[str]]:
    """One day's intervals as a person types them, "08:30-12:00, 13:30-17:30" (separated by
    commas, 、 or spaces; a dash, ~ or 至 between start and end; empty: no hours), as the
    mapping ``WeekHours.from_mapping`` reads. Raises HoursError naming the day (``key``)."""
    out: list[list[str]] = []
    for part in _PARTS.split(text.strip()):
        if not part:
            continue
        ends = _DASH.split(part)
        if len(ends) != 2:
            raise HoursError(
                gettext_noop(
                    "%(day)s: %(value)s is not an interval; write start-end, e.g. 08:30-12:00."
                ),
                day=key,
                value=part,
            )
        out.append([ends[0].replace("：", ":"), ends[1].replace("：", ":")])
    return out


def statutory_holiday(day: date) -> bool:
    """A statutory holiday (法定节假日, with its name in the statutory data), as opposed to an
    ordinary weekend. A year without statutory data has none."""
    try:
        _is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return False
    return bool(_is_holiday) and name is not None


class WorkingHours:
    """A team's hours on the office's calendar, in the team's (the community's) time zone.

    ``add(start, amount)``: the moment ``amount`` of counted time after ``start``.
    ``counted(a, b)``: the counted time between two moments.
    """

    def __init__(self, week: WeekHours, calendar: WorkingCalendar, zone: ZoneInfo) -> None:
        if week.is_empty:
            raise HoursError(gettext_noop("The working hours have no interval on any day."))
        self.week = week
        self.calendar = calendar
        self.zone = zone

    def row_for(self, day: date) -> tuple[Interval, ...]:
        """The intervals of ``day`` (a local date), as the module docstring says."""
        weekend = day.weekday() >= 5
        if self.calendar.is_working_day(day):
            return self.week.days[0] if weekend else self.week.days[day.weekday()]
        closed_by_office = self.calendar.overrides.get(day) is False
        if weekend and not closed_by_office and not statutory_holiday(day):
            return self.week.days[day.weekday()]
        return self.week.holiday

    def openings(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's opening intervals as UTC datetimes."""
        out = []
        for a, b in self.row_for(day):
            start = self._at(day, a)
            end = self._at(day, b)
            if end > start:  # an interval swallowed by a daylight-saving jump counts nothing
                out.append((start, end))
        return out

    def _at(self, day: date, minutes: int) -> datetime:
        if minutes >= DAY_MINUTES:
            day, minutes = day + timedelta(days=1), minutes - DAY_MINUTES
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)
        return local.astimezone(UTC)

    def _from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Openings that end after ``moment`` (UTC), in order, clipped to start no earlier."""
        day = moment.astimezone(self.zone).date() - timedelta(days=1)
        for _ in range(_MAX_SCAN_DAYS):
            for start, end in self.openings(day):
                if end > moment:
                    yield max(start, moment), end
            day += timedelta(days=1)

    def add(self, start: datetime, amount: timedelta | int) -> datetime:
        """The moment ``amount`` of counted time after ``start`` (an int is minutes). A clock
        started outside the hours starts counting at the next opening; a result that falls at
        the end of an interval stays there (the last counted moment). ``amount`` 0 gives
        ``start`` back. Raises HoursError when no hours are found within a year."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        left = timedelta(minutes=amount) if isinstance(amount, int) else amount
        if left < timedelta(0):
            raise ValueError("amount must not be negative")
        if not left:
            return start.astimezone(self.zone)
        for a, b in self._from(start.astimezone(UTC)):
            if b - a >= left:
                return (a + left).astimezone(self.zone)
            left -= b - a
        raise HoursError(gettext_noop("The working hours have no interval within a year."))

    def counted(self, a: datetime, b: datetime) -> timedelta:
        """The counted time between ``a`` and ``b`` (zero when ``b`` is not after ``a``)."""
        if a.tzinfo is None or b.tzinfo is None:
            raise ValueError("moments must be timezone-aware")
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        total = timedelta(0)
        if b <= a:
            return total
        day = a.astimezone(self.zone).date() - timedelta(days=1)
        last = b.astimezone(self.zone).date()
        while day <= last:
            for start, end in self.openings(day):
                lo, hi = max(start, a), min(end, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def is_open(self, moment: datetime) -> bool:
        """Whether ``moment`` lies within an opening (start included, end excluded)."""
        m = moment.astimezone(UTC)
        day = m.astimezone(self.zone).date()
        return any(s <= m < e for d in (day - timedelta(days=1), day) for s, e in self.openings(d))


def shift_due(
    due: datetime,
    paused_from: datetime,
    paused_to: datetime,
    hours: WorkingHours | None = None,
) -> datetime:
    """The deadline ``due`` moved by a pause from ``paused_from`` to ``paused_to``.

    Wall clock (``hours`` None): by the whole pause. Team hours: by the counted time of the pause
    within the hours, added to ``due`` in counted time (a pause over the lunch break or the
    night moves the deadline only by the working time it took). A pause that ends before it
    starts moves nothing. Aware in, aware out."""
    if due.tzinfo is None or paused_from.tzinfo is None or paused_to.tzinfo is None:
        raise ValueError("moments must be timezone-aware")
    if paused_to <= paused_from:
        return due
    if hours is None:
        return (due.astimezone(UTC) + (paused_to - paused_from)).astimezone(due.tzinfo)
    return hours.add(due, hours.counted(paused_from, paused_to))
