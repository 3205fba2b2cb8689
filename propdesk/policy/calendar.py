"""Working days in China: the statutory calendar with adjusted working weekends (调休), the
office's own days on top, and Monday–Friday for years the calendar has no data for.

Plain Python (no Django). The statutory data comes from the maintained ``chinese_calendar``
package; a year it does not cover falls back to Monday–Friday, is recorded in
``fallback_years`` and logged, and never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import chinese_calendar

log = logging.getLogger(__name__)

# How far a working-day search may run before it is a configuration error (a year of holidays).
_MAX_SCAN_DAYS = 400


def statutory_fingerprint() -> str:
    """Identifies the statutory data in use; when the package brings a new year it changes."""
    years = sorted(
        {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    )
    return (
        f"chinese_calendar {getattr(chinese_calendar, '__version__', '?')} {years[0]}-{years[-1]}"
    )


def fallback_years_between(start: date, end: date) -> list[int]:
    """The years from ``start`` to ``end`` (inclusive) the statutory data does not cover: a
    working-day count over them falls back to Monday–Friday."""
    covered = {d.year for d in chinese_calendar.holidays}
    low, high = min(covered), max(covered)
    return [y for y in range(start.year, end.year + 1) if not low <= y <= high]


class WorkingCalendar:
    """Which days are working days for one office.

    ``overrides`` maps a date to True (the office works that day) or False (the office is
    closed); it wins over the statutory calendar.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self.overrides: dict[date, bool] = dict(overrides or {})
        self.fallback_years: set[int] = set()

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self.fallback_years:
                self.fallback_years.add(day.year)
                log.warning(
                    "No statutory calendar for %s: counting Monday to Friday as working days",
                    day.year,
                )
            return day.weekday() < 5

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th working day after ``day``; ``day`` itself never counts (PRC Civil Code
        art. 201). ``n`` must be at least 1."""
        if n < 1:
            raise ValueError("n must be at least 1")
        found = 0
        current = day
        for _ in range(_MAX_SCAN_DAYS):
            current += timedelta(days=1)
            if self.is_working_day(current):
                found += 1
                if found == n:
                    return current
        raise ValueError(f"no {n} working days within {_MAX_SCAN_DAYS} days after {day}")

    def working_days_between(self, start: date, end: date) -> Iterable[date]:
        """Working days in (start, end]."""
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                yield current
