"""Replay a scenario of office life on a fake clock and report every clock's outcome.

A scenario is a YAML file::

    name: 投诉10分钟内安排管理员 (CP-1)
    start: 2026-11-26T09:00:00+08:00
    policy: {}                       # optional: the community's policy overrides
    steps:
      - at: +0m                      # after the start (d, h, m, s), or an ISO time
        open: {label: A, kind: complaint}
      - at: +9m59s
        act: {order: A, action: dispatch, by: receptionist, assignee: administrator}
      - at: +1d
        end: true
    expect:                          # optional: checked, a mismatch fails the run
      A: {CP-1: met, CP-6: breached}

Steps: ``open`` (a work order: kind, complaint_type, is_important, is_long_running,
is_construction_legacy, description), ``act`` (an action of the workflow table on a labelled
order, ``by`` a role), ``promise`` / ``keep`` (FD-3 at the front desk), ``event`` (a clock event
of a later feature: return_visit, responder_notified … with ``order``, ``subject``, ``data``),
``calendar`` (an office day: ``{day: 2026-11-27, working: false}``), ``repeat`` (``every``,
``times``, ``steps``: the nested steps again, labels suffixed with the round), ``end``.
Between steps the sweeper runs at every moment a clock needs it, as the worker would.

Everything happens in one transaction that is rolled back at the end: the database is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Min

from propdesk.clocks.models import Clock
from propdesk.clocks.services import calendar_day_set, clocks_on_event, clocks_sweep
from propdesk.community.models import (
    Building,
    Community,
    Company,
    Household,
    Membership,
    Team,
    TeamMember,
    Unit,
    User,
)
from propdesk.core.clock import FixedClock
from propdesk.desk.models import Contact, WorkOrder
from propdesk.desk.services import (
    ContactInput,
    WorkOrderDraft,
    contact_log,
    contact_promise_keep,
    work_order_create,
    work_order_transition,
)

_DELTA = re.compile(r"^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
ROLES = (
    "receptionist",
    "administrator",
    "office_head",
    "repair_leader",
    "repair_member",
    "cleaning_leader",
    "leadership",
)


class ScenarioError(ValueError):
    """The scenario file is wrong; the message says where."""


class _Rollback(Exception):
    pass


@dataclass
class ClockOutcome:
    owner: str
    rule_id: str
    period: int
    subject: str
    started_at: datetime
    due_at: datetime
    outcome: str  # met, breached, met late, cancelled, running
    at: datetime | None
    escalations: int


@dataclass
class SimulationReport:
    name: str
    outcomes: list[ClockOutcome] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    sweeps: int = 0
    steps: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures


def parse_when(value: Any, start: datetime, where: str) -> datetime:
    if isinstance(value, datetime):
        when = value
    else:
        text = str(value).strip()
        m = _DELTA.match(text)
        if m and any(m.groups()):
            d, h, mi, s = (int(x or 0) for x in m.groups())
            return start + timedelta(days=d, hours=h, minutes=mi, seconds=s)
        try:
            when = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ScenarioError(
                f"{where}: at must be +1d2h3m4s or an ISO time, not {text}"
            ) from exc
    if when.tzinfo is None:
        raise ScenarioError(f"{where}: the time needs a UTC offset, e.g. +08:00")
    return when


def _expand(
    steps: list[Any], start: datetime, where: str, suffix: str = ""
) -> Iterator[tuple[datetime, dict[str, Any], str]]:
    if not isinstance(steps, list):
        raise ScenarioError(f"{where}: steps must be a list")
    for i, step in enumerate(steps):
        here = f"{where}[{i}]"
        if not isinstance(step, dict):
            raise ScenarioError(f"{here}: a step is a mapping")
        if "repeat" in step:
            rep = step["repeat"]
            every = parse_when(f"+{rep.get('every', '1d')}", start, here) - start
            base = parse_when(step.get("at", "+0s"), start, here)
            for n in range(int(rep.get("times", 1))):
                yield from _expand(
                    rep.get("steps", []), base + n * every, f"{here}.repeat", f"{suffix}#{n + 1}"
                )
            continue
        yield parse_when(step.get("at", "+0s"), start, here), step, suffix


class _World:
    """A scratch community with one staff member per role, rolled back after the run."""

    def __init__(self, policy: dict[str, Any]) -> None:
        company = Company.objects.create(name="模拟物业（仿真）")
        self.community = Community.objects.create(
            company=company, name="模拟小区", code="sim", policy=policy
        )
        self.users = {
            role: User.objects.create(
                username=f"sim-{role}",
                name=role,
                company=company,
                is_leadership=role == "leadership",
            )
            for role in ROLES
        }
        for role, user in self.users.items():
            membership = {
                "repair_leader": "team_leader",
                "repair_member": "team_member",
                "cleaning_leader": "team_leader",
            }.get(role, role)
            if role != "leadership":
                Membership.objects.create(user=user, community=self.community, role=membership)
        repair = Team.objects.create(
            community=self.community,
            kind="repair",
            name="维修班",
            leader=self.users["repair_leader"],
        )
        TeamMember.objects.create(team=repair, user=self.users["repair_member"])
        Team.objects.create(
            community=self.community,
            kind="cleaning",
            name="清洁班",
            leader=self.users["cleaning_leader"],
        )
        Team.objects.create(
            community=self.community,
            kind="customer_service",
            name="客服中心",
            leader=self.users["office_head"],
        )
        unit = Unit.objects.create(
            building=Building.objects.create(community=self.community, number="1"), number="1"
        )
        self.household = Household.objects.create(
            community=self.community, unit=unit, room="101", code="1-1-101"
        )
        self.orders: dict[str, WorkOrder] = {}
        self.contacts: dict[str, Contact] = {}

    def user(self, role: str, where: str) -> User:
        if role not in self.users:
            raise ScenarioError(f"{where}: unknown role {role}; use {', '.join(ROLES)}")
        return self.users[role]

    def order(self, label: str, where: str) -> WorkOrder:
        if label not in self.orders:
            raise ScenarioError(f"{where}: no order labelled {label} was opened before")
        return WorkOrder.objects.get(pk=self.orders[label].pk)


def _sweep_until(report: SimulationReport, clock: FixedClock, target: datetime) -> None:
    """Run the sweeper at every moment a clock needs it, up to ``target``."""
    while True:
        nxt = Clock.objects.filter(next_check_at__isnull=False).aggregate(m=Min("next_check_at"))[
            "m"
        ]
        if nxt is None or nxt >= target:
            break
        clock.at = max(clock.at, nxt + timedelta(seconds=1))
        clocks_sweep(now=clock.at)
        report.sweeps += 1
    clock.at = max(clock.at, target)


def _run_step(world: _World, now: datetime, step: dict[str, Any], suffix: str, where: str) -> None:
    def label(value: Any) -> str:
        return f"{value}{suffix}"

    if "open" in step:
        spec = dict(step["open"])
        name = label(spec.pop("label", f"order{len(world.orders) + 1}"))
        by = world.user(spec.pop("by", "receptionist"), where)
        spec.setdefault("description", "仿真工单")
        try:
            draft = WorkOrderDraft(household=world.household, **spec)
        except TypeError as exc:
            raise ScenarioError(f"{where}: open: {exc}") from exc
        world.orders[name] = work_order_create(
            community=world.community, by=by, now=now, draft=draft
        )
    elif "act" in step:
        spec = dict(step["act"])
        order = world.order(label(spec.pop("order", "")), where)
        by = world.user(spec.pop("by", "administrator"), where)
        assignee = spec.pop("assignee", None)
        work_order_transition(
            order_id=order.pk,
            action=spec.pop("action", ""),
            by=by,
            now=now,
            version=order.version,
            note=spec.pop("note", "仿真处理"),
            assignee=world.user(assignee, where) if assignee else None,
            channel=spec.pop("channel", ""),
            flags=spec.pop("flags", None),
            waiting=spec.pop("waiting", ""),
        )
    elif "promise" in step:
        spec = dict(step["promise"])
        name = label(spec.pop("label", f"contact{len(world.contacts) + 1}"))
        promised = parse_when(spec.pop("promised", "+1d"), now, where)
        world.contacts[name] = contact_log(
            community=world.community,
            by=world.user("receptionist", where),
            now=now,
            data=ContactInput(
                channel="phone",
                intent=spec.pop("intent", "repair"),
                content=spec.pop("content", "仿真来电"),
                outcome="promised",
                caller_phone="13800000000",
                promised_at=promised,
                promise_reason=spec.pop("reason", "需协调外部单位"),
            ),
        )
    elif "keep" in step:
        contact = world.contacts[label(step["keep"])]
        contact_promise_keep(
            contact_id=contact.pk,
            by=world.user("receptionist", where),
            now=now,
            result="已按承诺处理",
        )
    elif "event" in step:
        spec = dict(step["event"])
        event_order = world.order(label(spec["order"]), where) if "order" in spec else None
        data = {
            k: parse_when(v, now, where) if k in {"deadline", "due_at", "promised_at"} else v
            for k, v in (spec.get("data") or {}).items()
        }
        subject = str(spec.get("subject", ""))
        if subject in world.users:
            subject = str(world.users[subject].pk)
        clocks_on_event(
            community=world.community,
            event=spec["name"],
            at=now,
            order=event_order,
            subject=label(subject) if subject and not subject.isdigit() else subject,
            data=data,
        )
    elif "calendar" in step:
        spec = step["calendar"]
        calendar_day_set(
            community=world.community,
            day=date.fromisoformat(str(spec["day"])),
            is_working=spec.get("working"),
            now=now,
        )
    elif not step.get("end"):
        raise ScenarioError(f"{where}: unknown step {sorted(step)}")


def _outcomes(world: _World) -> list[ClockOutcome]:
    names: dict[str, str] = {f"o{o.pk}": n for n, o in world.orders.items()}
    names.update({f"c{c.pk}": n for n, c in world.contacts.items()})
    rows = []
    for c in Clock.objects.filter(community=world.community).order_by("started_at", "id"):
        key = f"o{c.order_id}" if c.order_id else f"c{c.contact_id}"
        owner = names.get(key) or "小区"
        at: datetime | None
        if c.state == "breached" and c.met_at:
            outcome, at = "met late", c.met_at
        else:
            outcome = c.state
            at = {"met": c.met_at, "breached": c.breached_at, "cancelled": c.cancelled_at}.get(
                c.state
            )
        rows.append(
            ClockOutcome(
                owner, c.rule_id, c.period, c.subject, c.started_at, c.due_at, outcome, at, c.level
            )
        )
    return rows


def run_scenario(text: str) -> SimulationReport:
    """Run a scenario (YAML text) and return every clock's outcome; nothing is kept."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(str(exc)) from exc
    if not isinstance(data, dict) or "start" not in data or "steps" not in data:
        raise ScenarioError("a scenario needs start and steps")
    if isinstance(data["start"], str) and data["start"].strip().startswith("+"):
        raise ScenarioError("start: must be an ISO time with a UTC offset")
    start = parse_when(data["start"], datetime.fromtimestamp(0, UTC), "start")
    report = SimulationReport(name=str(data.get("name", "")))
    steps = sorted(_expand(data["steps"], start, "steps"), key=lambda s: s[0])
    clock = FixedClock(start)
    try:
        with transaction.atomic():
            world = _World(data.get("policy") or {})
            for i, (when, step, suffix) in enumerate(steps):
                _sweep_until(report, clock, when)
                _run_step(world, clock.now(), step, suffix, f"steps[{i}]")
                report.steps += 1
            if steps:
                _sweep_until(report, clock, steps[-1][0])
            report.outcomes = _outcomes(world)
            for owner, rules in (data.get("expect") or {}).items():
                for rule_id, wanted in rules.items():
                    got = [
                        o.outcome
                        for o in report.outcomes
                        if o.owner == str(owner) and o.rule_id == rule_id
                    ]
                    if not got:
                        report.failures.append(f"{owner} {rule_id}: expected {wanted}, no clock")
                    elif got[-1] != wanted:
                        report.failures.append(
                            f"{owner} {rule_id}: expected {wanted}, got {got[-1]}"
                        )
            raise _Rollback
    except _Rollback:
        pass
    return report
