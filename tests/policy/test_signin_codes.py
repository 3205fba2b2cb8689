"""The portal's code limits as plain arithmetic (no database): 1 a minute, 5 an hour, 10 a day,
at their boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from propdesk.policy.signin import (
    DEFAULT_LIMITS,
    Limit,
    new_code,
    parse_limits,
    wait_parts,
    wait_seconds,
)

T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("now", "wait"),
    [(at(59), 1), (at(59.5), 1), (at(60), 0), (at(61), 0)],
)
def test_one_a_minute_boundary(now: datetime, wait: int) -> None:
    assert wait_seconds([T0], now, DEFAULT_LIMITS) == wait


def test_five_an_hour_counts_from_the_oldest_of_the_five() -> None:
    sent = [at(i * 120) for i in range(5)]  # 0, 2, 4, 6, 8 minutes
    # One second before the first leaves the hour: still five inside, 1 s to wait.
    assert wait_seconds(sent, at(3599), DEFAULT_LIMITS) == 1
    assert wait_seconds(sent, at(3600), DEFAULT_LIMITS) == 0
    assert wait_seconds(sent, at(600), DEFAULT_LIMITS) == 3000


def test_ten_a_day() -> None:
    sent = [at(i * 3600) for i in range(10)]  # one an hour, from T0
    day = 86400
    assert wait_seconds(sent, at(day - 1), DEFAULT_LIMITS) == 1
    assert wait_seconds(sent, at(day), DEFAULT_LIMITS) == 0


def test_nothing_sent_waits_nothing() -> None:
    assert wait_seconds([], T0, DEFAULT_LIMITS) == 0


def test_limits_from_settings_text() -> None:
    assert parse_limits("") == DEFAULT_LIMITS
    assert parse_limits("2/30, 4/600") == (Limit(2, 30), Limit(4, 600))


def test_codes_are_six_digits_with_leading_zeros_kept() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 150


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (1, ("seconds", 1)),
        (59, ("seconds", 59)),
        (60, ("minutes", 1)),
        (61, ("minutes", 2)),
        (3599, ("minutes", 60)),
        (3600, ("hours", 1)),
        (3601, ("hours", 2)),
    ],
)
def test_how_a_wait_is_said(seconds: int, said: tuple[str, int]) -> None:
    assert wait_parts(seconds) == said
