"""What if: a month's real clock inputs replayed under a policy, and its compliance per rule.

Plain Python, no Django. The clocks app records every input of the engine as it happens (the
event, the order's facts, the actor's roles, the subject and the event's data: ``ClockInput``);
``replay`` feeds them, owner by owner in the order they were recorded, through the same ``react``
the live app calls, with the clocks kept in memory by ``apply`` (the in-memory twin of
``clocks.services.events._apply``), and decides each clock's outcome at ``now`` by the
sweeper's rule (breached once ``now`` is past its deadline). ``figures`` counts them per rule as
the monthly report counts stored clocks (``RuleCompliance``).

A new command type of the engine slots in at one place: a branch of ``apply``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.engine import (
    Cancel,
    Command,
    Facts,
    Meet,
    Pause,
    Progress,
    Recompute,
    Resume,
    Running,
    Start,
    react,
)
from propdesk.policy.percent import shown_percent
from propdesk.policy.rules import Policy

# An owner of clocks: ("order", id), ("contact", id) or ("community", id).
Owner = tuple[str, int]

RUNNING, MET, BREACHED, CANCELLED = "running", "met", "breached", "cancelled"


# --- compliance, as the report counts it --------------------------------------------------------


def compliance_percent(met: int, breached: int) -> Decimal | None:
    """Met in time / (met + breached), in percent to one decimal (never shown as a whole
    percent it is below: policy.percent); None until one is decided."""
    return shown_percent(met, met + breached)


@dataclass(frozen=True)
class RuleCompliance:
    """One rule's clocks started in a month, by outcome (the monthly report's line)."""

    rule_id: str
    title: str
    started: int
    met: int  # met in time
    breached: int  # missed, whether met late or not at all
    running: int
    cancelled: int

    @property
    def compliance(self) -> Decimal | None:
        return compliance_percent(self.met, self.breached)


# --- the engine's inputs, stored and read back --------------------------------------------------

_DATETIME_TAG = "$datetime"


def encode_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """An event's data as JSON values: datetimes tagged (the engine needs them back as
    datetimes: a given deadline), anything else not JSON as its text."""
    return {str(k): _encode(v) for k, v in data.items()}


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DATETIME_TAG: value.isoformat()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return encode_data(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_encode(v) for v in value]
    return str(value)


def decode_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of ``encode_data``."""
    return {k: _decode(v) for k, v in data.items()}


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _DATETIME_TAG in value:
            return datetime.fromisoformat(value[_DATETIME_TAG])
        return decode_data(value)
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


@dataclass(frozen=True)
class Input:
    """One recorded call of the engine: for whom, the facts, and whether the owner was new."""

    owner: Owner
    facts: Facts
    new: bool = False


# --- clocks in memory ---------------------------------------------------------------------------


@dataclass
class SimClock:
    """A clock as the replay keeps it: the fields of a stored Clock that decide its outcome."""

    clock_id: int
    owner: Owner
    rule_id: str
    title: str
    subject: str
    period: int
    started_at: datetime
    due_at: datetime
    state: str = RUNNING
    met_at: datetime | None = None
    cancelled_at: datetime | None = None
    progress: frozenset[str] = frozenset()
    warn_at: datetime | None = None
    paused_at: datetime | None = None  # a waiting state stopped it (the sweeper skips it)

    @property
    def open(self) -> bool:
        """Still read as running by the engine (it may be breached)."""
        return self.met_at is None and self.cancelled_at is None

    def outcome(self, now: datetime) -> str:
        """Its state at ``now``, as the sweeper would have left it: a clock still open breaches
        once ``now`` is past its deadline (a clock due exactly now is still in time); a paused
        one does not."""
        if self.state == RUNNING and self.paused_at is None and now > self.due_at:
            return BREACHED
        return self.state


@dataclass
class Book:
    """Every clock of a replay, and the open ones per owner (with the engine's view of each)."""

    policy: Policy
    clocks: list[SimClock] = field(default_factory=list)
    open_by_owner: dict[Owner, list[SimClock]] = field(default_factory=dict)
    views: dict[int, Running] = field(default_factory=dict)

    def view(self, c: SimClock) -> Running:
        """The engine's view of an open clock, made once and again only when it changes."""
        running = self.views.get(c.clock_id)
        if (
            running is None
            or running.progress != c.progress
            or running.paused_at != c.paused_at
            or running.due_at != c.due_at
            or running.breached != (c.state == BREACHED)
        ):
            running = self.views[c.clock_id] = Running(
                clock_id=c.clock_id,
                rule_id=c.rule_id,
                rule=self.policy.clocks[c.rule_id],
                subject=c.subject,
                period=c.period,
                progress=c.progress,
                breached=c.state == BREACHED,
                paused_at=c.paused_at,
                due_at=c.due_at,
                warn_at=c.warn_at,
                started_at=c.started_at,
            )
        return running

    def running(self, owner: Owner) -> list[Running]:
        return [self.view(c) for c in self.open_by_owner.get(owner, ())]


def apply(book: Book, owner: Owner, commands: Iterable[Command], *, at: datetime) -> None:
    """What ``clocks.services.events._apply`` does to stored clocks, in memory: a start adds a
    clock; a meeting after the deadline is a breach (met late); a cancellation after the
    deadline of a clock still running is a breach too. New command types get their branch
    here."""
    by_id = {c.clock_id: c for c in book.open_by_owner.get(owner, ())}
    started: list[SimClock] = []
    for cmd in commands:
        if isinstance(cmd, Start):
            started.append(
                SimClock(
                    clock_id=len(book.clocks) + len(started) + 1,
                    owner=owner,
                    rule_id=cmd.rule_id,
                    title=book.policy.clocks[cmd.rule_id].title,
                    subject=cmd.subject,
                    period=cmd.period,
                    started_at=cmd.started_at,
                    due_at=cmd.due_at,
                    warn_at=cmd.warn_at,
                )
            )
            continue
        clock = by_id[cmd.clock_id]
        if isinstance(cmd, Meet):
            clock.met_at = cmd.at
            if clock.state == RUNNING and cmd.at <= clock.due_at:
                clock.state = MET
            else:
                clock.state = BREACHED
        elif isinstance(cmd, Cancel):
            clock.cancelled_at = at
            if clock.state == RUNNING:
                clock.state = BREACHED if at > clock.due_at else CANCELLED
        elif isinstance(cmd, Progress):
            clock.progress = frozenset(cmd.progress)
        elif isinstance(cmd, Pause):
            clock.paused_at = cmd.at
        elif isinstance(cmd, Resume):
            clock.paused_at = None
            clock.due_at, clock.warn_at = cmd.due_at, cmd.warn_at
        elif isinstance(cmd, Recompute):
            # As _apply: a counting clock past its deadline stays breached; a paused one keeps
            # waiting from now, its deadline counted from the new agreed time.
            if (
                clock.state != RUNNING
                or (clock.paused_at is None and at > clock.due_at)
                or clock.due_at == cmd.due_at
            ):
                continue
            clock.due_at = cmd.due_at
            clock.warn_at = cmd.warn_at if cmd.warn_at is not None and cmd.warn_at > at else None
            if clock.paused_at is not None:
                clock.paused_at = at
    book.clocks.extend(started)
    still = []
    for c in book.open_by_owner.get(owner, ()):
        if c.open:
            still.append(c)
        else:
            book.views.pop(c.clock_id, None)
    still += started
    if still:
        book.open_by_owner[owner] = still
    else:
        book.open_by_owner.pop(owner, None)


def replay(
    policy: Policy, calendar: WorkingCalendar, inputs: Iterable[Input], *, now: datetime
) -> list[SimClock]:
    """Every clock ``inputs`` start under ``policy``; ``SimClock.outcome(now)`` decides it.

    ``inputs`` come in the order they were recorded; each owner's clocks depend only on its
    own inputs (as the live engine reads only that owner's running clocks), so an owner's
    inputs must be complete from its first one. Inputs after ``now`` are ignored.
    """
    book = Book(policy)
    for item in inputs:
        if item.facts.at > now:
            continue
        running = [] if item.new else book.running(item.owner)
        commands = react(policy, calendar, item.facts, running)
        if commands:
            apply(book, item.owner, commands, at=item.facts.at)
    return book.clocks


def figures(
    clocks: Iterable[SimClock], *, start: datetime, end: datetime, now: datetime
) -> list[RuleCompliance]:
    """Per rule, the clocks started in [start, end), by their outcome at ``now`` (sorted by
    rule id, as ``clocks.selectors.compliance_for_month`` returns them; a rule with no clock
    that month has no line)."""
    counts: dict[str, dict[str, int]] = {}
    titles: dict[str, str] = {}
    for c in clocks:
        if not start <= c.started_at < end:
            continue
        row = counts.setdefault(c.rule_id, {RUNNING: 0, MET: 0, BREACHED: 0, CANCELLED: 0})
        row[c.outcome(now)] += 1
        titles[c.rule_id] = min(titles.get(c.rule_id, c.title), c.title)
    return [
        RuleCompliance(
            rule_id=rule_id,
            title=titles[rule_id],
            started=sum(row.values()),
            met=row[MET],
            breached=row[BREACHED],
            running=row[RUNNING],
            cancelled=row[CANCELLED],
        )
        for rule_id, row in sorted(counts.items())
    ]


@dataclass(frozen=True)
class Change:
    """A clock whose outcome differs between what happened and the replay ("" where it did not
    exist on that side)."""

    owner: Owner
    rule_id: str
    subject: str
    period: int
    now: str
    then: str


ClockKey = tuple[Owner, str, str, int]


def changes(
    stored: Mapping[ClockKey, str],
    clocks: Iterable[SimClock],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Change]:
    """The clocks started in [start, end) whose outcome the replay changes. ``stored`` maps
    (owner, rule, subject, period) to the outcome recorded now."""
    replayed = {
        (c.owner, c.rule_id, c.subject, c.period): c.outcome(now)
        for c in clocks
        if start <= c.started_at < end
    }
    out = []
    for key in sorted(set(stored) | set(replayed)):
        was, then = stored.get(key, ""), replayed.get(key, "")
        if was != then:
            owner, rule_id, subject, period = key
            out.append(Change(owner, rule_id, subject, period, was, then))
    return out
