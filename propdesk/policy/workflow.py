"""The work-order state machine: one declared table, read by services, API and UI alike.

Each action names the states it may start from, the state it leads to (``None`` keeps the state),
the roles allowed to take it, and what it needs. Team roles (team leader, team member) may act only
on orders of their own team; office roles on any order of their community.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    NEW = "new"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    ON_SITE = "on_site"
    RESOLVED = "resolved"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    REOPENED = "reopened"


class Role(StrEnum):
    RECEPTIONIST = "receptionist"
    ADMINISTRATOR = "administrator"
    OFFICE_HEAD = "office_head"
    TEAM_LEADER = "team_leader"
    TEAM_MEMBER = "team_member"
    CONCIERGE = "concierge"
    LEADERSHIP = "leadership"


OFFICE_ROLES = frozenset({Role.RECEPTIONIST, Role.ADMINISTRATOR, Role.OFFICE_HEAD})
TEAM_ROLES = frozenset({Role.TEAM_LEADER, Role.TEAM_MEMBER})

OPEN_STATES = frozenset(
    {State.NEW, State.DISPATCHED, State.ACCEPTED, State.ON_SITE, State.RETURNED, State.REOPENED}
)
FINAL_STATES = frozenset({State.CLOSED, State.CANCELLED})


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[State]
    target: State | None
    roles: frozenset[Role]
    needs_note: bool = False  # a reason or a result must be written
    needs_assignee: bool = False  # the action names who takes the order

    def leads_to(self, state: State) -> State:
        return self.target if self.target is not None else state


def _a(
    name: str,
    sources: set[State],
    target: State | None,
    roles: set[Role],
    *,
    needs_note: bool = False,
    needs_assignee: bool = False,
) -> Action:
    return Action(name, frozenset(sources), target, frozenset(roles), needs_note, needs_assignee)


S, R = State, Role
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        # The office sends the order to a team (its leader), or a complaint to an administrator.
        _a(
            "dispatch",
            {S.NEW, S.RETURNED, S.REOPENED},
            S.DISPATCHED,
            set(OFFICE_ROLES),
            needs_assignee=True,
        ),
        # The team leader (or the office) hands it to someone; the state stays.
        _a(
            "assign",
            {S.DISPATCHED, S.ACCEPTED},
            None,
            {R.TEAM_LEADER, R.ADMINISTRATOR, R.OFFICE_HEAD},
            needs_assignee=True,
        ),
        _a("accept", {S.DISPATCHED}, S.ACCEPTED, set(TEAM_ROLES | OFFICE_ROLES)),
        _a(
            "return",
            {S.DISPATCHED, S.ACCEPTED},
            S.RETURNED,
            set(TEAM_ROLES | OFFICE_ROLES),
            needs_note=True,
        ),
        _a("check_in", {S.ACCEPTED}, S.ON_SITE, set(TEAM_ROLES | OFFICE_ROLES)),
        _a(
            "resolve",
            {S.ACCEPTED, S.ON_SITE},
            S.RESOLVED,
            set(TEAM_ROLES | OFFICE_ROLES),
            needs_note=True,
        ),
        _a("follow_up", {S.RESOLVED}, S.FOLLOWED_UP, set(OFFICE_ROLES), needs_note=True),
        _a("close", {S.RESOLVED, S.FOLLOWED_UP}, S.CLOSED, {R.ADMINISTRATOR, R.OFFICE_HEAD}),
        _a(
            "reopen",
            {S.RESOLVED, S.FOLLOWED_UP, S.CLOSED},
            S.REOPENED,
            {R.ADMINISTRATOR, R.OFFICE_HEAD},
            needs_note=True,
        ),
        _a(
            "cancel",
            {S.NEW, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.REOPENED},
            S.CANCELLED,
            set(OFFICE_ROLES),
            needs_note=True,
        ),
        # Actions that keep the state: a reply to the owner (FD-6, CP-3 … CP-6), the weekly
        # progress contact (FD-5, CP-7), and setting the complaint flags (CP-4, CP-7, FD-5).
        _a(
            "reply",
            set(OPEN_STATES) | {S.RESOLVED, S.FOLLOWED_UP},
            None,
            set(TEAM_ROLES | OFFICE_ROLES),
            needs_note=True,
        ),
        _a(
            "contact_owner",
            set(OPEN_STATES) | {S.RESOLVED},
            None,
            set(OFFICE_ROLES),
            needs_note=True,
        ),
        _a("flag", set(OPEN_STATES), None, set(OFFICE_ROLES)),
    )
}


class TransitionRefused(Exception):
    """Why an action may not be taken; ``code`` is stable for API clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_transition(
    action_name: str,
    *,
    state: State,
    actor_roles: frozenset[Role],
    actor_on_team: bool,
) -> Action:
    """Return the action if ``actor_roles`` may take it from ``state``; raise TransitionRefused.

    ``actor_roles`` are the actor's roles in the order's community. ``actor_on_team`` says whether
    the actor leads or belongs to the team the order is with: team roles count only then.
    """
    action = ACTIONS.get(action_name)
    if action is None:
        raise TransitionRefused("unknown_action", f"Unknown action: {action_name}")
    if state not in action.sources:
        raise TransitionRefused("not_allowed_in_state", f"{action_name} is not allowed in {state}")
    effective = {r for r in actor_roles if r not in TEAM_ROLES or actor_on_team}
    if not effective & action.roles:
        raise TransitionRefused("role_not_allowed", f"Your role may not {action_name} this order")
    return action


def actions_available(state: State, actor_roles: frozenset[Role], actor_on_team: bool) -> list[str]:
    """The actions this actor may take from ``state``, in table order."""
    out = []
    for name in ACTIONS:
        try:
            check_transition(
                name, state=state, actor_roles=actor_roles, actor_on_team=actor_on_team
            )
        except TransitionRefused:
            continue
        out.append(name)
    return out
