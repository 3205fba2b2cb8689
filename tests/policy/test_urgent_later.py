"""Issue 16, 急修 marked after intake, in the pure engine and the declared table: who may mark
or unmark a repair urgent, and what ``mark_urgent`` / ``unmark_urgent`` do to DS-1-arrival
(started at the marking, cancelled by unmarking, never started by another event or once someone
is on site). No database; ``now`` passed in."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.engine import Cancel, Facts, Meet, Running, Start, react
from propdesk.policy.rules import load_policy
from propdesk.policy.workflow import Role, Situation, State, TransitionRefused, check_action

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar()
ARRIVAL_30 = {
    "clocks": {"DS-1-arrival": {"enabled": True, "duration": {"kind": "minutes", "value": 30}}}
}
POLICY = load_policy(ARRIVAL_30)
T0 = datetime(2026, 11, 26, 10, 20, tzinfo=SH)


def repair(state: str = "dispatched", urgent: bool = True) -> dict[str, object]:
    return {"kind": "repair", "state": state, "is_urgent": urgent, "has_assignee": False}


def react_on(event: str, order: dict[str, object], running=(), policy=POLICY, at=T0) -> list:
    return react(policy, CAL, Facts(event=event, at=at, order=order), list(running))


def arrival(clock_id: int = 7, due: datetime = T0 + timedelta(minutes=30)) -> Running:
    rule = POLICY.clocks["DS-1-arrival"]
    return Running(clock_id=clock_id, rule_id="DS-1-arrival", rule=rule, due_at=due, started_at=T0)


def starts(commands: list) -> list[Start]:
    return [c for c in commands if isinstance(c, Start) and c.rule_id == "DS-1-arrival"]


# --- DS-1-arrival on the new events ---------------------------------------------------------------


@pytest.mark.parametrize("state", ["new", "dispatched", "accepted", "returned", "reopened"])
def test_ds1_arrival_starts_at_the_marking_due_30_minutes_later(state) -> None:
    (start,) = starts(react_on("mark_urgent", repair(state)))
    assert (start.started_at, start.due_at, start.warn_at) == (
        T0,
        T0 + timedelta(minutes=30),
        T0 + timedelta(minutes=20),
    )


def test_ds1_arrival_is_not_started_by_marking_once_someone_is_on_site() -> None:
    assert len(starts(react_on("mark_urgent", repair("accepted")))) == 1
    assert starts(react_on("mark_urgent", repair("on_site"))) == []


def test_ds1_arrival_stays_off_in_the_default_policy() -> None:
    assert len(starts(react_on("mark_urgent", repair()))) == 1
    assert starts(react_on("mark_urgent", repair(), policy=load_policy())) == []


def test_ds1_arrival_is_not_started_by_a_flag_or_another_event_on_an_urgent_repair() -> None:
    """The mark is a fact of every later event: only ``mark_urgent`` (and ``create``) start it,
    so a flag, a reply or a wait after 签到 met it starts nothing."""
    assert len(starts(react_on("mark_urgent", repair("accepted")))) == 1
    for event in ("flag", "reply", "dispatch", "wait_start", "wait_end", "appoint", "urge"):
        assert starts(react_on(event, repair("accepted"))) == [], event


def test_ds1_arrival_is_cancelled_by_unmarking_and_nothing_starts() -> None:
    commands = react_on("unmark_urgent", repair(urgent=False), running=[arrival()])
    assert commands == [Cancel(7, "DS-1-arrival", "unmark_urgent")]


def test_ds1_arrival_met_by_check_in_then_not_restarted_by_a_flag_or_a_new_marking() -> None:
    met = react_on("check_in", repair("on_site"), running=[arrival()])
    assert Meet(7, "DS-1-arrival", T0) in met and starts(met) == []
    assert starts(react_on("flag", repair("on_site"))) == []
    assert starts(react_on("mark_urgent", repair("on_site"))) == []
    assert len(starts(react_on("mark_urgent", repair("dispatched")))) == 1


def test_a_running_arrival_clock_is_not_started_twice() -> None:
    assert len(starts(react_on("mark_urgent", repair()))) == 1
    assert starts(react_on("mark_urgent", repair(), running=[arrival()])) == []


# --- the declared table ---------------------------------------------------------------------------


def sit(
    roles: set[Role],
    *,
    kind: str = "repair",
    urgent: bool = False,
    on_team: bool = False,
    state: State = State.DISPATCHED,
) -> Situation:
    return Situation(state, frozenset(roles), on_team=on_team, kind=kind, urgent=urgent)


OFFICE = [{Role.RECEPTIONIST}, {Role.ADMINISTRATOR}, {Role.OFFICE_HEAD}]


@pytest.mark.parametrize("roles", [*OFFICE])
def test_the_office_marks_and_unmarks_any_open_repair(roles) -> None:
    assert check_action("mark_urgent", sit(roles)).name == "mark_urgent"
    assert check_action("unmark_urgent", sit(roles, urgent=True)).needs_note


def test_the_team_leader_marks_only_a_repair_of_the_own_team() -> None:
    assert check_action("mark_urgent", sit({Role.TEAM_LEADER}, on_team=True))
    assert check_action("unmark_urgent", sit({Role.TEAM_LEADER}, on_team=True, urgent=True))
    for roles, on_team in [
        ({Role.TEAM_LEADER}, False),
        ({Role.TEAM_MEMBER}, True),
        ({Role.CONCIERGE}, False),
        ({Role.LEADERSHIP}, False),
    ]:
        for name, urgent in (("mark_urgent", False), ("unmark_urgent", True)):
            with pytest.raises(TransitionRefused) as refused:
                check_action(name, sit(roles, on_team=on_team, urgent=urgent))
            assert refused.value.code == "role_not_allowed", (roles, name)


@pytest.mark.parametrize("kind", ["housekeeping", "complaint", "consultation", "other"])
def test_only_a_repair_is_marked_urgent(kind) -> None:
    for name in ("mark_urgent", "unmark_urgent"):
        with pytest.raises(TransitionRefused) as refused:
            check_action(name, sit({Role.OFFICE_HEAD}, kind=kind, urgent=name == "unmark_urgent"))
        assert refused.value.code == "not_for_kind"


def test_nothing_to_change_is_refused_with_its_own_code() -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_action("mark_urgent", sit({Role.ADMINISTRATOR}, urgent=True))
    assert refused.value.code == "already_urgent"
    with pytest.raises(TransitionRefused) as refused:
        check_action("unmark_urgent", sit({Role.ADMINISTRATOR}, urgent=False))
    assert refused.value.code == "not_urgent"


@pytest.mark.parametrize(
    "state", [State.RESOLVED, State.FOLLOWED_UP, State.CLOSED, State.CANCELLED]
)
def test_a_finished_repair_is_not_marked(state) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_action("mark_urgent", sit({Role.OFFICE_HEAD}, state=state))
    assert refused.value.code == "not_allowed_in_state"
