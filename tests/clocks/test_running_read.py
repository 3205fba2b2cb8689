"""The clock engine's read of the clocks an event can act on (``clocks.services.events._running``,
its SQL built once) gives exactly what the ORM's query over ``engine.in_reach`` gives: the same
clocks in the same order (nearest deadline first, then by id), each with the same fields and the
rules of the policy version it started under, on awkward data: several owners, every state,
met or cancelled but still marked running, paused, other communities, other numbers, an earlier
policy version, deadlines that tie."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Q

from propdesk.clocks.models import Clock, ClockState
from propdesk.clocks.services.events import _running
from propdesk.clocks.services.policy import _policy_of, policy_for
from propdesk.desk.models import Contact
from propdesk.desk.services import ContactInput, WorkOrderDraft, contact_log, work_order_create
from propdesk.policy.engine import APPOINT_EVENT, Reach, Running, reach
from propdesk.policy.rules import WAIT_END, WAIT_START
from tests.conftest import Office

pytestmark = pytest.mark.django_db

OPEN = (ClockState.RUNNING, ClockState.BREACHED)


def _orm(found: Reach | None, subject: str, version_id: int, **owner: Any) -> list[Running]:
    """The read as the ORM made it before: a Q tree of engine.in_reach, compiled per call."""
    within = Q()
    if found is not None:
        within = (
            Q(subject__in=["", subject])
            | Q(rule_id__in=sorted(found.rules))
            | Q(paused_at__isnull=False, rule_id__in=sorted(found.paused_rules))
            | ~Q(policy_version_id=version_id)
        )
    rows = Clock.objects.filter(
        within, state__in=OPEN, met_at__isnull=True, cancelled_at__isnull=True, **owner
    ).select_related("policy_version")
    return [
        Running(
            clock_id=c.pk,
            rule_id=c.rule_id,
            rule=_policy_of(c).clocks[c.rule_id],
            subject=c.subject,
            period=c.period,
            progress=frozenset(c.progress),
            breached=c.state == ClockState.BREACHED,
            paused_at=c.paused_at,
            due_at=c.due_at,
            warn_at=c.warn_at,
            started_at=c.started_at,
        )
        for c in rows
    ]


def _contact(office: Office, clock: Any, phone: str) -> Contact:
    return contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="phone",
            intent="consultation",
            content="咨询停车",
            outcome="resolved",
            resolution="已答复",
            caller_phone=phone,
        ),
    )


def test_the_read_is_the_orms_on_awkward_data(office: Office, other_office: Office, clock) -> None:  # type: ignore[no-untyped-def]
    rnd = random.Random(15)
    community = office.community
    orders = [
        work_order_create(
            community=community,
            by=office.receptionist,
            now=clock.now(),
            draft=WorkOrderDraft(kind=kind, description="问题描述", household=office.household),
        )
        for kind in ("repair", "complaint", "repair")
    ]
    contacts = [_contact(office, clock, "13812345678"), _contact(office, clock, "13900000001")]
    # An earlier policy version: its clocks are read whatever their subject.
    _old_policy, old_version = policy_for(community)
    community.policy = {"notify_cap": {"per_person": 50}}
    community.save()
    policy, version = policy_for(community)
    assert version != old_version
    other_policy, other_version = policy_for(other_office.community)
    rules = sorted(policy.clocks)
    subjects = ["", "phone:13812345678", "phone:13900000001", "household:7", "staff:3"]
    owners: list[dict[str, Any]] = [
        *({"order": o} for o in orders),
        *({"contact": c} for c in contacts),
        {},
    ]
    base = clock.now()
    for i in range(240):
        owner = rnd.choice(owners)
        mine = rnd.random() < 0.85
        state = rnd.choice([*ClockState.values, ClockState.RUNNING, ClockState.BREACHED])
        due = base + timedelta(minutes=rnd.choice([5, 10, 10, 60, -30]))  # ties on purpose
        Clock.objects.create(
            community=community if mine else other_office.community,
            **(owner if mine else {}),
            rule_id=rnd.choice(rules if mine else sorted(other_policy.clocks)),
            title=f"时限 {i}",
            subject=rnd.choice(subjects),
            period=rnd.choice([1, 2]),
            state=state,
            started_at=base - timedelta(minutes=rnd.randint(0, 300)),
            due_at=due,
            warn_at=rnd.choice([None, due - timedelta(minutes=3)]),
            met_at=base if rnd.random() < 0.1 else None,
            cancelled_at=base if rnd.random() < 0.1 else None,
            paused_at=base if rnd.random() < 0.25 else None,
            progress=rnd.choice([[], ["activity:1"], ["activity:1", "activity:2"]]),
            policy_version_id=(
                rnd.choice([version, version, old_version]) if mine else other_version
            ),
        )
    events = sorted(
        {t.event for r in policy.clocks.values() for t in (*r.start, *r.met, *r.cancel)}
        | {WAIT_START, WAIT_END, APPOINT_EVENT, "call_logged", "no_such_event"}
    )
    scopes = [
        *((("order", o.pk), {"order_id": o.pk}) for o in orders),
        *((("contact", c.pk), {"contact_id": c.pk}) for c in contacts),
        (
            ("community", community.pk),
            {"community_id": community.pk, "order__isnull": True, "contact__isnull": True},
        ),
    ]
    shapes = set()
    compared = 0
    for event in events:
        for subject in subjects:
            found = reach(policy, event, subject)
            if found is not None:
                shapes.add((bool(found.rules), bool(found.paused_rules)))
            for (kind, pk), owner_q in scopes:
                got = _running(found, subject, version, kind, pk)
                want = _orm(found, subject, version, **owner_q)
                assert got == want, (event, subject, kind)
                assert [type(getattr(r, "due_at", None)) for r in got] == [
                    type(r.due_at) for r in want
                ]
                compared += len(want)
    # Every shape of the reach was met (no rules, paused rules), and many clocks read.
    assert (False, False) in shapes and (False, True) in shapes
    assert compared > 500
    # An owner with nothing open reads nothing.
    assert _running(None, "", version, "order", 10**9) == []
