"""The work-order state machine: one declared table, read by services, API and UI alike.

Each action names the states it may start from, the state it leads to (``None`` keeps the state),
the roles allowed to take it, and what it needs. Team roles (team leader, team member) may act only
on orders of their own team; office roles on any order of their community.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache


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
# Who reads residents' names and phones: the office and company leadership.
RESIDENT_ROLES = OFFICE_ROLES | {Role.LEADERSHIP}
# Who reads a community's figures (compliance, satisfaction, the monthly report).
FIGURE_ROLES = frozenset({Role.OFFICE_HEAD, Role.ADMINISTRATOR, Role.LEADERSHIP})

OPEN_STATES = frozenset(
    {State.NEW, State.DISPATCHED, State.ACCEPTED, State.ON_SITE, State.RETURNED, State.REOPENED}
)
FINAL_STATES = frozenset({State.CLOSED, State.CANCELLED})
# The states in which an order's assignee is doing it: accepted (接单) or on site (已到场),
# waiting for the owner or for parts included (the state stays). Before, dispatched to them, it
# waits for them to accept (or to be given on); after, it is completed (完工).
DOING_STATES = frozenset({State.ACCEPTED, State.ON_SITE})


@dataclass(frozen=True)
class Field:
    """One thing an action takes, beside the order's version.

    ``name`` is one of FIELD_NAMES; ``required`` says it must be given; ``kinds`` limits the field
    to orders of those kinds (None: every kind). The service checks it, the API serializer and the
    console form are built from it, and the template shows only these fields.
    """

    name: str
    required: bool = False
    kinds: frozenset[str] | None = None

    def applies_to(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


# What an action may take: a note (the reason or result), the owner reply's channel, the team and
# the person it goes to, materials and fee of a completed job, and the complaint flags.
FIELD_NAMES = ("note", "channel", "team", "assignee", "materials", "fee", "flags", "waiting")

# Kinds whose work is done on site by a team (materials and fee belong to them).
TEAM_WORK_KINDS = frozenset({"repair", "housekeeping"})
# Every kind of order (desk.models.OrderKind); a complaint is answered and handled to the end, not
# checked in on site.
ORDER_KINDS = frozenset(
    {"complaint", "repair", "housekeeping", "consultation", "suggestion", "concierge", "other"}
)


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[State]
    target: State | None
    roles: frozenset[Role]
    fields: tuple[Field, ...] = ()
    kinds: frozenset[str] | None = None  # the order kinds it is for (None: every kind)
    confirm: bool = False  # destructive: the console asks before it is taken

    def leads_to(self, state: State) -> State:
        return self.target if self.target is not None else state

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def fields_for(self, kind: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.applies_to(kind))

    @property
    def needs_note(self) -> bool:
        f = self.field("note")
        return f is not None and f.required

    @property
    def needs_assignee(self) -> bool:
        return self.field("assignee") is not None

    def is_for(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


def _a(
    name: str,
    sources: set[State],
    target: State | None,
    roles: set[Role],
    *fields: Field,
    kinds: set[str] | None = None,
    confirm: bool = False,
) -> Action:
    return Action(
        name,
        frozenset(sources),
        target,
        frozenset(roles),
        tuple(fields),
        frozenset(kinds) if kinds is not None else None,
        confirm,
    )


def _f(name: str, *, required: bool = False, kinds: set[str] | None = None) -> Field:
    assert name in FIELD_NAMES, name
    return Field(name, required, frozenset(kinds) if kinds is not None else None)


NOTE, REASON = _f("note"), _f("note", required=True)
S, R = State, Role
COMPLAINT = {"complaint"}
# Only a repair can be urgent (急修): the office, and the leader of the order's own team, who often
# learn only later that a repair cannot wait (the leak got worse, the owner called back).
URGENT_KINDS = {"repair"}
URGENT_ROLES = set(OFFICE_ROLES) | {R.TEAM_LEADER}
# The table is in the order a person usually takes the actions: the console shows the first one
# a user may take as the usual next step, and cancel last.
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        # An administrator (or the head) takes a complaint in one step: assigned to self and
        # accepted (受理; meets CP-1 like a dispatch); a suggestion (建议) likewise, from
        # 我的待办 (a resident's from the portal waits there for one).
        _a(
            "take",
            {S.NEW, S.RETURNED, S.REOPENED},
            S.ACCEPTED,
            {R.ADMINISTRATOR, R.OFFICE_HEAD},
            NOTE,
            kinds=COMPLAINT | {"suggestion"},
        ),
        # A member takes an order waiting in the team's pool (抢单): the first taker wins.
        _a("claim", {S.DISPATCHED}, S.ACCEPTED, set(TEAM_ROLES), NOTE, kinds=set(TEAM_WORK_KINDS)),
        _a("accept", {S.DISPATCHED}, S.ACCEPTED, set(TEAM_ROLES | OFFICE_ROLES), NOTE),
        _a(
            "check_in",
            {S.ACCEPTED},
            S.ON_SITE,
            set(TEAM_ROLES | OFFICE_ROLES),
            NOTE,
            kinds=set(ORDER_KINDS - COMPLAINT),
        ),
        # A reply to the owner (FD-6, CP-3 … CP-6); the state stays.
        _a(
            "reply",
            set(OPEN_STATES) | {S.RESOLVED, S.FOLLOWED_UP},
            None,
            set(TEAM_ROLES | OFFICE_ROLES),
            _f("channel", required=True),
            REASON,
        ),
        _a(
            "resolve",
            {S.ACCEPTED, S.ON_SITE},
            S.RESOLVED,
            set(TEAM_ROLES | OFFICE_ROLES),
            REASON,
            _f("materials", kinds=set(TEAM_WORK_KINDS)),
            _f("fee", kinds=set(TEAM_WORK_KINDS)),
        ),
        # 跟踪回访 on the order itself: a complaint's (CP-2) and the office's other kinds. A
        # repair's or a housekeeping job's is its 回访 (RV-6, with the owner's satisfaction),
        # recorded as a return visit: marked 已回访 here, it had none, and RV-6 breached on.
        _a(
            "follow_up",
            {S.RESOLVED},
            S.FOLLOWED_UP,
            set(OFFICE_ROLES),
            REASON,
            kinds=set(ORDER_KINDS - TEAM_WORK_KINDS),
        ),
        _a("close", {S.RESOLVED, S.FOLLOWED_UP}, S.CLOSED, {R.ADMINISTRATOR, R.OFFICE_HEAD}, NOTE),
        # The office sends the order to a team (its pool, or one person), or a complaint to an
        # administrator; it may also send on an order already with a team.
        _a(
            "dispatch",
            {S.NEW, S.DISPATCHED, S.RETURNED, S.REOPENED},
            S.DISPATCHED,
            set(OFFICE_ROLES),
            _f("team"),
            _f("assignee"),
            NOTE,
        ),
        # The team leader (or the office) gives it to a member; the state stays.
        # From the pool or from someone else, it now waits for the new person to accept.
        _a(
            "assign",
            {S.DISPATCHED, S.ACCEPTED, S.RETURNED},
            S.DISPATCHED,
            {R.TEAM_LEADER, R.ADMINISTRATOR, R.OFFICE_HEAD},
            _f("assignee", required=True),
            NOTE,
        ),
        # The one who has it gives it to someone else, with the reason (转单); they must accept.
        _a(
            "transfer",
            {S.DISPATCHED, S.ACCEPTED},
            S.DISPATCHED,
            set(TEAM_ROLES | OFFICE_ROLES),
            _f("assignee", required=True),
            REASON,
        ),
        # The weekly progress contact (FD-5, CP-7) and the complaint flags (CP-4, CP-7, FD-5).
        _a(
            "contact_owner",
            set(OPEN_STATES) | {S.RESOLVED},
            None,
            set(OFFICE_ROLES),
            _f("channel", required=True),
            REASON,
        ),
        _a("flag", set(OPEN_STATES), None, set(OFFICE_ROLES), _f("flags", required=True), NOTE),
        # Issue 16: a repair marked urgent (急修) after intake, or unmarked (a mistake, with the
        # reason); the clocks hear ``mark_urgent`` / ``unmark_urgent`` only when it changes.
        _a("mark_urgent", set(OPEN_STATES), None, URGENT_ROLES, NOTE, kinds=URGENT_KINDS),
        _a("unmark_urgent", set(OPEN_STATES), None, URGENT_ROLES, REASON, kinds=URGENT_KINDS),
        # The order waits for the owner or for parts (issue 16): the kind of wait (policy
        # ``waiting``) and the reason; the clocks the kind names pause until the wait ends, by
        # hand or with the next action that moves the order on. The state stays.
        _a(
            "wait",
            {S.ACCEPTED, S.ON_SITE},
            None,
            {R.TEAM_LEADER, R.TEAM_MEMBER, R.ADMINISTRATOR, R.OFFICE_HEAD},
            _f("waiting", required=True),
            REASON,
            kinds=set(TEAM_WORK_KINDS),
        ),
        _a(
            "end_wait",
            {S.ACCEPTED, S.ON_SITE},
            None,
            {R.TEAM_LEADER, R.TEAM_MEMBER, R.ADMINISTRATOR, R.OFFICE_HEAD},
            NOTE,
            kinds=set(TEAM_WORK_KINDS),
        ),
        # Given back with a reason (退单): to the team's pool, or the office.
        _a(
            "return",
            {S.DISPATCHED, S.ACCEPTED},
            S.RETURNED,
            set(TEAM_ROLES | OFFICE_ROLES),
            REASON,
        ),
        _a(
            "reopen",
            {S.RESOLVED, S.FOLLOWED_UP, S.CLOSED},
            S.REOPENED,
            {R.ADMINISTRATOR, R.OFFICE_HEAD},
            REASON,
        ),
        _a(
            "cancel",
            {S.NEW, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.REOPENED},
            S.CANCELLED,
            set(OFFICE_ROLES),
            REASON,
            confirm=True,
        ),
    )
}

# An emergency's order (RULES.md EM-1..3) is stored as a complaint but is none: it has no owner to
# answer (答复), no 跟踪回访 (CP-2) and no weekly call (CP-7). The table refuses them
# (``not_for_emergency``), so the console, the API and the back office refuse them alike. (Its
# marks may be set: they start no complaint clock on an emergency, clocks' own rule.)
COMPLAINT_ONLY_ACTIONS = frozenset({"reply", "follow_up", "contact_owner"})

# What an owner may do to their own household's order from the resident portal, for which kinds:
# reopen a finished repair or housekeeping job (没修好, 部分解决), within the policy's
# ``satisfaction.reopen_within_days`` of 完工 (``owner_may_reopen``). The rest is the office's.
OWNER_ACTIONS: dict[str, frozenset[str]] = {"reopen": TEAM_WORK_KINDS}


class TransitionRefused(Exception):
    """Why an action may not be taken; ``code`` is stable for API clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Situation:
    """What the state machine needs to know of an order and of the person acting on it.

    ``on_team``: the actor leads or belongs to the order's team, or has it. ``is_assignee``: the
    order is with the actor. ``in_pool``: the order waits in its team's pool (a team, nobody yet)
    and the community lets members take from the pool. ``kind``: the order's kind (None: any).
    ``waiting``: the order waits for the owner or for parts (``wait`` until ``end_wait``).
    ``urgent``: the repair is marked urgent (急修). ``leads_team``: the actor leads the order's
    team (its pool is theirs). ``emergency``: the order is an emergency's (EM-1), stored as a
    complaint but none (COMPLAINT_ONLY_ACTIONS are not for it).
    """

    state: State
    roles: frozenset[Role]
    on_team: bool = False
    is_assignee: bool = False
    in_pool: bool = False
    kind: str | None = None
    has_assignee: bool = True
    waiting: bool = False
    urgent: bool = False
    leads_team: bool = False
    emergency: bool = False
    # RV-3: a complaint marked important (a major complaint): its return visit is the head's.
    important: bool = False


# Team members act on what is theirs: only the one who has the order (or the team leader) checks
# in, completes, gives it on (转单) or back (退单), and only an order that is theirs is accepted
# (one from the pool is taken with 抢单). A colleague who lost the race for it does nothing more.
_ASSIGNEE_ONLY = frozenset(
    {"accept", "transfer", "return", "check_in", "resolve", "wait", "end_wait"}
)


def check_action(action_name: str, situation: Situation) -> Action:
    """Return the action if the actor may take it in ``situation``; raise TransitionRefused
    (codes: unknown_action, not_for_kind, not_for_emergency, not_allowed_in_state, not_in_pool,
    in_pool, nobody_assigned, role_not_allowed, already_waiting, not_waiting, already_urgent,
    not_urgent, head_only)."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise TransitionRefused("unknown_action", f"Unknown action: {action_name}")
    sit = situation
    if sit.kind is not None and not action.is_for(sit.kind):
        raise TransitionRefused("not_for_kind", f"{action_name} is not for a {sit.kind}")
    if sit.emergency and action_name in COMPLAINT_ONLY_ACTIONS:
        raise TransitionRefused("not_for_emergency", f"{action_name} is not for an emergency")
    if sit.state not in action.sources:
        raise TransitionRefused(
            "not_allowed_in_state", f"{action_name} is not allowed in {sit.state}"
        )
    if action_name == "wait" and sit.waiting:
        raise TransitionRefused("already_waiting", "The order is already waiting")
    if action_name == "end_wait" and not sit.waiting:
        raise TransitionRefused("not_waiting", "The order is not waiting")
    effective = {r for r in sit.roles if r not in TEAM_ROLES or sit.on_team}
    if action_name == "accept" and sit.in_pool:
        raise TransitionRefused("in_pool", "An order in the team's pool is taken with claim")
    # Nobody has it: nothing to accept or hand on (the office dispatches it); only the leader of
    # the order's team gives an order of the pool back, and then to the office (not the team's
    # work; desk.services.transitions: never back into the leader's own pool).
    leader_gives_back = action_name == "return" and sit.leads_team
    if action_name in _ASSIGNEE_ONLY and not sit.has_assignee and not leader_gives_back:
        raise TransitionRefused("nobody_assigned", f"Nobody has this order to {action_name}")
    if action_name in _ASSIGNEE_ONLY and not sit.is_assignee:
        # A team member acts only on an order that is theirs; the leader and the office on any.
        effective.discard(Role.TEAM_MEMBER)
        if action_name == "accept":
            effective.discard(Role.TEAM_LEADER)
    if not effective & action.roles:
        raise TransitionRefused("role_not_allowed", f"Your role may not {action_name} this order")
    # RV-3: a major complaint's return visit (跟踪回访, which meets CP-2) only by the office head,
    # as followup.services.visit_record refuses it.
    if action_name == "follow_up" and sit.important and Role.OFFICE_HEAD not in effective:
        raise TransitionRefused("head_only", "Only the office head follows up a major complaint")
    # Nothing to change (like a flag the order already has), said only to whoever may change it.
    if action_name == "mark_urgent" and sit.urgent:
        raise TransitionRefused("already_urgent", "The order is already urgent")
    if action_name == "unmark_urgent" and not sit.urgent:
        raise TransitionRefused("not_urgent", "The order is not urgent")
    if action_name == "claim" and not sit.in_pool:
        raise TransitionRefused("not_in_pool", "The order is not waiting in the team's pool")
    return action


def check_transition(
    action_name: str,
    *,
    state: State,
    actor_roles: frozenset[Role],
    actor_on_team: bool,
) -> Action:
    """``check_action`` for an actor who has the order if on its team, of any kind."""
    return check_action(
        action_name,
        Situation(state, actor_roles, on_team=actor_on_team, is_assignee=actor_on_team),
    )


def actions_for(situation: Situation) -> list[str]:
    """The actions the actor may take in ``situation``, the usual next step first (table order),
    cancel last."""
    try:
        return list(_actions_for(situation))
    except TypeError:  # roles given as a set, not a frozenset: not remembered
        return list(_actions_checked(situation))


def _actions_checked(situation: Situation) -> tuple[str, ...]:
    out = []
    for name in ACTIONS:
        try:
            check_action(name, situation)
        except TransitionRefused:
            continue
        out.append(name)
    return tuple(out)


# The table is fixed, so the answer is one per situation: remembered, as every order's page and
# answer asks for it (20 checks, most of them refusals raised and caught).
_actions_for = lru_cache(maxsize=512)(_actions_checked)


def actions_available(state: State, actor_roles: frozenset[Role], actor_on_team: bool) -> list[str]:
    """The actions this actor may take from ``state``, in table order."""
    return actions_for(
        Situation(state, actor_roles, on_team=actor_on_team, is_assignee=actor_on_team)
    )


def owner_may_look_back(*, state: State, kind: str) -> bool:
    """Whether the portal offers the owner to rate the job and to say it is not fixed: a repair
    or housekeeping order once it is done (完工, followed up or closed). The rating and reopening
    pages then say themselves when it is too late or already rated."""
    return kind in OWNER_ACTIONS["reopen"] and state in (
        State.RESOLVED,
        State.FOLLOWED_UP,
        State.CLOSED,
    )


def owner_may_reopen(
    *,
    state: State,
    kind: str,
    resolved_at: datetime | None,
    now: datetime,
    within_days: int,
) -> str:
    """Why the owner may not reopen the order now, as a code ("" when they may): ``not_for_kind``
    (only repair and housekeeping), ``not_allowed_in_state`` (not finished), ``too_late`` (more
    than ``within_days`` after 完工; at exactly that moment it is still allowed). Aware
    datetimes."""
    if kind not in OWNER_ACTIONS["reopen"]:
        return "not_for_kind"
    if state not in ACTIONS["reopen"].sources or resolved_at is None:
        return "not_allowed_in_state"
    if now > resolved_at + timedelta(days=within_days):
        return "too_late"
    return ""
