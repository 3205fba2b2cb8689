"""EM-1..3: an emergency's order is stored as a complaint but is none. The workflow itself (the
one table, policy.workflow, through desk.services.work_order_transition) refuses a complaint's
steps on it: 答复 (reply), 跟踪回访 (follow_up, CP-2) and 每周跟进 (contact_owner, CP-7); the
console says why in Chinese and nothing changes. A complaint still takes them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.clocks.models import Clock
from propdesk.core.errors import Conflict
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import situation
from propdesk.incidents.models import Emergency
from propdesk.incidents.services import emergency_log, emergency_resolve
from propdesk.policy.workflow import actions_for
from tests.conftest import Office
from tests.desk.test_work_orders import act, repair

REFUSED_WORDS = "紧急事件不是投诉"
# What each complaint step takes beside the version (the API and the console send the same).
STEPS: dict[str, dict[str, Any]] = {
    "reply": {"channel": "phone", "note": "已电话告知业主"},
    "contact_owner": {"channel": "phone", "note": "本周进展"},
}


def fire(office: Office, clock) -> Emergency:
    return emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋地下车库",
        description="冒烟",
    )


def handled(office: Office, clock, emergency: Emergency) -> WorkOrder:
    clock.advance(minutes=8)
    emergency_resolve(emergency_id=emergency.pk, by=office.head, now=clock.now(), note="已扑灭")
    return WorkOrder.objects.get(pk=emergency.order_id)


def snapshot(order: WorkOrder) -> tuple[Any, ...]:
    order.refresh_from_db()
    return (
        order.version,
        order.state,
        order.is_long_running,
        order.events.count(),
        Clock.objects.filter(order=order).count(),
    )


@pytest.mark.parametrize("step", sorted(STEPS))
def test_em1_the_service_refuses_a_complaint_step_on_an_open_emergency(office, clock, step) -> None:
    order = fire(office, clock).order
    before = snapshot(order)
    with pytest.raises(Conflict) as refused:
        act(order, step, office.head, clock, **STEPS[step])
    assert refused.value.code == "not_for_emergency"
    assert snapshot(order) == before
    assert step not in actions_for(situation(order, office.head))


def test_em3_a_handled_emergency_gets_no_follow_up_and_no_answer(office, clock) -> None:
    """CP-2's 跟踪回访 and 答复 are a complaint's: the handled emergency is closed, not visited."""
    order = handled(office, clock, fire(office, clock))
    assert order.state == "resolved"
    before = snapshot(order)
    for step, given in {"follow_up": {"note": "业主满意"}, **STEPS}.items():
        with pytest.raises(Conflict) as refused:
            act(order, step, office.head, clock, **given)
        assert refused.value.code == "not_for_emergency", step
    assert snapshot(order) == before
    offered = actions_for(situation(order, office.head))
    assert "close" in offered
    assert not {"follow_up", "reply", "contact_owner"} & set(offered)
    closed = act(order, "close", office.head, clock)
    assert closed.state == "closed"


def test_a_complaint_still_takes_the_complaint_steps(office, clock) -> None:
    complaint = repair(office, clock, kind="complaint", description="楼上噪音")
    for step, given in STEPS.items():
        act(complaint, step, office.administrator, clock, **given)
    complaint.refresh_from_db()
    assert set(complaint.events.values_list("action", flat=True)) >= set(STEPS)


def test_em1_the_console_refuses_a_posted_reply_in_chinese(office, clock) -> None:
    """A reply posted to the order page by hand (an old page, a script): the bar never offered
    it, and the workflow refuses it with the reason in Chinese; nothing is written."""
    order = fire(office, clock).order
    before = snapshot(order)
    page = reverse("desk-order", args=[order.pk])
    head = Client()
    head.force_login(office.head)
    r = head.post(
        page,
        {"form": "action", "action": "reply", "version": order.version, **STEPS["reply"]},
    )
    assert r.status_code == 400
    assert REFUSED_WORDS in r.content.decode()
    assert snapshot(order) == before
