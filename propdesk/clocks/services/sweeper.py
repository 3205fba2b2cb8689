"""The sweeper: warns, breaches and escalates due clocks, by index, in batches, safely with
many workers at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from propdesk.clocks.models import (
    Clock,
    ClockLog,
    ClockState,
)
from propdesk.clocks.services.policy import _policy_of
from propdesk.community.access import CALLER_SUBJECT, clock_subject_as_seen, preload_access
from propdesk.community.models import Membership, User
from propdesk.core.bulk import insert_many
from propdesk.core.rule_names import escalation_level, missed_call_text, rule_text
from propdesk.notify.models import Notification
from propdesk.policy.engine import (
    sweep_step,
)

LATE_AFTER = timedelta(seconds=60)  # an escalation sent later than this says it went out late


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
        .select_related(
            "community",
            "order",
            "order__assignee",
            "order__team",
            "order__team__leader",
            "contact",
            "contact__taken_by",
            "policy_version",
        )
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
            "order__assignee__is_active",
            "order__team_id",
            "order__team__leader_id",
            "order__team__leader__is_active",
            "contact__taken_by_id",
            "contact__taken_by__is_active",
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
    clock: Clock,
    names: Iterable[str],
    members: Mapping[tuple[int, str], list[int]],
    active: Collection[int] = (),
) -> list[int]:
    """The user ids ``names`` find for ``clock``: roles of its community (active members,
    ``members``) and people (assignee, team leader, the contact's taker, the subject). A person
    whose account is inactive (left the office) is passed over: ``responsible`` goes on to the
    next in line, the others find nobody. ``active``: the subjects of the batch still active."""
    found: list[int] = []
    order, cid = clock.order, clock.community_id
    assignee = order.assignee if order is not None and order.assignee_id else None
    assignee_id = assignee.pk if assignee is not None and assignee.is_active else None
    leader = order.team.leader if order is not None and order.team is not None else None
    team_leader = leader.pk if leader is not None and leader.is_active else None
    taker = clock.contact.taken_by if clock.contact is not None else None
    for name in names:
        if name == "responsible":
            if assignee_id:
                found.append(assignee_id)
            elif team_leader:
                found.append(team_leader)
            elif taker is not None and taker.is_active:
                found.append(taker.pk)
            else:
                found.extend(members.get((cid, "office_head"), []))
        elif name == "assignee":
            if assignee_id:
                found.append(assignee_id)
        elif name == "team_leader":
            if team_leader:
                found.append(team_leader)
        elif name == "subject":
            person = _person(clock)
            if person is not None and person in active:
                found.append(person)
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


class _Readers:
    """The recipients of a batch's notices about a missed call, loaded once (with their roles)
    the first time one is needed: the caller's number in the title is written as each may read
    it (community.access.clock_subject_as_seen: whole for the roles that call owners, masked for
    anyone else a community's policy sends it to, such as a team leader or company leadership)."""

    def __init__(self, members: Mapping[tuple[int, str], list[int]]) -> None:
        self.members = members
        self.users: dict[int, User] = {}

    def subject(self, clock: Clock, recipient: int) -> str:
        if not clock.subject.startswith(CALLER_SUBJECT):
            return clock.subject
        if recipient not in self.users:
            # The batch's role members at once (three queries), then anyone else one by one.
            wanted = {recipient} | (
                set() if self.users else {u for ids in self.members.values() for u in ids}
            )
            found = {u.pk: u for u in User.objects.filter(pk__in=wanted)}
            preload_access(found.values())
            self.users.update(found)
        return clock_subject_as_seen(self.users.get(recipient), clock.community_id, clock.subject)


def _person(clock: Clock) -> int | None:
    """The person a clock is about, by user id alone or before a colon (EM-2: the responder;
    "12:home_visit:3": user 12; the ``subject`` recipient), or None."""
    person = clock.subject.split(":", 1)[0]
    return int(person) if person.isdigit() else None


def _people(clocks: Iterable[Clock]) -> tuple[dict[int, str], set[int]]:
    """The names of the people a batch's clocks are about, and which of them are active (the
    ``subject`` recipient: someone who left hears nothing), in one read (none when no clock of
    the batch is about a person)."""
    ids = {p for p in (_person(c) for c in clocks) if p is not None}
    if not ids:
        return {}, set()
    names: dict[int, str] = {}
    active: set[int] = set()
    for pk, name, username, is_active in User.objects.filter(pk__in=ids).values_list(
        "pk", "name", "username", "is_active"
    ):
        names[pk] = name or username
        if is_active:
            active.add(pk)
    return names, active


def _notice(
    clock: Clock,
    recipient: int,
    *,
    kind: str,
    level: int,
    at: datetime,
    now: datetime,
    readers: _Readers,
    people: Mapping[int, str] | None = None,
) -> tuple[Any, ...]:
    """One outbox row (values of _NOTE_FIELDS) for a warning or an escalation level. A clock
    about a person (``people``: their names) names them: an emergency's three 5分钟内到场 lines,
    one per responder, read alike without it."""
    cause = f"clock:{clock.pk}:{kind}{level or ''}"
    if clock.order is not None:
        where = clock.order.number
        who = (people or {}).get(_person(clock) or 0)
        if who:
            where = f"{where} · {who}"
    elif clock.contact is not None:
        where = _("a promise at the front desk")
    else:  # a missed call's call-back is about the caller's number, not the community
        where = missed_call_text(readers.subject(clock, recipient)) or clock.community.name
    late_by = (now - at) if now - at > LATE_AFTER else timedelta(0)
    if kind == "warn":
        title = _("%(rule)s: %(where)s is due at %(due)s") % {
            "rule": rule_text(clock.rule_id, clock.title),
            "where": where,
            "due": clock.due_at.astimezone(ZoneInfo(clock.community.time_zone)).strftime(
                "%m-%d %H:%M"
            ),
        }
    else:
        title = _("%(rule)s: %(where)s is overdue (%(level)s)") % {
            "rule": rule_text(clock.rule_id, clock.title),
            "where": where,
            "level": escalation_level(level),
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
    if not Clock.objects.filter(next_check_at__lt=now).exists():
        return report  # nothing due: one index probe, no transaction (on SQLite no write lock)
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
            readers = _Readers(members)
            people, active = _people(
                c for c in clocks if steps[c.pk][1].warn or steps[c.pk][1].levels
            )
            notes: list[tuple[Any, ...]] = []
            logs: list[tuple[Any, ...]] = []
            # Clocks that change the same way, relative to their own deadline, share an UPDATE.
            groups: dict[tuple[bool, bool, int, timedelta | None], list[int]] = defaultdict(list)
            for clock in clocks:
                rule, step = steps[clock.pk]
                if step.warn:
                    report.warned += 1
                    notes.extend(
                        _notice(
                            clock,
                            uid,
                            kind="warn",
                            level=0,
                            at=now,
                            now=now,
                            readers=readers,
                            people=people,
                        )
                        for uid in _recipients(clock, ["responsible"], members, active)
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
                    recipients = _recipients(
                        clock, rule.escalation[lvl - 1].notify, members, active
                    )
                    notes.extend(
                        _notice(
                            clock,
                            uid,
                            kind="L",
                            level=lvl,
                            at=due,
                            now=now,
                            readers=readers,
                            people=people,
                        )
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
