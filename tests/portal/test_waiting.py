"""Issue 16 for the resident: a waiting order says in plain words what it waits for (等待中：业主
不在家) on its page and in its timeline, without the staff's reason; a wait ended by the next
step is no line of its own."""

from __future__ import annotations

from django.urls import reverse

from propdesk.desk.models import WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition

PHONE = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py make_office)


def act(order: WorkOrder, action: str, by, clock, **kw) -> WorkOrder:
    order.refresh_from_db()
    return work_order_transition(
        order_id=order.pk, action=action, by=by, now=clock.now(), version=order.version, **kw
    )


def test_the_resident_reads_what_the_order_waits_for_not_why(office, clock, resident_client):
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="水管漏水", household=office.household),
    )
    act(order, "claim", office.repair_member, clock)
    act(order, "check_in", office.repair_member, clock)
    act(order, "wait", office.repair_member, clock, waiting="owner_absent", note="敲门无人应答")
    page = resident_client(PHONE).get(reverse("portal:order", args=[order.pk]))
    html = page.content.decode()
    assert "等待中：业主不在家" in html
    assert "敲门无人应答" not in html
    clock.advance(hours=1)
    act(order, "end_wait", office.repair_member, clock)
    act(order, "wait", office.repair_member, clock, waiting="parts", note="内部：缺配件")
    act(order, "resolve", office.repair_member, clock, note="已更换")  # ends the wait first
    page = resident_client(PHONE).get(reverse("portal:order", args=[order.pk]))
    texts = [line.text for line in page.context["timeline"]]
    assert texts[-5:] == [
        texts[-5],  # arrived
        "等待中：业主不在家",
        "继续处理",
        "等待中：待料",
        "已完工",
    ]
    assert "内部：缺配件" not in page.content.decode()
