"""CS-3 每季度社区活动 as the engine sees it, without a database: Chinese calendar quarters in
the community's time zone, the quarter's deadline, its warning from the policy, an activity held
meets it, the next quarter's start closes it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.deadlines import quarter_number, quarter_of
from propdesk.policy.engine import Cancel, Facts, Meet, Running, Start, react, start_clock
from propdesk.policy.rules import PolicyError, load_policy

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar()


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    ("day", "first", "last", "number"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31), 1),
        (date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31), 1),
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30), 2),
        (date(2026, 9, 30), date(2026, 7, 1), date(2026, 9, 30), 3),
        (date(2026, 10, 1), date(2026, 10, 1), date(2026, 12, 31), 4),
        (date(2026, 12, 31), date(2026, 10, 1), date(2026, 12, 31), 4),
        (date(2028, 2, 29), date(2028, 1, 1), date(2028, 3, 31), 1),
    ],
)
def test_cs3_calendar_quarters(day: date, first: date, last: date, number: int) -> None:
    assert quarter_of(day) == (first, last)
    assert quarter_number(day) == number


def _start(at: datetime, overrides: dict | None = None) -> Start:
    policy = load_policy(overrides)
    return start_clock("CS-3", policy.rule("CS-3"), at=at, policy=policy, calendar=CAL)


def test_cs3_the_quarter_is_due_at_its_last_days_end_in_shanghai() -> None:
    # 2026-09-30 16:00 UTC is already 10-01 00:00 in Shanghai: the fourth quarter.
    s = _start(datetime(2026, 9, 30, 16, 0, tzinfo=UTC))
    assert s.due_at == sh(2026, 12, 31, 23, 59, 59)
    # One second earlier, still the third quarter there.
    s = _start(datetime(2026, 9, 30, 15, 59, 59, tzinfo=UTC))
    assert s.due_at == sh(2026, 9, 30, 23, 59, 59)


def test_cs3_warning_time_comes_from_the_policy() -> None:
    s = _start(sh(2026, 10, 1))
    assert s.warn_at == sh(2026, 12, 31, 23, 59, 59) - timedelta(days=30)
    s = _start(sh(2026, 10, 1), {"clocks": {"CS-3": {"warn_before_minutes": 20160}}})
    assert s.warn_at == sh(2026, 12, 31, 23, 59, 59) - timedelta(days=14)


def test_cs3_a_quarterly_quota_without_a_target_is_refused() -> None:
    with pytest.raises(PolicyError, match="target"):
        load_policy({"clocks": {"CS-3": {"target": None}}})


def _running(target: int = 1, progress: frozenset[str] = frozenset()) -> Running:
    policy = load_policy({"clocks": {"CS-3": {"target": target}}})
    return Running(7, "CS-3", policy.rule("CS-3"), progress=progress)


def test_cs3_an_activity_held_meets_the_quarter() -> None:
    policy = load_policy()
    facts = Facts("activity_held", sh(2026, 12, 31, 23, 59), subject="activity:1")
    assert react(policy, CAL, facts, [_running()]) == [Meet(7, "CS-3", facts.at)]


def test_cs3_two_activities_a_quarter_when_the_policy_says_two() -> None:
    policy = load_policy({"clocks": {"CS-3": {"target": 2}}})
    first = Facts("activity_held", sh(2026, 11, 1), subject="activity:1")
    (progress,) = react(policy, CAL, first, [_running(2)])
    assert not isinstance(progress, Meet)
    again = Facts("activity_held", sh(2026, 12, 1), subject="activity:2")
    done = react(policy, CAL, again, [_running(2, frozenset({"activity:1"}))])
    assert done == [Meet(7, "CS-3", again.at)]


def test_cs3_the_next_quarter_closes_the_last_and_starts_its_own() -> None:
    policy = load_policy()
    facts = Facts("quarter_start", sh(2027, 1, 1))
    commands = react(policy, CAL, facts, [_running()])
    assert commands[0] == Cancel(7, "CS-3", "quarter_start")
    assert isinstance(commands[1], Start)
    assert commands[1].due_at == sh(2027, 3, 31, 23, 59, 59)
