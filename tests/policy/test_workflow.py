"""The declared state machine, tested without a database."""

from __future__ import annotations

import pytest

from propdesk.policy.workflow import (
    ACTIONS,
    FINAL_STATES,
    Role,
    State,
    TransitionRefused,
    actions_available,
    check_transition,
)

OFFICE = frozenset({Role.RECEPTIONIST})
HEAD = frozenset({Role.OFFICE_HEAD})
MEMBER = frozenset({Role.TEAM_MEMBER})
LEADER = frozenset({Role.TEAM_LEADER})

# The main road of a repair (FD-6, DS-1): it is logged straight into its team's pool
# (dispatched), the leader gives it to a member, who accepts; each step from the state the
# previous one left.
HAPPY_PATH = [
    ("assign", State.DISPATCHED, LEADER, True, State.DISPATCHED),
    ("accept", State.DISPATCHED, MEMBER, True, State.ACCEPTED),
    ("check_in", State.ACCEPTED, MEMBER, True, State.ON_SITE),
    ("resolve", State.ON_SITE, MEMBER, True, State.RESOLVED),
    ("follow_up", State.RESOLVED, OFFICE, False, State.FOLLOWED_UP),
    ("close", State.FOLLOWED_UP, HEAD, False, State.CLOSED),
]


@pytest.mark.parametrize(("action", "state", "roles", "on_team", "target"), HAPPY_PATH)
def test_ds1_main_road_from_new_to_closed(action, state, roles, on_team, target) -> None:
    spec = check_transition(action, state=state, actor_roles=roles, actor_on_team=on_team)
    assert spec.leads_to(state) is target


def test_final_states_allow_nothing_but_reopening_a_closed_order() -> None:
    everyone = frozenset(Role)
    assert actions_available(State.CANCELLED, everyone, True) == []
    assert actions_available(State.CLOSED, everyone, True) == ["reopen"]
    assert {State.CLOSED, State.CANCELLED} == FINAL_STATES


def test_team_roles_count_only_on_their_own_team() -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_transition("accept", state=State.DISPATCHED, actor_roles=MEMBER, actor_on_team=False)
    assert refused.value.code == "role_not_allowed"


def test_team_member_may_not_dispatch_or_close() -> None:
    for action, state in [("dispatch", State.NEW), ("close", State.RESOLVED)]:
        with pytest.raises(TransitionRefused) as refused:
            check_transition(action, state=state, actor_roles=MEMBER, actor_on_team=True)
        assert refused.value.code == "role_not_allowed"


def test_an_action_outside_its_states_is_refused_whoever_asks() -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_transition(
            "resolve", state=State.NEW, actor_roles=frozenset(Role), actor_on_team=True
        )
    assert refused.value.code == "not_allowed_in_state"


def test_unknown_action_is_refused() -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_transition("teleport", state=State.NEW, actor_roles=HEAD, actor_on_team=False)
    assert refused.value.code == "unknown_action"


def test_leadership_reads_but_takes_no_action() -> None:
    assert all(
        actions_available(state, frozenset({Role.LEADERSHIP}), False) == [] for state in State
    )


def test_every_state_is_reachable_from_new() -> None:
    seen, frontier = {State.NEW}, [State.NEW]
    while frontier:
        state = frontier.pop()
        for spec in ACTIONS.values():
            if state in spec.sources and spec.leads_to(state) not in seen:
                seen.add(spec.leads_to(state))
                frontier.append(spec.leads_to(state))
    assert seen == set(State)


def test_reasons_are_required_where_the_office_must_explain() -> None:
    """FD-3: what cannot be done is explained: returning, transferring, cancelling and reopening
    need a note; a reply or a progress contact records what the owner was told; a wait (issue 16)
    says why the order waits; 取消急修 (issue 16) says why the repair is not urgent after all."""
    assert {n for n, a in ACTIONS.items() if a.needs_note} == {
        "return",
        "transfer",
        "resolve",
        "follow_up",
        "reopen",
        "cancel",
        "reply",
        "contact_owner",
        "wait",
        "unmark_urgent",
    }
