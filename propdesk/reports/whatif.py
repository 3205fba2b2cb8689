"""What if: a community's month replayed under another policy (``manage.py replay``, and the
back office's preview before a policy change is saved).

The month's real inputs of the clock engine (``clocks.ClockInput``, recorded as they happened)
are read for every owner (order, contact, the community itself) that had one in the month, from
that owner's first input up to now, and replayed by the pure ``propdesk.policy.replay``. The
figures "now" are the monthly report's (``compliance_for_month`` over the stored clocks); the
figures "then" are counted the same way over the replayed clocks; the orders listed are those
with a clock started in the month whose outcome the new policy changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from propdesk.clocks.models import Clock, ClockInput, ClockState
from propdesk.clocks.selectors import compliance_for_month, month_bounds
from propdesk.clocks.services import OfficeCalendar, policy_for, policy_overrides, team_hours_for
from propdesk.community.models import Community
from propdesk.core.rule_names import rule_name
from propdesk.desk.models import WorkOrder
from propdesk.policy.engine import Facts
from propdesk.policy.hours import WorkingHours
from propdesk.policy.replay import (
    BREACHED,
    RUNNING,
    Change,
    ClockKey,
    Input,
    Owner,
    RuleCompliance,
    changes,
    decode_data,
    figures,
    replay,
)
from propdesk.policy.rules import Policy, PolicyError, load_policy, parse_policy

_INPUT_FIELDS = (
    "order_id",
    "contact_id",
    "at",
    "event",
    "subject",
    "new",
    "facts_text",
    "roles_text",
    "data_text",
)
_CHUNK = 900  # ids per IN list (SQLite's old limit is 999 parameters)


def policy_from_text(
    text: str, community: Community | None = None
) -> tuple[Policy, dict[str, Any] | None]:
    """A policy file: a whole policy (it names its ``version``) or a community's overrides of
    the default (what the back office stores). Returns the policy and, for overrides, the
    overrides. Overrides for ``community`` count its deadlines in its time zone, as its own
    policy does (``policy_overrides``), unless they name another. Raises PolicyError naming
    what is wrong."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(str(exc)) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError("the top level must be a mapping")
    if "version" in data:
        return parse_policy(data), None
    return load_policy(data if community is None else policy_overrides(community, data)), data


def _owner(community_id: int, order_id: int | None, contact_id: int | None) -> Owner:
    if order_id is not None:
        return ("order", order_id)
    if contact_id is not None:
        return ("contact", contact_id)
    return ("community", community_id)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for lo in range(0, len(ids), _CHUNK):
        yield ids[lo : lo + _CHUNK]


def month_inputs(
    community: Community,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    policy: Policy | None = None,
) -> list[Input]:
    """Every input of every owner that had one in [start, end), from its first up to ``now``,
    in the order they were recorded. The community's own clocks (quotas, call-backs) come
    from all of the community's own inputs. An order's inputs carry its team's working hours
    as the team has them now (for the clocks that count team hours, under ``policy``: the
    community's own when None)."""
    month = ClockInput.objects.filter(community=community, at__gte=start, at__lt=end)
    order_ids = sorted(
        set(month.filter(order__isnull=False).values_list("order_id", flat=True).distinct())
    )
    contact_ids = sorted(
        set(month.filter(contact__isnull=False).values_list("contact_id", flat=True).distinct())
    )
    parts: list[QuerySet[ClockInput]] = [
        ClockInput.objects.filter(order_id__in=chunk) for chunk in _chunks(order_ids)
    ]
    parts += [ClockInput.objects.filter(contact_id__in=chunk) for chunk in _chunks(contact_ids)]
    parts.append(
        ClockInput.objects.filter(
            Q(community=community) & Q(order__isnull=True) & Q(contact__isnull=True)
        )
    )
    rows: list[tuple[Any, ...]] = []
    for qs in parts:
        # The JSON columns as their text: the same few texts repeat (an order's facts, a role),
        # and each is decoded once.
        rows.extend(
            qs.filter(at__lte=now)
            .annotate(
                facts_text=Cast("facts", TextField()),
                roles_text=Cast("roles", TextField()),
                data_text=Cast("data", TextField()),
            )
            .values_list("id", *_INPUT_FIELDS)
            .order_by()
        )
    rows.sort(key=lambda r: r[0])
    hours = _team_hours(community, order_ids, policy or policy_for(community)[0])
    cid = community.pk
    facts_of: dict[str, dict[str, Any]] = {}
    roles_of: dict[str, frozenset[str]] = {}
    data_of: dict[str, dict[str, Any]] = {}
    out = []
    for _id, order_id, contact_id, at, event, subject, new, facts, roles, data in rows:
        f = facts_of.get(facts)
        if f is None:
            f = facts_of[facts] = json.loads(facts)
        r = roles_of.get(roles)
        if r is None:
            r = roles_of[roles] = frozenset(json.loads(roles))
        d = data_of.get(data)
        if d is None:
            d = data_of[data] = decode_data(json.loads(data))
        out.append(
            Input(
                owner=_owner(cid, order_id, contact_id),
                facts=Facts(
                    event=event,
                    at=at,
                    order=f,
                    actor_roles=r,
                    subject=subject,
                    data=d,
                    hours=hours.get(order_id) if order_id is not None else None,
                ),
                new=new,
            )
        )
    return out


def _team_hours(
    community: Community, order_ids: list[int], policy: Policy
) -> dict[int, WorkingHours | None]:
    """order id → its team's working hours (None: no team, or no hours set), the teams read
    once each."""
    team_of: dict[int, int | None] = {}
    for chunk in _chunks(order_ids):
        team_of.update(WorkOrder.objects.filter(pk__in=chunk).values_list("id", "team_id"))
    calendar = OfficeCalendar(community.pk)
    by_team = {
        tid: team_hours_for(tid, policy=policy, calendar=calendar)
        for tid in set(team_of.values())
        if tid is not None
    }
    return {oid: by_team.get(tid) if tid is not None else None for oid, tid in team_of.items()}


def stored_outcomes(
    community: Community, start: datetime, end: datetime, now: datetime
) -> dict[ClockKey, str]:
    """The stored clocks started in the month and their outcome at ``now`` (a running clock
    past its deadline is breached, as the sweeper makes it)."""
    out: dict[ClockKey, str] = {}
    cid = community.pk
    for order_id, contact_id, rule_id, subject, period, state, due_at in Clock.objects.filter(
        community=community, started_at__gte=start, started_at__lt=end
    ).values_list("order_id", "contact_id", "rule_id", "subject", "period", "state", "due_at"):
        if state == ClockState.RUNNING and now > due_at:
            state = BREACHED
        out[(_owner(cid, order_id, contact_id), rule_id, subject, period)] = str(state)
    return out


@dataclass(frozen=True)
class RuleLine:
    """One rule: its name, and its figures now and under the new policy (None: no clock)."""

    rule_id: str
    name: str
    now: RuleCompliance | None
    then: RuleCompliance | None


@dataclass(frozen=True)
class ChangedClock:
    """A clock whose outcome the new policy changes, with what a person reads for its owner."""

    owner: Owner
    label: str  # the order's number, or what the clock is about
    rule_id: str
    name: str
    now: str  # running, met, breached, cancelled; "" where the clock does not exist
    then: str


@dataclass(frozen=True)
class WhatIf:
    community_id: int
    month: str  # YYYY-MM
    now: datetime
    inputs: int
    rules: list[RuleLine]
    changed: list[ChangedClock]

    def as_json(self) -> dict[str, Any]:
        def figures_json(r: RuleCompliance | None) -> dict[str, Any] | None:
            if r is None:
                return None
            return {
                "started": r.started,
                "met": r.met,
                "breached": r.breached,
                "running": r.running,
                "cancelled": r.cancelled,
                "compliance": None if r.compliance is None else str(r.compliance),
            }

        return {
            "community": self.community_id,
            "month": self.month,
            "now": self.now.isoformat(),
            "inputs": self.inputs,
            "rules": [
                {"rule_id": r.rule_id, "now": figures_json(r.now), "then": figures_json(r.then)}
                for r in self.rules
            ],
            "changed": [
                {
                    "owner": list(c.owner),
                    "label": c.label,
                    "rule_id": c.rule_id,
                    "now": c.now,
                    "then": c.then,
                }
                for c in self.changed
            ],
        }


def replay_month(
    community: Community,
    year: int,
    month: int,
    *,
    policy: Policy | None,
    now: datetime,
    stored: bool = True,
) -> tuple[list[RuleCompliance], list[Change], int]:
    """The month's figures per rule under ``policy`` (None: the community's own) as of ``now``,
    the clocks it changes against the stored ones (when ``stored``), and how many inputs it
    read."""
    start, end = month_bounds(community, year, month)
    if policy is None:
        policy = policy_for(community)[0]
    inputs = month_inputs(community, start, end, now, policy=policy)
    clocks = replay(policy, OfficeCalendar(community.pk), inputs, now=now)
    figs = figures(clocks, start=start, end=end, now=now)
    diff = (
        changes(stored_outcomes(community, start, end, now), clocks, start=start, end=end, now=now)
        if stored
        else []
    )
    return figs, diff, len(inputs)


def what_if(
    community: Community, year: int, month: int, *, policy: Policy, now: datetime
) -> WhatIf:
    """The month now (the monthly report's figures) and under ``policy``, rule by rule, with the
    clocks whose outcome changes (orders first, by number)."""
    then, diff, n_inputs = replay_month(community, year, month, policy=policy, now=now)
    current = {r.rule_id: r for r in compliance_for_month(community, year, month)}
    replayed = {r.rule_id: r for r in then}
    rules = [
        RuleLine(
            rule_id=rid,
            name=rule_name(rid, (current.get(rid) or replayed[rid]).title),
            now=current.get(rid),
            then=replayed.get(rid),
        )
        for rid in sorted(set(current) | set(replayed))
    ]
    numbers: dict[int, str] = {}
    for chunk in _chunks(sorted({c.owner[1] for c in diff if c.owner[0] == "order"})):
        numbers.update(WorkOrder.objects.filter(pk__in=chunk).values_list("pk", "number"))
    names = {rid: rule_name(rid, "") for rid in {c.rule_id for c in diff}}
    changed = sorted(
        (
            ChangedClock(
                owner=c.owner,
                label=_label(community, c, numbers),
                rule_id=c.rule_id,
                name=names[c.rule_id],
                now=c.now,
                then=c.then,
            )
            for c in diff
        ),
        key=lambda c: (c.owner[0] != "order", c.label, c.rule_id),
    )
    return WhatIf(
        community_id=community.pk,
        month=f"{year:04d}-{month:02d}",
        now=now,
        inputs=n_inputs,
        rules=rules,
        changed=changed,
    )


def _label(community: Community, c: Change, numbers: Mapping[int, str]) -> str:
    kind, pk = c.owner
    if kind == "order":
        return numbers.get(pk, str(pk))
    if kind == "contact":
        return _("a promise at the front desk")
    return c.subject or community.name


OUTCOME_WORDS = {
    RUNNING: "running",
    "met": "met",
    BREACHED: "breached",
    "cancelled": "cancelled",
    "": "none",
}
