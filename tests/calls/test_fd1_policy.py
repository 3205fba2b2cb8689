"""FD-1 in plain Python, no database: the three-ring limit from the policy's ring cycle, and when
a missed call's call-back clock starts (office hours)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from propdesk.policy.calls import answered_within, callback_start, ring_ms
from propdesk.policy.rules import PolicyError, load_policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLS = load_policy().calls


def test_fd1_three_rings_of_5_seconds_is_15_seconds_by_default() -> None:
    assert (CALLS.ring_cycle_seconds, CALLS.rings, CALLS.answer_within_seconds) == (5, 3, 15)


@pytest.mark.parametrize(
    ("ring", "within"),
    [(14_999, True), (15_000, True), (15_001, False), (16_000, False), (None, True)],
)
def test_fd1_answered_at_15_seconds_is_within_one_later_is_not(
    ring: int | None, within: bool
) -> None:
    assert answered_within(CALLS, ring) is within


def test_fd1_the_ring_cycle_comes_from_the_policy() -> None:
    four_second_rings = load_policy({"calls": {"ring_cycle_seconds": 4}}).calls
    assert answered_within(four_second_rings, 12_000)
    assert not answered_within(four_second_rings, 12_001)
    two_rings = load_policy({"calls": {"rings": 2}}).calls
    assert not answered_within(two_rings, 10_001)


def test_fd1_ring_time_is_answered_minus_ringing() -> None:
    rang = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert ring_ms(rang, datetime(2026, 11, 30, 1, 0, 15, 500_000, tzinfo=UTC)) == 15_500
    assert ring_ms(None, rang) is None
    assert ring_ms(rang, None) is None


def test_fd1_a_wrong_calls_policy_names_the_key() -> None:
    with pytest.raises(PolicyError, match=r"calls\.ring_cycle_seconds"):
        load_policy({"calls": {"ring_cycle_seconds": 0}})
    with pytest.raises(PolicyError, match=r"calls\.office_hours"):
        load_policy({"calls": {"office_hours": {"start": "20:00:00", "end": "08:00:00"}}})


@pytest.mark.parametrize(
    ("missed", "starts"),
    [
        ("07:59:59", "08:00:00"),  # before opening: when the office opens
        ("08:00:00", "08:00:00"),  # at opening: at once
        ("19:59:59", "19:59:59"),  # the last second of office hours: at once
    ],
)
def test_fd1_callback_clock_starts_in_office_hours(missed: str, starts: str) -> None:
    at = datetime.fromisoformat(f"2026-11-30T{missed}+08:00")
    assert callback_start(CALLS, at, SHANGHAI) == datetime.fromisoformat(
        f"2026-11-30T{starts}+08:00"
    )


def test_fd1_callback_of_a_call_missed_at_closing_starts_next_morning() -> None:
    at = datetime.fromisoformat("2026-11-30T20:00:00+08:00")
    assert callback_start(CALLS, at, SHANGHAI) == datetime.fromisoformat(
        "2026-12-01T08:00:00+08:00"
    )
