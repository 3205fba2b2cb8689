"""A clock met after its deadline (超时完成) is done: the order page, the board's overdue filter
and the administrator's queue stop showing it as overdue work. The office answered the owner
late; until this, the reply stayed in 待答复业主 with its red "+19天" until the order closed."""

from __future__ import annotations

import re

from django.urls import reverse

from propdesk.clocks.models import Clock
from propdesk.clocks.services import clocks_sweep
from tests.web.conftest import act, browser_for


def test_a_reply_given_late_leaves_the_queue_the_board_and_the_order_page(
    office, clock, open_order
) -> None:
    order = open_order("complaint", description="夜间施工噪音", complaint_type="general")
    act(order, "take", office.administrator, clock)
    clock.advance(days=2)  # CP-6 (the same day) is long past
    clocks_sweep(now=clock.now())
    assert Clock.objects.get(order=order, rule_id="CP-6").state == "breached"
    page = browser_for(office.administrator)
    community = office.community.pk
    replies = reverse("desk-queue-section", args=[community, "replies"])
    board = reverse("desk-board", args=[community]) + "?overdue=1"
    order_page = reverse("desk-order", args=[order.pk])
    assert order.number in page.get(replies).content.decode()  # overdue: it is owed
    assert order.number in page.get(board).content.decode()

    act(order, "reply", office.administrator, clock, note="已答复业主", channel="phone")

    cp6 = Clock.objects.get(order=order, rule_id="CP-6")
    assert cp6.met_at is not None  # met late: still counted as a breach in the month's figures
    assert order.number not in page.get(replies).content.decode()
    assert order.number not in page.get(board).content.decode()
    html = page.get(order_page).content.decode()
    assert not re.search(r'class="clock[^"]*"[^>]*data-rule="CP-6"', html)
