"""Clocks from events, and the sweeper that breaches and escalates them.

``clocks_on_event`` runs inside the transaction of the work-order (or contact) change that caused
it, so a clock starts or stops exactly when its event is written. ``clocks_sweep`` is called by
the worker: it takes only due rows by index, in small batches, and is safe with many workers at
once (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer at a time).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from propdesk.clocks.models import (
    CalendarDay,
    CalendarSource,
    Clock,
    ClockLog,
    ClockState,
    PolicyVersion,
)
from propdesk.community.models import Community, Membership, User
from propdesk.core.bulk import insert_many
from propdesk.notify.models import Notification
from propdesk.policy.calendar import WorkingCalendar, statutory_fingerprint
from propdesk.policy.deadlines import DurationKind
from propdesk.policy.engine import (
    Cancel,
    Command,
    Facts,
    Meet,
    Progress,
    Running,
    Start,
    react,
    start_clock,
    sweep_step,
)
from propdesk.policy.rules import Policy, load_policy, parse_policy

log = logging.getLogger(__name__)

OPEN = (ClockState.RUNNING, ClockState.BREACHED)
LATE_AFTER = timedelta(seconds=60)  # an escalation sent later than this says it went out late

# --- policy and calendar -------------------------------------------------------------------------

_version_ids: dict[tuple[int, str], int] = {}


def policy_for(community: Community) -> tuple[Policy, int]:
    """The community's effective policy and the id of its stored version (made on first use)."""
    policy = load_policy(community.policy)
    key = (community.pk, policy.fingerprint())
    version_id = _version_ids.get(key)
    if version_id is None:
        version, _created = PolicyVersion.objects.get_or_create(
            community=community,
            fingerprint=key[1],
            defaults={"content": policy.model_dump(mode="json"), "created_at": _now_for_versions()},
        )
        version_id = version.pk
        # Remember it only once it is surely stored: a rolled-back row must not be cached.
        transaction.on_commit(lambda: _version_ids.__setitem__(key, version.pk))
    return policy, version_id


def _now_for_versions() -> datetime:
    from propdesk.core.clock import get_clock

    return get_clock().now()


@lru_cache(maxsize=512)
def _policy_by_fingerprint(version_id: int, fingerprint: str) -> Policy:
    content = PolicyVersion.objects.values_list("content", flat=True).get(
        pk=version_id, fingerprint=fingerprint
    )
    return parse_policy(content)


def _policy_of(clock: Clock) -> Policy:
    """The policy a clock started under. Cached by id and content hash: an id that a rollback
    freed and SQLite gave out again can never bring back the wrong content."""
    return _policy_by_fingerprint(clock.policy_version_id, clock.policy_version.fingerprint)


class OfficeCalendar(WorkingCalendar):
    """A community's working days: its own days (loaded on first need) over the statutory ones."""

    def __init__(self, community_id: int) -> None:
        super().__init__()
        self.community_id = community_id
        self._loaded = False

    def is_working_day(self, day: date) -> bool:
        if not self._loaded:
            self.overrides = dict(
                CalendarDay.objects.filter(community_id=self.community_id).values_list(
                    "day", "is_working"
                )
            )
            self._loaded = True
        return super().is_working_day(day)


# --- clocks from events --------------------------------------------------------------------------


def order_facts(order: Any) -> dict[str, Any]:
    return {
        "kind": order.kind,
        "complaint_type": order.complaint_type,
        "is_important": order.is_important,
        "is_long_running": order.is_long_running,
        "is_construction_legacy": order.is_construction_legacy,
        "state": order.state,
    }


def _running(**owner: Any) -> list[Running]:
    rows = (
        Clock.objects.filter(
            state__in=OPEN, met_at__isnull=True, cancelled_at__isnull=True, **owner
        )
        .select_related("policy_version")
        .only("id", "rule_id", "subject", "period", "progress", "policy_version__fingerprint")
    )
    return [
        Running(
            clock_id=c.pk,
            rule_id=c.rule_id,
            rule=_policy_of(c).clocks[c.rule_id],
            subject=c.subject,
            period=c.period,
            progress=frozenset(c.progress),
        )
        for c in rows
    ]


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
) -> list[Command]:
    """Start, meet, progress or cancel the clocks ``event`` concerns; call it inside the
    transaction that writes the event. ``new`` says the order or contact was just created (it
    has no clocks yet). Without ``order`` or ``contact`` the clock belongs to the community
    itself (the monthly visit quota, a common issue's notice). Returns what was done."""
    policy, version_id = policy_for(community)
    if order is not None:
        owner, scope = {"order": order}, {"order_id": order.pk}
    elif contact is not None:
        owner, scope = {"contact": contact}, {"contact_id": contact.pk}
    else:
        owner = {}
        scope = {"community_id": community.pk, "order__isnull": True, "contact__isnull": True}
    facts = Facts(
        event=event,
        at=at,
        order=order_facts(order) if order is not None else {},
        actor_roles=frozenset(str(r) for r in actor_roles),
        subject=subject,
        data=data or {},
    )
    running = [] if new else _running(**scope)
    calendar = OfficeCalendar(community.pk)
    commands = react(policy, calendar, facts, running)
    if commands:
        _apply(
            commands,
            community=community,
            owner=owner,
            policy=policy,
            version_id=version_id,
            actor=actor,
            at=at,
            fallback_years=sorted(calendar.fallback_years),
        )
    return commands


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
) -> None:
    order = owner.get("order")
    logs: list[ClockLog] = []
    started: list[Clock] = []
    by_id = {
        c.pk: c
        for c in Clock.objects.filter(
            pk__in=[c.clock_id for c in commands if not isinstance(c, Start)]
        )
    }
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
                clock.state = ClockState.CANCELLED
            clock.save(update_fields=["cancelled_at", "cancel_reason", "next_check_at", "state"])
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
    if started:
        Clock.objects.bulk_create(started)
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
    ClockLog.objects.bulk_create(logs)


# --- the sweeper ---------------------------------------------------------------------------------


@dataclass
class SweepReport:
    examined: int = 0
    warned: int = 0
    breached: int = 0
    escalations: int = 0
    notifications: int = 0
    batches: int = 0
    late: int = 0
    rules: dict[str, int] = field(default_factory=dict)


def _due_batch(now: datetime, batch_size: int) -> list[Clock]:
    qs = (
        Clock.objects.filter(next_check_at__lt=now)
        .select_related("community", "order", "order__team", "contact", "policy_version")
        # Only what the sweep reads: fewer columns to fetch and convert per row.
        .only(
            "community_id",
            "order_id",
            "contact_id",
            "rule_id",
            "title",
            "subject",
            "state",
            "due_at",
            "warn_at",
            "warned_at",
            "level",
            "policy_version_id",
            "community__name",
            "community__time_zone",
            "community__company_id",
            "order__number",
            "order__assignee_id",
            "order__team_id",
            "order__team__leader_id",
            "contact__taken_by_id",
            "policy_version__fingerprint",
        )
        .order_by("next_check_at")
    )
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs[:batch_size])


def _role_members(clocks: list[Clock], roles: set[str]) -> dict[tuple[int, str], list[int]]:
    community_ids = {c.community_id for c in clocks}
    out: dict[tuple[int, str], list[int]] = defaultdict(list)
    staff_roles = roles - {"leadership"}
    if staff_roles:
        for cid, role, uid in Membership.objects.filter(
            community_id__in=community_ids, role__in=staff_roles, user__is_active=True
        ).values_list("community_id", "role", "user_id"):
            out[(cid, role)].append(uid)
    if "leadership" in roles:
        company_of = {c.community_id: c.community.company_id for c in clocks}
        leaders: dict[int, list[int]] = defaultdict(list)
        for company_id, uid in User.objects.filter(
            is_leadership=True, is_active=True, company_id__in=set(company_of.values())
        ).values_list("company_id", "id"):
            leaders[company_id].append(uid)
        for cid, company_id in company_of.items():
            out[(cid, "leadership")] = leaders[company_id]
    return out


def _recipients(
    clock: Clock, names: Iterable[str], members: Mapping[tuple[int, str], list[int]]
) -> list[int]:
    found: list[int] = []
    order, cid = clock.order, clock.community_id
    team_leader = order.team.leader_id if order is not None and order.team is not None else None
    for name in names:
        if name == "responsible":
            if order is not None and order.assignee_id:
                found.append(order.assignee_id)
            elif team_leader:
                found.append(team_leader)
            elif clock.contact is not None:
                found.append(clock.contact.taken_by_id)
            else:
                found.extend(members.get((cid, "office_head"), []))
        elif name == "assignee":
            if order is not None and order.assignee_id:
                found.append(order.assignee_id)
        elif name == "team_leader":
            if team_leader:
                found.append(team_leader)
        elif name == "subject":
            if clock.subject.isdigit():
                found.append(int(clock.subject))
        else:
            found.extend(members.get((cid, name), []))
    return list(dict.fromkeys(found))


_NOTE_FIELDS = (
    "community",
    "recipient",
    "channel",
    "cause",
    "kind",
    "title",
    "payload",
    "dedupe_key",
    "state",
    "attempts",
    "last_error",
    "created_at",
)
_LOG_FIELDS = ("clock", "order", "at", "what", "data")


def _notice(
    clock: Clock, recipient: int, *, kind: str, level: int, at: datetime, now: datetime
) -> tuple[Any, ...]:
    """One outbox row (values of _NOTE_FIELDS) for a warning or an escalation level."""
    cause = f"clock:{clock.pk}:{kind}{level or ''}"
    if clock.order is not None:
        where = clock.order.number
    elif clock.contact is not None:
        where = _("a promise at the front desk")
    else:
        where = clock.community.name
    late_by = (now - at) if now - at > LATE_AFTER else timedelta(0)
    if kind == "warn":
        title = _("%(rule)s %(title)s: %(where)s is due at %(due)s") % {
            "rule": clock.rule_id,
            "title": clock.title,
            "where": where,
            "due": clock.due_at.astimezone(ZoneInfo(clock.community.time_zone)).strftime(
                "%m-%d %H:%M"
            ),
        }
    else:
        title = _("%(rule)s %(title)s: %(where)s is overdue (level %(level)s)") % {
            "rule": clock.rule_id,
            "title": clock.title,
            "where": where,
            "level": level,
        }
    payload = {
        "clock": clock.pk,
        "rule": clock.rule_id,
        "order": clock.order_id,
        "contact": clock.contact_id,
        "due_at": clock.due_at.isoformat(),
        "level": level,
        "sent_late": late_by > timedelta(0),
        "late_by_seconds": int(late_by.total_seconds()),
    }
    return (
        clock.community_id,
        recipient,
        "in_app",
        cause,
        "clock_warning" if kind == "warn" else "clock_escalation",
        title,
        payload,
        f"{cause}:{recipient}:in_app",
        "pending",
        0,
        "",
        now,
    )


def clocks_sweep(
    *, now: datetime, batch_size: int = 500, max_batches: int | None = None
) -> SweepReport:
    """Warn, breach and escalate every clock whose check time has passed by ``now``.

    A clock found after its deadline breaches at its true deadline (``breached_at = due_at``);
    escalations whose time passed while nobody swept go out now and say they are late. Each
    batch is one transaction: a worker killed mid-batch leaves nothing half-done, and the
    notifications' unique (cause, recipient, channel) key makes every escalation go out once.
    The clocks of a batch are updated by a few set-based UPDATEs (one per kind of change), not
    one statement per clock.
    """
    report = SweepReport()
    while max_batches is None or report.batches < max_batches:
        with transaction.atomic():
            clocks = _due_batch(now, batch_size)
            if not clocks:
                break
            report.batches += 1
            report.examined += len(clocks)
            steps = {}
            names_needed: set[str] = {"office_head"}
            for clock in clocks:
                rule = _policy_of(clock).clocks[clock.rule_id]
                step = sweep_step(
                    rule,
                    now=now,
                    state=clock.state,
                    due_at=clock.due_at,
                    warn_at=clock.warn_at,
                    warned=clock.warned_at is not None,
                    level=clock.level,
                )
                steps[clock.pk] = (rule, step)
                if step.warn:
                    names_needed.add("responsible")
                for lvl, _at in step.levels:
                    names_needed.update(rule.escalation[lvl - 1].notify)
            members = _role_members(clocks, names_needed)
            notes: list[tuple[Any, ...]] = []
            logs: list[tuple[Any, ...]] = []
            # Clocks that change the same way, relative to their own deadline, share an UPDATE.
            groups: dict[tuple[bool, bool, int, timedelta | None], list[int]] = defaultdict(list)
            for clock in clocks:
                rule, step = steps[clock.pk]
                if step.warn:
                    report.warned += 1
                    notes.extend(
                        _notice(clock, uid, kind="warn", level=0, at=now, now=now)
                        for uid in _recipients(clock, ["responsible"], members)
                    )
                    logs.append((clock.pk, clock.order_id, now, "warned", {"rule": clock.rule_id}))
                if step.breach:
                    report.breached += 1
                    report.rules[clock.rule_id] = report.rules.get(clock.rule_id, 0) + 1
                level = clock.level
                for lvl, due in step.levels:
                    report.escalations += 1
                    if now - due > LATE_AFTER:
                        report.late += 1
                    recipients = _recipients(clock, rule.escalation[lvl - 1].notify, members)
                    notes.extend(
                        _notice(clock, uid, kind="L", level=lvl, at=due, now=now)
                        for uid in recipients
                    )
                    # The breach and its first escalation are one line on the timeline.
                    first = step.breach and lvl == step.levels[0][0]
                    logs.append(
                        (
                            clock.pk,
                            clock.order_id,
                            clock.due_at if first else now,
                            "breached" if first else "escalated",
                            {
                                "rule": clock.rule_id,
                                "level": lvl,
                                "to": recipients,
                                "late_by_seconds": max(0, int((now - due).total_seconds())),
                            },
                        )
                    )
                    level = lvl
                if step.breach and not step.levels:
                    logs.append(
                        (
                            clock.pk,
                            clock.order_id,
                            clock.due_at,
                            "breached",
                            {"rule": clock.rule_id},
                        )
                    )
                offset = None if step.next_check_at is None else step.next_check_at - clock.due_at
                groups[(step.warn, step.breach, level, offset)].append(clock.pk)
            for (warned, breached, level, offset), ids in groups.items():
                changes: dict[str, Any] = {
                    "level": level,
                    "next_check_at": None if offset is None else F("due_at") + offset,
                }
                if warned:
                    changes["warned_at"] = now
                if breached:
                    changes.update(state=ClockState.BREACHED, breached_at=F("due_at"))
                Clock.objects.filter(pk__in=ids).update(**changes)
            insert_many(Notification, _NOTE_FIELDS, notes, ignore_conflicts=True)
            insert_many(ClockLog, _LOG_FIELDS, logs)
            report.notifications += len(notes)
    return report


# --- the calendar changes ------------------------------------------------------------------------


def _recompute(clocks: Iterable[Clock], *, now: datetime, reason: str) -> int:
    changed = 0
    calendars: dict[int, OfficeCalendar] = {}
    for clock in clocks:
        policy = _policy_of(clock)
        rule = policy.clocks[clock.rule_id]
        if rule.duration.kind is not DurationKind.WORKING_DAYS:
            continue
        cal = calendars.setdefault(clock.community_id, OfficeCalendar(clock.community_id))
        fresh = start_clock(
            clock.rule_id,
            rule,
            at=clock.started_at,
            policy=policy,
            calendar=cal,
            subject=clock.subject,
            period=clock.period,
        )
        if fresh.due_at == clock.due_at:
            continue
        old = clock.due_at
        clock.due_at, clock.warn_at = fresh.due_at, fresh.warn_at
        clock.next_check_at = fresh.due_at if clock.warned_at else (fresh.warn_at or fresh.due_at)
        clock.save(update_fields=["due_at", "warn_at", "next_check_at"])
        ClockLog.objects.create(
            clock=clock,
            order_id=clock.order_id,
            at=now,
            what="recomputed",
            data={
                "rule": clock.rule_id,
                "reason": reason,
                "old_due_at": old.isoformat(),
                "new_due_at": fresh.due_at.isoformat(),
            },
        )
        changed += 1
    return changed


def _working_day_rules() -> set[str]:
    """Rule ids counted in working days under any stored policy version (a handful of rows)."""
    rules = {
        rid
        for rid, r in load_policy().clocks.items()
        if r.duration.kind is DurationKind.WORKING_DAYS
    }
    for version_id, fingerprint in PolicyVersion.objects.values_list("id", "fingerprint"):
        rules |= {
            rid
            for rid, r in _policy_by_fingerprint(version_id, fingerprint).clocks.items()
            if r.duration.kind is DurationKind.WORKING_DAYS
        }
    return rules


@transaction.atomic
def calendar_day_set(
    *, community: Community, day: date, is_working: bool | None, now: datetime, note: str = ""
) -> int:
    """Make ``day`` a working day (True) or a day off (False) for the office, or give it back to
    the statutory calendar (None). Running working-day clocks whose span the day touches are
    recomputed, each with a note on its order's timeline. Returns how many changed."""
    if is_working is None:
        CalendarDay.objects.filter(community=community, day=day).delete()
    else:
        CalendarDay.objects.update_or_create(
            community=community, day=day, defaults={"is_working": is_working, "note": note}
        )
    affected = Clock.objects.filter(
        community=community,
        state=ClockState.RUNNING,
        rule_id__in=_working_day_rules(),
        started_at__date__lt=day + timedelta(days=1),
    ).filter(Q(due_at__date__gte=day - timedelta(days=1)))
    return _recompute(
        list(affected.select_related("policy_version").select_for_update(of=("self",))),
        now=now,
        reason=f"calendar:{day.isoformat()}",
    )


def calendar_source_check(*, now: datetime) -> int:
    """If the statutory calendar data changed since last seen (a package update brought next
    year's schedule), recompute every running working-day clock. Returns how many changed."""
    current = statutory_fingerprint()
    seen = CalendarSource.objects.order_by("-seen_at").first()
    if seen is not None and seen.fingerprint == current:
        return 0
    with transaction.atomic():
        CalendarSource.objects.all().delete()
        CalendarSource.objects.create(fingerprint=current, seen_at=now)
        if seen is None:
            return 0
        clocks = (
            Clock.objects.filter(state=ClockState.RUNNING, rule_id__in=_working_day_rules())
            .select_related("policy_version")
            .select_for_update(of=("self",))
        )
        return _recompute(list(clocks), now=now, reason=f"statutory:{current}")
