"""Deadline arithmetic on the real Chinese 2026 calendar, without a database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.deadlines import DeadlineError, DurationKind, OfficeDay, compute_due

SH = ZoneInfo("Asia/Shanghai")
OFFICE = OfficeDay(SH, time(23, 59, 59), time(20, 0))


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def due(start: datetime, kind: DurationKind, value: int = 0, **kw) -> datetime:
    return compute_due(start, kind, value, office=OFFICE, calendar=WorkingCalendar(), **kw)


def test_cp1_minutes_run_round_the_clock() -> None:
    assert due(at(2026, 11, 28, 23, 55), DurationKind.MINUTES, 10) == at(2026, 11, 29, 0, 5)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2026, 11, 26, 9, 0), at(2026, 11, 26, 23, 59, 59)),
        (at(2026, 11, 26, 19, 59, 59), at(2026, 11, 26, 23, 59, 59)),
        (at(2026, 11, 26, 20, 0), at(2026, 11, 27, 23, 59, 59)),  # late intake: tomorrow
        (at(2026, 11, 26, 23, 30), at(2026, 11, 27, 23, 59, 59)),
        (at(2026, 11, 27, 0, 5), at(2026, 11, 27, 23, 59, 59)),
    ],
)
def test_fd6_same_day_before_and_after_the_late_intake(start, expected) -> None:
    assert due(start, DurationKind.SAME_DAY) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2026, 11, 26, 17, 59, 59), at(2026, 11, 26, 18, 0)),
        (at(2026, 11, 26, 17, 59, 59, 999999), at(2026, 11, 26, 18, 0)),  # a moment left
        (at(2026, 11, 26, 18, 0), at(2026, 11, 27, 18, 0)),  # the day's end itself: no time left
        (at(2026, 11, 26, 18, 0, 1), at(2026, 11, 27, 18, 0)),  # the day is over: tomorrow's
        (at(2026, 11, 26, 19, 30), at(2026, 11, 27, 18, 0)),
        (at(2026, 11, 26, 20, 0), at(2026, 11, 27, 18, 0)),
    ],
)
def test_fd6_same_day_started_after_the_office_day_ends_is_tomorrows(start, expected) -> None:
    """FD-6, DS-1, CP-3 … (same day): both times are policy. An office whose day ends at 18:00
    but which keeps late intake at 20:00 must not get a deadline before the request came in (a
    request at 19:30 born breached): from the day's end on it is the next day's, as after late
    intake; a request at 18:00:00 sharp is not due the instant it came in. RULES.md is silent on
    the pair; this is what a real office expects."""
    office = OfficeDay(SH, time(18, 0), time(20, 0))
    got = compute_due(start, DurationKind.SAME_DAY, 0, office=office, calendar=WorkingCalendar())
    assert got == expected
    assert got >= start


def test_same_day_is_the_communitys_day_not_utcs() -> None:
    from datetime import UTC

    start = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # 01:00 on the 27th in Shanghai
    assert due(start, DurationKind.SAME_DAY) == at(2026, 11, 27, 23, 59, 59)


def test_cp2_days_are_calendar_days() -> None:
    assert due(at(2026, 9, 30, 16, 0), DurationKind.DAYS, 3) == at(2026, 10, 3, 16, 0)


@pytest.mark.parametrize(
    ("start", "expected_day"),
    [
        # Friday 2-13, before the Spring Festival (2-15 to 2-23): Saturday 2-14 is an adjusted
        # working day (调休) and counts first; the second is Tuesday 2-24, after the holiday.
        (at(2026, 2, 13, 16, 0), date(2026, 2, 24)),
        # Tuesday 9-29, before National Day (10-1 to 10-7): Wednesday 9-30, then Thursday 10-8.
        (at(2026, 9, 29, 10, 0), date(2026, 10, 8)),
        # Received Friday 10-9: Saturday 10-10 is an adjusted working day (调休), so it counts.
        (at(2026, 10, 9, 9, 0), date(2026, 10, 12)),
        # Received Thursday 10-8: Friday 10-9 and Saturday 10-10 (adjusted working day).
        (at(2026, 10, 8, 9, 0), date(2026, 10, 10)),
        # An ordinary week: Thursday → Monday.
        (at(2026, 11, 26, 9, 0), date(2026, 11, 30)),
    ],
)
def test_cp4_two_working_days_on_the_2026_calendar(start, expected_day) -> None:
    assert due(start, DurationKind.WORKING_DAYS, 2) == datetime.combine(
        expected_day, time(23, 59, 59), tzinfo=SH
    )


def test_cp4_a_year_without_statutory_data_falls_back_to_monday_to_friday(caplog) -> None:
    cal = WorkingCalendar()
    # Thursday 2030-01-03: no data for 2030 in the package; Friday and Monday count.
    assert cal.nth_working_day_after(date(2030, 1, 3), 2) == date(2030, 1, 7)
    assert cal.fallback_years == {2030}
    assert "No statutory calendar for 2030" in caplog.text


def test_office_days_override_the_statutory_calendar() -> None:
    # The office closes on Monday 11-30 (e.g. a local event) and works Sunday 11-29.
    cal = WorkingCalendar({date(2026, 11, 30): False, date(2026, 11, 29): True})
    assert cal.nth_working_day_after(date(2026, 11, 27), 2) == date(2026, 12, 1)


def test_monthly_quota_is_due_at_the_end_of_the_month() -> None:
    assert due(at(2026, 2, 1, 0, 0), DurationKind.MONTHLY_QUOTA) == at(2026, 2, 28, 23, 59, 59)
    assert due(at(2026, 12, 15, 8, 0), DurationKind.MONTHLY_QUOTA) == at(2026, 12, 31, 23, 59, 59)


def test_weekly_is_seven_days_from_each_contact() -> None:
    assert due(at(2026, 11, 26, 15, 0), DurationKind.WEEKLY, 1) == at(2026, 12, 3, 15, 0)


def test_given_deadline_needs_one() -> None:
    with pytest.raises(DeadlineError):
        due(at(2026, 11, 26, 9, 0), DurationKind.GIVEN)
    assert due(at(2026, 11, 26, 9), DurationKind.GIVEN, given=at(2026, 11, 28, 12)) == at(
        2026, 11, 28, 12
    )


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(DeadlineError):
        compute_due(
            datetime(2026, 11, 26, 9),  # noqa: DTZ001 - naive on purpose
            DurationKind.MINUTES,
            10,
            office=OFFICE,
            calendar=WorkingCalendar(),
        )


# hypothesis takes naive bounds and attaches the zone itself.
starts = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001
    max_value=datetime(2026, 12, 20),  # noqa: DTZ001
    timezones=st.just(SH),
)


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=15))
def test_cp4_property_n_working_days_out_is_a_working_day_never_sooner_than_n_days(start, n):
    cal = WorkingCalendar()
    deadline = compute_due(start, DurationKind.WORKING_DAYS, n, office=OFFICE, calendar=cal)
    assert cal.is_working_day(deadline.date())
    assert deadline.date() >= start.date() + timedelta(days=n)
    assert len(list(cal.working_days_between(start.date(), deadline.date()))) == n


@settings(max_examples=300, deadline=None)
@given(a=starts, b=starts, n=st.integers(min_value=1, max_value=10))
def test_cp4_property_later_start_never_earlier_deadline(a, b, n):
    early, late = sorted([a, b])
    cal = WorkingCalendar()
    assert compute_due(early, DurationKind.WORKING_DAYS, n, office=OFFICE, calendar=cal) <= (
        compute_due(late, DurationKind.WORKING_DAYS, n, office=OFFICE, calendar=cal)
    )
