"""``actions_for`` remembers its answer per situation (the table is fixed): every order's page
and answer asks for it, and most of its twenty checks are refusals raised and caught. The
remembered answer is the checked one, for every situation, and a caller's list is its own."""

from __future__ import annotations

import itertools

from propdesk.policy.workflow import (
    ACTIONS,
    Role,
    Situation,
    State,
    TransitionRefused,
    _actions_for,
    actions_for,
    check_action,
)

ROLE_SETS = [
    frozenset(),
    frozenset({Role.RECEPTIONIST}),
    frozenset({Role.ADMINISTRATOR, Role.RECEPTIONIST}),
    frozenset({Role.OFFICE_HEAD}),
    frozenset({Role.TEAM_LEADER}),
    frozenset({Role.TEAM_MEMBER}),
    frozenset({Role.LEADERSHIP}),
]


def checked(situation: Situation) -> list[str]:
    out = []
    for name in ACTIONS:
        try:
            check_action(name, situation)
        except TransitionRefused:
            continue
        out.append(name)
    return out


def test_the_remembered_actions_are_the_checked_ones_in_every_situation() -> None:
    _actions_for.cache_clear()
    for state, roles, kind, flags in itertools.product(
        State, ROLE_SETS, ["repair", "complaint", "housekeeping", None], range(64)
    ):
        on_team, assignee, pool, has, waiting, urgent = ((flags >> i) & 1 == 1 for i in range(6))
        sit = Situation(state, roles, on_team, assignee, pool, kind, has, waiting, urgent)
        assert actions_for(sit) == checked(sit)
        assert actions_for(sit) == checked(sit)  # the second time from memory
    assert _actions_for.cache_info().hits > 0


def test_each_caller_gets_its_own_list() -> None:
    sit = Situation(State.NEW, frozenset({Role.RECEPTIONIST}), kind="complaint")
    first = actions_for(sit)
    first.remove(first[0])
    assert actions_for(sit) == checked(sit)


def test_roles_given_as_a_set_are_answered_unremembered() -> None:
    sit = Situation(State.NEW, {Role.RECEPTIONIST}, kind="repair")  # type: ignore[arg-type]
    assert actions_for(sit) == checked(sit) != []
