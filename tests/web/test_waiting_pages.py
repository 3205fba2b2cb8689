"""Issue 16 on the console: the order page and the phone job page set and end a wait (待料,
业主不在家 …) with a reason; the page shows the order as waiting, its paused clocks as 暂停计时,
and each pause on the timeline; the board does not count a paused clock as overdue (DS-1)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from propdesk.clocks.models import Clock
from propdesk.desk.models import WorkOrder
from tests.web.conftest import act, browser_for


def post(page, url: str, order: WorkOrder, action: str, **data):
    order.refresh_from_db()
    return page.post(url, {"form": "action", "action": action, "version": order.version, **data})


def test_DS_1_the_assignee_sets_a_wait_from_the_phone_and_the_order_page_shows_it(
    office, clock, open_order
) -> None:
    order = open_order()
    act(order, "claim", office.repair_member, clock)
    phone = browser_for(office.repair_member)
    job = reverse("desk-job", args=[order.pk])
    page = phone.get(job).content.decode()
    assert ">等待<" in page and "业主不在家" in page and "待料" in page
    r = post(phone, job, order, "wait", waiting="parts", note="缺角阀，明天到货")
    assert r.status_code == 302
    assert "等待中：待料" in phone.get(job).content.decode()
    clock.advance(hours=2)
    head = browser_for(office.head)
    html = head.get(reverse("desk-order", args=[order.pk])).content.decode()
    assert 'id="order-waiting"' in html and "待料" in html
    assert "暂停计时" in html  # DS-1's chip and its timeline line
    assert "缺角阀，明天到货" in html
    r = post(head, reverse("desk-order", args=[order.pk]), order, "end_wait", note="配件到了")
    assert r.status_code == 302
    html = head.get(reverse("desk-order", args=[order.pk])).content.decode()
    assert "恢复计时" in html and "暂停2小时" in html and 'id="order-waiting"' not in html


def test_DS_1_a_wait_without_its_kind_or_reason_shows_a_chinese_error_and_keeps_the_text(
    office, clock, open_order
) -> None:
    order = open_order()
    act(order, "claim", office.repair_member, clock)
    page = browser_for(office.repair_leader)
    url = reverse("desk-order", args=[order.pk])
    r = post(page, url, order, "wait", waiting="", note="业主出差")
    assert r.status_code == 400
    html = r.content.decode()
    assert "请选择工单在等待什么" in html and "业主出差" in html
    order.refresh_from_db()
    assert order.waiting == ""


def test_DS_1_a_paused_clock_past_its_old_deadline_is_not_overdue_on_the_board(
    office, clock, open_order
) -> None:
    order = open_order()
    act(order, "claim", office.repair_member, clock)
    act(order, "wait", office.repair_member, clock, waiting="owner_absent", note="业主不在家")
    ds1 = Clock.objects.get(order=order, rule_id="DS-1")
    clock.at = ds1.due_at + timedelta(minutes=1)
    board = browser_for(office.head).get(
        reverse("desk-board", args=[office.community.pk]), {"overdue": "1"}
    )
    assert order.number not in board.content.decode()
    rows = browser_for(office.head).get(reverse("desk-board", args=[office.community.pk]))
    assert 'class="badge waiting">等待中<' in rows.content.decode()
    jobs = browser_for(office.repair_member).get(reverse("desk-jobs", args=[office.community.pk]))
    assert 'class="badge waiting">等待中<' in jobs.content.decode()
