"""Clocks from events: started, met, progressed or cancelled in the event's own transaction."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.db import connections, router

from propdesk.clocks.models import (
    Clock,
    ClockInput,
    ClockLog,
    ClockState,
    PolicyVersion,
)
from propdesk.clocks.services.policy import (
    OfficeCalendar,
    _policy_by_fingerprint,
    counts_team_hours,
    order_team,
    policy_for,
    team_hours_for,
)
from propdesk.community.models import Community, User
from propdesk.core.bulk import create_many, insert_many
from propdesk.core.rows import Converter, column_converters, convert_row
from propdesk.policy.deadlines import Counting
from propdesk.policy.engine import (
    Cancel,
    Command,
    Facts,
    Meet,
    Pause,
    Progress,
    Reach,
    Recompute,
    Resume,
    Running,
    Start,
    reach,
    react,
)
from propdesk.policy.replay import encode_data
from propdesk.policy.rules import Policy

OPEN = (ClockState.RUNNING, ClockState.BREACHED)

# The columns clocks_on_event writes (every other one takes its default): one lean INSERT each.
_INPUT_FIELDS = (
    "community",
    "order",
    "contact",
    "at",
    "event",
    "subject",
    "new",
    "facts",
    "roles",
    "data",
)
_LOG_FIELDS = ("clock", "order", "at", "what", "data")


@dataclass
class Written:
    """What one ``clocks_on_event`` wrote: the clocks it started (with their ids and every
    column as stored) and its log lines in the order written (no ids), for an answer built
    from them instead of reading them back (the 201 of a create)."""

    started: list[Clock] = field(default_factory=list)
    logs: list[ClockLog] = field(default_factory=list)


# --- clocks from events --------------------------------------------------------------------------


def order_facts(order: Any) -> dict[str, Any]:
    return {
        "kind": order.kind,
        "complaint_type": order.complaint_type,
        "is_important": order.is_important,
        "is_long_running": order.is_long_running,
        "is_construction_legacy": order.is_construction_legacy,
        "state": order.state,
        "has_assignee": order.assignee_id is not None,
        "has_appointment": getattr(order, "appointment_at", None) is not None,
        "is_urgent": bool(getattr(order, "is_urgent", False)),
    }


# What a running clock is read with: its columns, then its policy version's fingerprint.
_RUNNING_FIELDS = (
    "id",
    "rule_id",
    "subject",
    "period",
    "progress",
    "state",
    "paused_at",
    "due_at",
    "warn_at",
    "started_at",
    "policy_version",
)


class _RunningReader:
    """The open clocks of one owner (an order, a contact, or the community's own) that an event
    can act on, nearest deadline first (``Clock.Meta.ordering``), with their policy version's
    fingerprint, as ``engine.in_reach`` tells (every one when the reach is None; a clock under
    another policy version whatever its subject, its rules being that version's). The ORM's
    ``Clock.objects.filter(<in_reach as a Q tree>, state__in=OPEN, met_at__isnull=True,
    cancelled_at__isnull=True, **owner).select_related("policy_version")``, with its SQL built
    once per vendor, owner and shape of the reach (how many rules it names) instead of compiled
    on every call: every call logged with a number reads its call-back here."""

    def __init__(self) -> None:
        self._sql: dict[tuple[Any, ...], str] = {}
        self._converters: weakref.WeakKeyDictionary[Any, list[Converter]] = (
            weakref.WeakKeyDictionary()
        )

    def _statement(self, conn: Any, owner: str, shape: tuple[int, int] | None) -> str:
        key = (conn.vendor, owner, shape)
        sql = self._sql.get(key)
        if sql is not None:
            return sql
        qn = conn.ops.quote_name
        meta, version = Clock._meta, PolicyVersion._meta
        table = qn(meta.db_table)

        def col(name: str) -> str:
            field: Any = meta.get_field(name)
            return f"{table}.{qn(field.column)}"

        columns = [col(name) for name in _RUNNING_FIELDS]
        columns.append(f"{qn(version.db_table)}.{qn(version.get_field('fingerprint').column)}")
        where = {
            "order": [f"{col('order')} = %s"],
            "contact": [f"{col('contact')} = %s"],
            "community": [
                f"{col('community')} = %s",
                f"{col('order')} IS NULL",
                f"{col('contact')} IS NULL",
            ],
        }[owner]
        where += [
            f"{col('state')} IN (%s, %s)",
            f"{col('met_at')} IS NULL",
            f"{col('cancelled_at')} IS NULL",
        ]
        if shape is not None:
            n_rules, n_paused = shape
            # An empty list of rules is no alternative (the ORM leaves it out of the OR too).
            alternatives = [f"{col('subject')} IN (%s, %s)"]
            if n_rules:
                alternatives.append(f"{col('rule_id')} IN ({', '.join(['%s'] * n_rules)})")
            if n_paused:
                alternatives.append(
                    f"({col('paused_at')} IS NOT NULL AND "
                    f"{col('rule_id')} IN ({', '.join(['%s'] * n_paused)}))"
                )
            alternatives.append(f"NOT ({col('policy_version')} = %s)")
            where.append(f"({' OR '.join(alternatives)})")
        order = ", ".join(
            f"{col(name.lstrip('-'))} {'DESC' if name.startswith('-') else 'ASC'}"
            for name in cast(list[str], meta.ordering)
        )
        sql = self._sql[key] = (
            f"SELECT {', '.join(columns)} FROM {table} INNER JOIN {qn(version.db_table)} "  # noqa: S608 - names from the models, values bound
            f"ON ({col('policy_version')} = {qn(version.db_table)}.{qn(version.pk.column)}) "
            f"WHERE {' AND '.join(where)} ORDER BY {order}"
        )
        return sql

    def __call__(
        self, found: Reach | None, subject: str, version_id: int, owner: str, owner_id: int
    ) -> list[Running]:
        conn = connections[router.db_for_read(Clock)]  # where the ORM would read them
        shape = None if found is None else (len(found.rules), len(found.paused_rules))
        sql = self._statement(conn, owner, shape)
        converters = self._converters.get(conn)
        if converters is None:
            fields = [Clock._meta.get_field(name) for name in _RUNNING_FIELDS]
            fields.append(PolicyVersion._meta.get_field("fingerprint"))
            converters = self._converters[conn] = column_converters(conn, fields)
        params: list[Any] = [owner_id, ClockState.RUNNING.value, ClockState.BREACHED.value]
        if found is not None:
            params += ["", subject, *sorted(found.rules), *sorted(found.paused_rules), version_id]
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        out = []
        for raw in rows:
            (
                clock_id,
                rule_id,
                subject_,
                period,
                progress,
                state,
                paused_at,
                due_at,
                warn_at,
                started_at,
                clock_version_id,
                fingerprint,
            ) = convert_row(raw, converters, conn)
            out.append(
                Running(
                    clock_id=clock_id,
                    rule_id=rule_id,
                    rule=_policy_by_fingerprint(clock_version_id, fingerprint).clocks[rule_id],
                    subject=subject_,
                    period=period,
                    progress=frozenset(progress),
                    breached=state == ClockState.BREACHED,
                    paused_at=paused_at,
                    due_at=due_at,
                    warn_at=warn_at,
                    started_at=started_at,
                )
            )
        return out


_running = _RunningReader()


def clocks_on_event(
    *,
    community: Community,
    event: str,
    at: datetime,
    actor: User | None = None,
    actor_roles: Iterable[str] = (),
    order: Any = None,
    contact: Any = None,
    subject: str = "",
    data: Mapping[str, Any] | None = None,
    new: bool = False,
    written: Written | None = None,
) -> list[Command]:
    """Start, meet, progress or cancel the clocks ``event`` concerns; call it inside the
    transaction that writes the event. ``new`` says the order or contact was just created (it
    has no clocks yet). Without ``order`` or ``contact`` the clock belongs to the community
    itself (the monthly visit quota, a common issue's notice). Returns what was done; the
    clocks started and the log lines written go into ``written`` when given."""
    return clocks_plan(
        community=community,
        event=event,
        at=at,
        actor=actor,
        actor_roles=actor_roles,
        order=order,
        contact=contact,
        subject=subject,
        data=data,
        new=new,
    ).write(written)


def clocks_plan(
    *,
    community: Community,
    event: str,
    at: datetime,
    actor: User | None = None,
    actor_roles: Iterable[str] = (),
    order: Any = None,
    contact: Any = None,
    subject: str = "",
    data: Mapping[str, Any] | None = None,
    new: bool = False,
) -> ClockPlan:
    """What ``clocks_on_event`` would do, decided and not yet written (``ClockPlan.write``).

    For a new order or contact (``new``) the decision reads no clock, so it can be made before
    the transaction that writes the owner, even before the owner has its id: ``write`` reads the
    owner's id then. On SQLite that keeps the engine's work out of the one write lock (a create
    holds it only for its statements). Any other event reads the clocks it acts on: plan and
    write it inside the transaction, as ``clocks_on_event`` does."""
    policy, version_id = policy_for(community)
    owner: dict[str, Any]
    if order is not None:
        owner, scope = {"order": order}, "order"
    elif contact is not None:
        owner, scope = {"contact": contact}, "contact"
    else:
        owner, scope = {}, "community"
    calendar = OfficeCalendar(community.pk)
    # Only the clocks this event can act on (an event about one caller's number reads that
    # number's call-back, not every open one of the community: policy.engine.reach).
    running = (
        []
        if new
        else _running(
            reach(policy, event, subject),
            subject,
            version_id,
            scope,
            (owner[scope] if owner else community).pk,
        )
    )
    # The order's team's working hours, read only when a clock counts them (issue 16): one this
    # event may start, or a paused one it may resume (a pause moves it within those hours).
    resumes_team_hours = any(
        r.paused_at is not None and r.rule.counting is Counting.TEAM_HOURS for r in running
    )
    hours = (
        team_hours_for(order_team(order), policy=policy, calendar=calendar)
        if order is not None and (counts_team_hours(policy, event) or resumes_team_hours)
        else None
    )
    data = dict(data or {})
    if order is not None and "appointment_at" not in data:
        # Issue 16: clocks counted from the agreed time (from_appointment) read it here.
        data["appointment_at"] = getattr(order, "appointment_at", None)
    facts = Facts(
        event=event,
        at=at,
        order=order_facts(order) if order is not None else {},
        actor_roles=frozenset(str(r) for r in actor_roles),
        subject=subject,
        data=data,
        hours=hours,
    )
    commands = react(policy, calendar, facts, running)
    return ClockPlan(
        community=community,
        owner=owner,
        policy=policy,
        version_id=version_id,
        actor=actor,
        facts=facts,
        new=new,
        commands=commands,
        # The years the engine found no statutory calendar for (filled as it counted).
        fallback_years=sorted(calendar.fallback_years),
    )


@dataclass
class ClockPlan:
    """One event's decision (``clocks_plan``): what ``write`` records and applies."""

    community: Community
    owner: dict[str, Any]
    policy: Policy
    version_id: int
    actor: User | None
    facts: Facts
    new: bool
    commands: list[Command]
    fallback_years: list[int]

    def write(self, written: Written | None = None) -> list[Command]:
        """Write the engine's input (for the what-if replay: one small INSERT) and what it
        decided, inside the transaction of the event; the owner is saved by now."""
        order, contact = self.owner.get("order"), self.owner.get("contact")
        facts = self.facts
        insert_many(
            ClockInput,
            _INPUT_FIELDS,
            [
                (
                    self.community.pk,
                    order.pk if order is not None else None,
                    contact.pk if contact is not None else None,
                    facts.at,
                    facts.event,
                    facts.subject,
                    self.new,
                    dict(facts.order),
                    sorted(facts.actor_roles),
                    encode_data(facts.data),
                )
            ],
            defer=True,  # read by the replay only: rides with the next write (core.postgresql)
        )
        if self.commands:
            _apply(
                self.commands,
                community=self.community,
                owner=self.owner,
                policy=self.policy,
                version_id=self.version_id,
                actor=self.actor,
                at=facts.at,
                fallback_years=self.fallback_years,
                data=facts.data,
                written=written,
            )
        return self.commands


def _reason(data: Mapping[str, Any] | None) -> dict[str, str]:
    """The waiting kind and reason a pause or resume line keeps (from the event's data)."""
    out = {}
    for key in ("waiting", "reason"):
        value = (data or {}).get(key)
        if value:
            out[key] = str(value)[:200]
    return out


def _apply(
    commands: list[Command],
    *,
    community: Community,
    owner: dict[str, Any],
    policy: Policy,
    version_id: int,
    actor: User | None,
    at: datetime,
    fallback_years: list[int] | None = None,
    data: Mapping[str, Any] | None = None,
    written: Written | None = None,
) -> None:
    order = owner.get("order")
    logs: list[ClockLog] = []
    started: list[Clock] = []
    ids = [c.clock_id for c in commands if not isinstance(c, Start)]
    # Only starts (every create): no clock to read.
    by_id = {c.pk: c for c in Clock.objects.filter(pk__in=ids)} if ids else {}
    for cmd in commands:
        if isinstance(cmd, Start):
            rule = policy.clocks[cmd.rule_id]
            started.append(
                Clock(
                    community=community,
                    **owner,
                    rule_id=cmd.rule_id,
                    title=rule.title,
                    subject=cmd.subject,
                    period=cmd.period,
                    started_at=cmd.started_at,
                    due_at=cmd.due_at,
                    warn_at=cmd.warn_at,
                    next_check_at=cmd.warn_at or cmd.due_at,
                    policy_version_id=version_id,
                )
            )
            continue
        clock = by_id[cmd.clock_id]
        if isinstance(cmd, Meet):
            clock.met_at, clock.met_by = cmd.at, actor
            clock.next_check_at = None
            if clock.state == ClockState.RUNNING and cmd.at <= clock.due_at:
                clock.state = ClockState.MET
                what = "met"
            else:
                # Met after the deadline: a breach, even if the sweeper had not seen it yet.
                if clock.state == ClockState.RUNNING:
                    clock.state, clock.breached_at = ClockState.BREACHED, clock.due_at
                what = "met_late"
            clock.save(update_fields=["met_at", "met_by", "next_check_at", "state", "breached_at"])
            logs.append(
                ClockLog(
                    clock=clock, order=order, at=cmd.at, what=what, data={"rule": clock.rule_id}
                )
            )
        elif isinstance(cmd, Cancel):
            clock.cancelled_at, clock.cancel_reason = at, cmd.reason
            clock.next_check_at = None
            if clock.state == ClockState.RUNNING:
                if at > clock.due_at:
                    # Its deadline passed before the sweeper saw it (a month's quota closed by
                    # the next month's start): a breach, not a cancellation.
                    clock.state, clock.breached_at = ClockState.BREACHED, clock.due_at
                else:
                    clock.state = ClockState.CANCELLED
            clock.save(
                update_fields=[
                    "cancelled_at",
                    "cancel_reason",
                    "next_check_at",
                    "state",
                    "breached_at",
                ]
            )
            logs.append(
                ClockLog(
                    clock=clock,
                    order=order,
                    at=at,
                    what="cancelled",
                    data={"rule": clock.rule_id, "reason": cmd.reason},
                )
            )
        elif isinstance(cmd, Progress):
            clock.progress = sorted(cmd.progress)
            clock.save(update_fields=["progress"])
        elif isinstance(cmd, Pause):
            clock.paused_at, clock.next_check_at = cmd.at, None
            clock.save(update_fields=["paused_at", "next_check_at"])
            logs.append(
                ClockLog(
                    clock=clock,
                    order=order,
                    at=cmd.at,
                    what="paused",
                    data={"rule": clock.rule_id, "waiting": cmd.waiting, **_reason(data)},
                )
            )
        elif isinstance(cmd, Resume):
            paused = int((cmd.at - cmd.paused_from).total_seconds())
            clock.paused_at, clock.paused_seconds = None, clock.paused_seconds + paused
            clock.due_at, clock.warn_at = cmd.due_at, cmd.warn_at
            warn_pending = cmd.warn_at is not None and clock.warned_at is None
            clock.next_check_at = cmd.warn_at if warn_pending else cmd.due_at
            clock.save(
                update_fields=["paused_at", "paused_seconds", "due_at", "warn_at", "next_check_at"]
            )
            logs.append(
                ClockLog(
                    clock=clock,
                    order=order,
                    at=cmd.at,
                    what="resumed",
                    data={
                        "rule": clock.rule_id,
                        "paused_seconds": paused,
                        "due_at": cmd.due_at.isoformat(),
                        **_reason(data),
                    },
                )
            )
        elif isinstance(cmd, Recompute):
            # Issue 16: the agreed time changed (改约). A counting clock already past its deadline
            # stays breached, whether or not the sweeper has been by (the same at any lag).
            if (
                clock.state != ClockState.RUNNING
                or (clock.paused_at is None and at > clock.due_at)
                or clock.due_at == cmd.due_at
            ):
                continue
            old = clock.due_at
            warn_at = cmd.warn_at if cmd.warn_at is not None and cmd.warn_at > at else None
            clock.due_at, clock.warn_at = cmd.due_at, warn_at
            if clock.paused_at is not None:
                # Waiting (业主不在家 → 改约): the new time already allows for the wait so far;
                # the pause goes on from now, and the sweeper still leaves the clock alone.
                clock.paused_at = at
                clock.save(update_fields=["due_at", "warn_at", "paused_at"])
            else:
                clock.next_check_at = cmd.due_at if clock.warned_at or warn_at is None else warn_at
                clock.save(update_fields=["due_at", "warn_at", "next_check_at"])
            logs.append(
                ClockLog(
                    clock=clock,
                    order=order,
                    at=at,
                    what="recomputed",
                    data={
                        "rule": clock.rule_id,
                        "reason": cmd.reason,
                        "old_due_at": old.isoformat(),
                        "new_due_at": cmd.due_at.isoformat(),
                    },
                )
            )
    if started:
        create_many(started)
        logs.extend(
            ClockLog(
                clock=c,
                order=order,
                at=c.started_at,
                what="started",
                data={
                    "rule": c.rule_id,
                    "due_at": c.due_at.isoformat(),
                    # Working days counted Monday–Friday: the statutory calendar had no data.
                    **({"calendar_fallback_years": fallback_years} if fallback_years else {}),
                },
            )
            for c in started
        )
    insert_many(
        ClockLog,
        _LOG_FIELDS,
        [(log.clock_id, log.order_id, log.at, log.what, log.data) for log in logs],
        defer=True,  # the timeline reads it after the commit: rides with the next write
    )
    if written is not None:
        written.started += started
        written.logs += logs
