"""The clock engine: from an event and the clocks already running, which clocks start, are met,
progress or are cancelled; and, for the sweeper, what a due clock must do now.

Plain Python, no Django, no database: the clocks app turns these decisions into rows in the same
transaction as the event, and the sweeper into breaches and escalations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.deadlines import QUOTA_KINDS, Counting, DurationKind, compute_due
from propdesk.policy.hours import WorkingHours, shift_due
from propdesk.policy.rules import WAIT_END, WAIT_START, ClockRule, Policy


@dataclass(frozen=True)
class Facts:
    """One event as the engine sees it.

    ``order`` holds the facts of the order (kind, complaint_type, flags, state) after the event;
    ``subject`` names whom or what the event is about when a rule keeps one clock per subject (a
    responder's user id for EM-2, a household for the monthly quota); ``data`` carries what the
    event brought (``promised_at``, ``deadline``, ``due_at``, ``channel``). ``hours`` are the
    working hours of the order's team (None: the team has none set, or no order): a rule that
    counts team hours counts only those.
    """

    event: str
    at: datetime
    order: Mapping[str, Any] = field(default_factory=dict)
    actor_roles: frozenset[str] = frozenset()
    subject: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    hours: WorkingHours | None = None

    def flat(self) -> dict[str, Any]:
        flags = self.data.get("flags")
        changed = flags if isinstance(flags, Mapping) else {}
        return {
            **self.order,
            "actor_role": self.actor_roles,
            "channel": self.data.get("channel"),
            "waiting": self.data.get("waiting"),
            # The marks this event changed (a ``flag`` event carries only those that change):
            # set on, and taken off.
            "flagged": frozenset(k for k, v in changed.items() if v),
            "unflagged": frozenset(k for k, v in changed.items() if not v),
        }


@dataclass(frozen=True)
class Running:
    """A clock not yet met or cancelled (it may be breached), under the rule it started with.
    ``paused_at``: when a waiting state paused it (None: counting); ``due_at``/``warn_at`` as
    stored (a pause moves them when it ends)."""

    clock_id: int
    rule_id: str
    rule: ClockRule
    subject: str = ""
    period: int = 1
    progress: frozenset[str] = frozenset()
    breached: bool = False
    paused_at: datetime | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None
    # When it started (issue 16: a clock counted from the agreed time is recomputed from it).
    started_at: datetime | None = None


@dataclass(frozen=True)
class Start:
    rule_id: str
    subject: str
    started_at: datetime
    due_at: datetime
    warn_at: datetime | None
    period: int = 1


@dataclass(frozen=True)
class Meet:
    clock_id: int
    rule_id: str
    at: datetime


@dataclass(frozen=True)
class Progress:
    clock_id: int
    rule_id: str
    progress: frozenset[str]


@dataclass(frozen=True)
class Cancel:
    clock_id: int
    rule_id: str
    reason: str


@dataclass(frozen=True)
class Pause:
    """A waiting state (``waiting``) stops the clock at ``at``; the sweeper leaves it alone."""

    clock_id: int
    rule_id: str
    at: datetime
    waiting: str


@dataclass(frozen=True)
class Resume:
    """The clock counts again at ``at``, paused since ``paused_from``; its deadline (and warning)
    moved by the paused time."""

    clock_id: int
    rule_id: str
    at: datetime
    paused_from: datetime
    due_at: datetime
    warn_at: datetime | None


@dataclass(frozen=True)
class Recompute:
    """A running clock's deadline moves (issue 16: the agreed time changed, 改约)."""

    clock_id: int
    rule_id: str
    due_at: datetime
    warn_at: datetime | None
    reason: str


Command = Start | Meet | Progress | Cancel | Pause | Resume | Recompute

# The event that sets or changes an order's agreed time (预约上门时间); its data carries
# ``appointment_at`` (None: the appointment was withdrawn) and ``previous``.
APPOINT_EVENT = "appoint"


class EngineError(ValueError):
    pass


def start_clock(
    rule_id: str,
    rule: ClockRule,
    *,
    at: datetime,
    policy: Policy,
    calendar: WorkingCalendar,
    subject: str = "",
    data: Mapping[str, Any] | None = None,
    period: int = 1,
    hours: WorkingHours | None = None,
) -> Start:
    """The deadline and warning time of a clock of ``rule`` started at ``at``. ``hours``
    (the order's team's) are used only when the rule counts team hours; without them such a
    rule counts the wall clock."""
    given = None
    if rule.duration.kind is DurationKind.GIVEN:
        raw = (data or {}).get(rule.duration.given_from)
        if not isinstance(raw, datetime):
            raise EngineError(f"{rule_id} needs {rule.duration.given_from} from its event")
        given = raw
    base = at
    if rule.from_appointment:
        agreed = (data or {}).get("appointment_at")
        if isinstance(agreed, datetime) and agreed > at:
            base = agreed  # counted from the agreed time (预约上门时间), not from the event
    due = compute_due(
        base,
        rule.duration.kind,
        rule.duration.value,
        office=policy.office_day.office_day(),
        calendar=calendar,
        given=given,
        hours=hours if rule.counting is Counting.TEAM_HOURS else None,
    )
    warn = None
    if rule.warn_before_minutes:
        counted = hours if rule.counting is Counting.TEAM_HOURS else None
        left = rule.duration.value - rule.warn_before_minutes
        if counted is not None and rule.duration.kind is DurationKind.MINUTES and left > 0:
            # Counted as the deadline is: N of the team's working minutes before it, so a
            # deadline just after the lunch break is warned of before it, not during it.
            warn = counted.add(base, left).astimezone(due.tzinfo)
        else:
            warn = due - timedelta(minutes=rule.warn_before_minutes)
        if warn <= at:
            warn = None  # no point warning of a deadline closer than the warning itself
    return Start(rule_id, subject, at, due, warn, period)


def resume_clock(clock: Running, at: datetime, hours: WorkingHours | None = None) -> Resume:
    """A paused clock counts again at ``at``: its deadline moves by the time it was paused
    (``shift_due``, the one place this is computed: the wall clock, or for a rule that counts
    team hours the counted time of the pause within ``hours``, the order's team's) and its
    warning moves with it."""
    if clock.paused_at is None or clock.due_at is None:
        raise EngineError(f"clock {clock.clock_id} is not paused")
    counted = hours if clock.rule.counting is Counting.TEAM_HOURS else None
    due = shift_due(clock.due_at, clock.paused_at, at, counted)
    # The warning moves as the deadline does, so it keeps its distance in the same count.
    warn = None if clock.warn_at is None else shift_due(clock.warn_at, clock.paused_at, at, counted)
    return Resume(clock.clock_id, clock.rule_id, at, clock.paused_at, due, warn)


def pauses(policy: Policy, waiting: str, clock: Running, at: datetime) -> bool:
    """Whether the waiting state ``waiting`` beginning at ``at`` pauses ``clock``: its rule is
    one the state pauses, and it is counting and not yet past its deadline (a breached clock
    stays breached; one already paused stays paused)."""
    kind = policy.waiting.get(waiting)
    return (
        kind is not None
        and clock.rule_id in kind.pauses
        and not clock.breached
        and clock.paused_at is None
        and (clock.due_at is None or at <= clock.due_at)
    )


def _waiting_commands(
    policy: Policy, facts: Facts, clock: Running, flat: Mapping[str, Any]
) -> list[Command]:
    """Pause on ``wait_start``; resume on ``wait_end``, or before the clock is met or
    cancelled (its deadline moved first, so a clock met while paused is met in time)."""
    if clock.paused_at is not None:
        rule = clock.rule
        ends = facts.event == WAIT_END or any(
            t.matches(facts.event, flat) for t in (*rule.met, *rule.cancel)
        )
        return [resume_clock(clock, facts.at, facts.hours)] if ends else []
    waiting = str(facts.data.get("waiting") or "")
    if facts.event == WAIT_START and pauses(policy, waiting, clock, facts.at):
        return [Pause(clock.clock_id, clock.rule_id, facts.at, waiting)]
    return []


_STARTED_BY: dict[tuple[str, str], tuple[tuple[str, ClockRule], ...]] = {}


def _started_by(policy: Policy, event: str) -> tuple[tuple[str, ClockRule], ...]:
    """The rules (in the policy's order) with a start trigger on ``event``: only these can start
    a clock on it. Kept per policy content and event (a few hundred entries at most)."""
    key = (policy.fingerprint(), event)
    found = _STARTED_BY.get(key)
    if found is None:
        if len(_STARTED_BY) > 4096:  # many previewed policies in one process: start afresh
            _STARTED_BY.clear()
        found = _STARTED_BY[key] = tuple(
            (rule_id, rule)
            for rule_id, rule in policy.clocks.items()
            if any(t.event == event for t in rule.start)
        )
    return found


@dataclass(frozen=True)
class Reach:
    """Which running clocks of *other* subjects an event about one subject can act on (see
    ``reach``): every clock of ``rules``, and the paused clocks of ``paused_rules``."""

    rules: frozenset[str]
    paused_rules: frozenset[str]


def reach(policy: Policy, event: str, subject: str) -> Reach | None:
    """What ``react`` can do to clocks of a subject other than ``subject`` (and not
    subject-less), so that its caller reads only those besides the subject's own: a quota
    starting its next period (cancelling the last), an agreed time moving the clocks counted
    from it, a paused clock resumed by its rule's met or cancel event. None: any clock may be
    acted on (an event about no subject, a wait starting or ending).

    Exact for clocks under ``policy``'s rules; a clock started under another policy version
    keeps that version's rules, so a caller reads those whatever their subject. Without this,
    every call logged read all of the community's open call-backs (FD-1-callback: one per
    number, and those never returned stay open), 2,000 of them ~100 ms a call.

    It depends on the event and the rules alone: worked out once per policy (its fingerprint,
    a hash of its whole content) and event, not on every event."""
    if not subject or event in (WAIT_START, WAIT_END):
        return None
    key = (policy.fingerprint(), event)
    found = _reaches.get(key)
    if found is None:
        if len(_reaches) >= 4096:  # policies previewed by the hundred: never without bound
            _reaches.clear()
        found = _reaches[key] = _reach(policy, event)
    return found


# reach's answers by (policy fingerprint, event).
_reaches: dict[tuple[str, str], Reach] = {}


def _reach(policy: Policy, event: str) -> Reach:
    rules: set[str] = set()
    paused_rules: set[str] = set()
    for rule_id, rule in policy.clocks.items():
        if rule.duration.kind in QUOTA_KINDS and any(t.event == event for t in rule.start):
            rules.add(rule_id)
        if event == APPOINT_EVENT and rule.from_appointment:
            rules.add(rule_id)
        if any(t.event == event for t in (*rule.met, *rule.cancel)):
            paused_rules.add(rule_id)
    return Reach(frozenset(rules), frozenset(paused_rules))


def in_reach(found: Reach | None, subject: str, clock: Running) -> bool:
    """Whether a running clock (under the same policy) must be given to ``react`` for an event
    about ``subject``, ``found`` being ``reach(…)`` of it: what the clocks app reads in SQL."""
    return (
        found is None
        or clock.subject in ("", subject)
        or clock.rule_id in found.rules
        or (clock.paused_at is not None and clock.rule_id in found.paused_rules)
    )


def react(
    policy: Policy, calendar: WorkingCalendar, facts: Facts, running: Sequence[Running]
) -> list[Command]:
    """What ``facts`` does to the clocks of one order (or one contact, or one community's quota).

    Running clocks are checked first (cancel beats met); then every rule of ``policy`` whose start
    matches starts a clock, unless one of that rule and subject is still open. A met recurring
    (weekly) clock starts its next period at the meeting time.
    """
    flat = facts.flat()
    commands: list[Command] = []
    still_open: set[tuple[str, str]] = set()
    for clock in running:
        rule = clock.rule
        commands.extend(_waiting_commands(policy, facts, clock, flat))
        same_subject = not clock.subject or clock.subject == facts.subject
        # An event about one subject (a common issue, a home visit) cancels only that subject's
        # clock; an event about no subject (an emergency closed) cancels them all.
        if (same_subject or not facts.subject) and any(
            t.matches(facts.event, flat) for t in rule.cancel
        ):
            commands.append(Cancel(clock.clock_id, clock.rule_id, facts.event))
            continue
        if rule.duration.kind in QUOTA_KINDS:
            if any(t.matches(facts.event, flat) for t in rule.start):
                # The next month (quarter) begins: the last one's quota is over (breached if it
                # fell short).
                commands.append(Cancel(clock.clock_id, clock.rule_id, facts.event))
                continue
            # Only what happened in the clock's own month (quarter) counts towards it: a visit
            # entered with an earlier time is not this month's.
            in_period = clock.started_at is None or facts.at >= clock.started_at
            if same_subject and in_period and any(t.matches(facts.event, flat) for t in rule.met):
                progress = clock.progress | {facts.subject}
                if rule.target is not None and len(progress) >= rule.target:
                    commands.append(Meet(clock.clock_id, clock.rule_id, facts.at))
                elif progress != clock.progress:
                    commands.append(Progress(clock.clock_id, clock.rule_id, progress))
                    still_open.add((clock.rule_id, clock.subject))
                else:
                    still_open.add((clock.rule_id, clock.subject))
            else:
                still_open.add((clock.rule_id, clock.subject))
            continue
        if same_subject and any(t.matches(facts.event, flat) for t in rule.met):
            commands.append(Meet(clock.clock_id, clock.rule_id, facts.at))
            if rule.recurring:
                commands.append(
                    start_clock(
                        clock.rule_id,
                        rule,
                        at=facts.at,
                        policy=policy,
                        calendar=calendar,
                        subject=clock.subject,
                        data=facts.data,
                        period=clock.period + 1,
                        hours=facts.hours,
                    )
                )
                still_open.add((clock.rule_id, clock.subject))
            continue
        if facts.event == APPOINT_EVENT and rule.from_appointment and clock.started_at:
            fresh = start_clock(
                clock.rule_id,
                rule,
                at=clock.started_at,
                policy=policy,
                calendar=calendar,
                subject=clock.subject,
                data=facts.data,
                period=clock.period,
                hours=facts.hours,
            )
            commands.append(
                Recompute(clock.clock_id, clock.rule_id, fresh.due_at, fresh.warn_at, facts.event)
            )
        still_open.add((clock.rule_id, clock.subject))
    for rule_id, rule in _started_by(policy, facts.event):
        if not rule.enabled or (rule_id, facts.subject) in still_open:
            continue
        if any(t.matches(facts.event, flat) for t in rule.start):
            commands.append(
                start_clock(
                    rule_id,
                    rule,
                    at=facts.at,
                    policy=policy,
                    calendar=calendar,
                    subject=facts.subject,
                    data=facts.data,
                    hours=facts.hours,
                )
            )
            still_open.add((rule_id, facts.subject))
    return commands


@dataclass(frozen=True)
class SweepStep:
    """What the sweeper does to one clock now: warn, breach, and which escalation levels go out
    (each with the time it was due), then when to look at the clock next (None: never)."""

    warn: bool
    breach: bool
    levels: tuple[tuple[int, datetime], ...]
    next_check_at: datetime | None


def sweep_step(
    rule: ClockRule,
    *,
    now: datetime,
    state: str,
    due_at: datetime,
    warn_at: datetime | None,
    warned: bool,
    level: int,
) -> SweepStep:
    """Decide for one clock whose check time has passed.

    ``state`` is "running" or "breached"; ``level`` is how many escalation steps went out. The
    deadline itself is still in time: a clock breaches only once ``now`` is past ``due_at``. A
    clock found long after its deadline (the worker was down) breaches at its true deadline and
    sends every step whose time has passed; a warning whose deadline has passed is skipped.
    The next check time returned is never before ``now``.
    """
    steps = rule.escalation
    breach = False
    warn = False
    if state == "running":
        if now <= due_at:
            if warn_at is not None and not warned and now > warn_at:
                return SweepStep(True, False, (), due_at)
            return SweepStep(False, False, (), due_at if warned or warn_at is None else warn_at)
        breach = True
    sent: list[tuple[int, datetime]] = []
    while level < len(steps):
        at = due_at + timedelta(minutes=steps[level].after_minutes)
        if at >= now:
            break
        level += 1
        sent.append((level, at))
    next_check = (
        due_at + timedelta(minutes=steps[level].after_minutes) if level < len(steps) else None
    )
    return SweepStep(warn, breach, tuple(sent), next_check)
