"""Issue 16, waiting states, in the pure engine: which clocks a wait pauses (the policy's
``waiting``: owner_absent 业主不在家, owner_confirm 待业主确认, parts 待料), how a resume moves the
deadline (``shift_due``: by exactly the paused time), and the limit clocks WT-1, WT-2, WT-3."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.engine import (
    EngineError,
    Facts,
    Meet,
    Pause,
    Resume,
    Running,
    Start,
    react,
    resume_clock,
)
from propdesk.policy.hours import WeekHours, WorkingHours, shift_due
from propdesk.policy.rules import PolicyError, load_policy

SH = ZoneInfo("Asia/Shanghai")
POLICY = load_policy()
CAL = WorkingCalendar()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def running(rule_id: str, *, due: datetime, clock_id: int = 1, **kw) -> Running:
    return Running(
        clock_id=clock_id, rule_id=rule_id, rule=POLICY.clocks[rule_id], due_at=due, **kw
    )


def wait(kind: str, when: datetime, clocks: list[Running], policy=POLICY) -> list:
    facts = Facts(event="wait_start", at=when, order={"kind": "repair"}, data={"waiting": kind})
    return react(policy, CAL, facts, clocks)


def test_the_shipped_waiting_kinds_pause_the_repair_clocks_and_are_limited_by_WT_1_2_3() -> None:
    kinds = POLICY.waiting
    assert {k: (v.title, v.limit) for k, v in kinds.items()} == {
        "owner_absent": ("业主不在家", "WT-1"),
        "owner_confirm": ("待业主确认", "WT-2"),
        "parts": ("待料", "WT-3"),
    }
    assert all("DS-1" in k.pauses for k in kinds.values())
    assert not any("CP-1" in k.pauses or "EM-2" in k.pauses for k in kinds.values())


@pytest.mark.parametrize(
    ("override", "says"),
    [
        ({"waiting": {"parts": {"pauses": ["CP-1"]}}}, "CP-1 never pauses"),
        ({"waiting": {"parts": {"pauses": ["EM-2"]}}}, "EM-2 never pauses"),
        ({"waiting": {"parts": {"pauses": ["XX-9"]}}}, "unknown clock XX-9"),
        ({"waiting": {"parts": {"pauses": ["RV-1"]}}}, "RV-1 is a quota"),
        ({"waiting": {"parts": {"limit": "DS-1"}}}, "DS-1 must start on wait_start"),
        ({"waiting": {"parts": {"pauses": ["DS-1", "WT-3"]}}}, "cannot pause itself"),
    ],
)
def test_a_policy_that_pauses_what_must_run_is_refused_naming_the_key(override, says) -> None:
    with pytest.raises(PolicyError, match=says):
        load_policy(override)


def test_WT_3_parts_pauses_DS_1_and_starts_its_limit_clock() -> None:
    ds1 = running("DS-1", due=at(2026, 11, 26, 23, 59, 59))
    commands = wait("parts", at(2026, 11, 26, 15, 0), [ds1])
    assert Pause(1, "DS-1", at(2026, 11, 26, 15, 0), "parts") in commands
    (limit,) = [c for c in commands if isinstance(c, Start)]
    assert (limit.rule_id, limit.due_at) == ("WT-3", at(2026, 11, 29, 15, 0))  # 3 days at most


def test_WT_3_a_clock_the_waiting_kind_does_not_name_keeps_counting() -> None:
    """FD-6 (same-day reply) is paused by 业主不在家 only, not by 待料."""
    fd6 = running("FD-6", due=at(2026, 11, 26, 23, 59, 59))
    assert not [c for c in wait("parts", at(2026, 11, 26, 15, 0), [fd6]) if isinstance(c, Pause)]
    paused = wait("owner_absent", at(2026, 11, 26, 15, 0), [fd6])
    assert Pause(1, "FD-6", at(2026, 11, 26, 15, 0), "owner_absent") in paused


def test_DS_1_a_breached_clock_does_not_pause() -> None:
    ds1 = running("DS-1", due=at(2026, 11, 26, 23, 59, 59), breached=True)
    assert not [c for c in wait("parts", at(2026, 11, 27, 9, 0), [ds1]) if isinstance(c, Pause)]


def test_DS_1_a_clock_past_its_deadline_the_sweeper_has_not_seen_does_not_pause() -> None:
    due = at(2026, 11, 26, 23, 59, 59)
    on_time = wait("parts", due, [running("DS-1", due=due)])
    late = wait("parts", due + timedelta(seconds=1), [running("DS-1", due=due)])
    assert [c for c in on_time if isinstance(c, Pause)]  # at the deadline itself: still in time
    assert not [c for c in late if isinstance(c, Pause)]


def test_an_unknown_waiting_kind_pauses_nothing() -> None:
    ds1 = running("DS-1", due=at(2026, 11, 26, 23, 59, 59))
    assert wait("holiday", at(2026, 11, 26, 15, 0), [ds1]) == []


def test_DS_1_resume_moves_the_deadline_and_the_warning_by_exactly_the_paused_time() -> None:
    due = at(2026, 11, 26, 23, 59, 59)
    ds1 = running("DS-1", due=due, warn_at=due - timedelta(hours=2), paused_at=at(2026, 11, 26, 20))
    end = Facts(event="wait_end", at=at(2026, 11, 27, 9, 30), order={"kind": "repair"})
    (resume,) = react(POLICY, CAL, end, [ds1])
    assert resume == Resume(
        1,
        "DS-1",
        at(2026, 11, 27, 9, 30),
        at(2026, 11, 26, 20),
        at(2026, 11, 27, 13, 29, 59),  # 23:59:59 + 13 h 30 min, across midnight
        at(2026, 11, 27, 11, 29, 59),
    )


def test_DS_1_a_paused_clock_met_while_paused_is_resumed_first_and_met_in_time() -> None:
    due = at(2026, 11, 26, 23, 59, 59)
    ds1 = running("DS-1", due=due, paused_at=at(2026, 11, 26, 20))
    done = Facts(event="resolve", at=at(2026, 11, 27, 10), order={"kind": "repair"})
    commands = react(POLICY, CAL, done, [ds1])
    assert [type(c) for c in commands][:2] == [Resume, Meet]
    assert commands[0].due_at == at(2026, 11, 27, 13, 59, 59) > done.at


def test_a_paused_clock_is_not_paused_again_and_only_a_paused_clock_resumes() -> None:
    ds1 = running("DS-1", due=at(2026, 11, 26, 23, 59, 59), paused_at=at(2026, 11, 26, 15))
    assert not [c for c in wait("parts", at(2026, 11, 26, 16), [ds1]) if isinstance(c, Pause)]
    with pytest.raises(EngineError):
        resume_clock(running("DS-1", due=at(2026, 11, 26, 23, 59, 59)), at(2026, 11, 27))
    # A pause that ends before it begins moves nothing.
    assert shift_due(at(2026, 11, 26, 23), at(2026, 11, 26, 12), at(2026, 11, 26, 11)) == at(
        2026, 11, 26, 23
    )


def test_WT_1_is_met_when_the_wait_ends() -> None:
    wt1 = running("WT-1", due=at(2026, 11, 28, 15, 0))
    end = Facts(event="wait_end", at=at(2026, 11, 27, 9), order={"kind": "repair"})
    assert react(POLICY, CAL, end, [wt1]) == [Meet(1, "WT-1", at(2026, 11, 27, 9))]


instants = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(SH),
)


@given(
    due=instants,
    before=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
    paused=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
    warn=st.one_of(st.none(), st.integers(min_value=1, max_value=10080)),
)
def test_DS_1_property_a_pause_of_d_moves_the_deadline_by_d(due, before, paused, warn) -> None:
    """Wall clock for now: a pause of d moves the deadline (and its warning) by exactly d.
    (A rule counting team hours moves by the counted time instead: the next test.)"""
    start = due - before
    warn_at = None if warn is None else due - timedelta(minutes=warn)
    clock = running("DS-1", due=due, warn_at=warn_at, paused_at=start)
    resumed = resume_clock(clock, start + paused)
    assert resumed.due_at - due == paused
    assert resumed.warn_at == (None if warn_at is None else warn_at + paused)


def test_DS_1_take_a_team_hours_clock_paused_over_the_lunch_break_does_not_move() -> None:
    """A rule with ``counting: team_hours`` (DS-1-take) paused from 12:00 to 13:30, the team's
    lunch break, moves by the counted time of the pause: nothing; paused 11:00 to 14:00, by the
    1 h 30 min worked in it (shift_due with the team's hours)."""
    policy = load_policy({"waiting": {"parts": {"pauses": ["DS-1", "DS-1-take"]}}})
    week = WeekHours.from_mapping(
        {d: [["08:30", "12:00"], ["13:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    )
    hours = WorkingHours(week, CAL, SH)
    due = at(2026, 11, 26, 15, 0)
    rule = policy.clocks["DS-1-take"]
    take = Running(1, "DS-1-take", rule, due_at=due, paused_at=at(2026, 11, 26, 12, 0))
    assert resume_clock(take, at(2026, 11, 26, 13, 30), hours).due_at == due
    take = Running(1, "DS-1-take", rule, due_at=due, paused_at=at(2026, 11, 26, 11, 0))
    assert resume_clock(take, at(2026, 11, 26, 14, 0), hours).due_at == at(2026, 11, 26, 16, 30)
    ds1 = running("DS-1", due=due, paused_at=at(2026, 11, 26, 12, 0))  # wall clock
    assert resume_clock(ds1, at(2026, 11, 26, 13, 30), hours).due_at == at(2026, 11, 26, 16, 30)
