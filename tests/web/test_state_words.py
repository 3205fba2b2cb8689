"""An order's state in its kind's words, the same on every screen (GLOSSARY.md): a repair or a
service is 完工 (已完工), a complaint is taken (受理: 已受理) and handled to the end (办结:
已办结), never 处理完成 — on the staff's order page and phone page, the lists, the API's
``state_display``, the portal, the rating page, the printed form and the text message. The kind
of a repair request is 报修; a complaint in a sentence is 投诉（一般投诉）. 派单 says to whom. A
waiting clock's line names its rule by the policy's title, the ID once and small."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse

from propdesk.clocks.models import Clock
from propdesk.clocks.services import clocks_sweep
from propdesk.desk.models import OrderState
from propdesk.notify.models import Notification, ResidentMessage
from propdesk.portal.access import SESSION_KEY
from tests.conftest import client_for
from tests.desk.test_printing import print_order
from tests.pdfs import pdf_text
from tests.web.conftest import act, browser_for
from tests.words import problems, visible_text

PHONE = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py)


def state_on_order_page(user, order) -> str:
    html = browser_for(user).get(reverse("desk-order", args=[order.pk])).content.decode()
    return re.search(r"<dd><strong>(.*?)</strong>", html).group(1)  # type: ignore[union-attr]


def portal_page(url: str) -> str:
    """The portal page as the resident of PHONE reads it (tests/portal/conftest.py)."""
    c = Client()
    session = c.session
    session[SESSION_KEY] = PHONE
    session.save()
    return visible_text(c.get(url).content.decode())


def test_a_completed_repair_reads_已完工_on_every_screen(office, clock, open_order) -> None:
    order = open_order("repair", reporter_phone=PHONE, reporter_name="张伟")
    act(order, "claim", office.repair_member, clock)
    act(order, "check_in", office.repair_member, clock)
    act(order, "resolve", office.repair_member, clock, note="已更换水龙头")
    order.refresh_from_db()
    assert order.state == OrderState.RESOLVED
    assert state_on_order_page(office.head, order) == "已完工"
    job = browser_for(office.repair_member).get(reverse("desk-job", args=[order.pk]))
    assert "<strong>已完工</strong>" in job.content.decode()
    api = client_for(office.head).get(f"/api/work-orders/{order.pk}/").json()
    assert (api["state"], api["state_display"]) == ("resolved", "已完工")
    assert api["kind_display"] == "报修"
    listed = client_for(office.head).get("/api/work-orders/", {"state": "resolved"}).json()
    assert [o["state_display"] for o in listed["results"]] == ["已完工"]
    page = portal_page(f"/portal/orders/{order.pk}/")
    assert "已完工" in page and "处理完成" not in page
    rate = portal_page(f"/portal/orders/{order.pk}/rate/")
    assert "· 报修 · 已完工" in rate
    assert "状态已完工" in "".join(pdf_text(print_order(office, order, clock)).split())
    texts = list(ResidentMessage.objects.filter(order_id=order.pk).values_list("text", flat=True))
    assert any("您的报修 " + order.number in t for t in texts), texts
    for t in texts:
        assert problems(t, service=True, plain=True) == [], t


def test_a_complaint_reads_已受理_once_taken_and_已办结_once_handled(
    office, clock, open_order
) -> None:
    order = open_order(
        "complaint", complaint_type="general", reporter_phone=PHONE, reporter_name="张伟"
    )
    act(order, "take", office.administrator, clock)
    assert state_on_order_page(office.head, order) == "已受理"
    board = browser_for(office.head).get(reverse("desk-board", args=[office.community.pk]))
    row = re.search(rf"{order.number}.*?</tr>", board.content.decode(), re.S)
    assert row is not None and "已受理" in row.group() and "已接单" not in row.group()
    api = client_for(office.head).get(f"/api/work-orders/{order.pk}/").json()
    assert api["state_display"] == "已受理"
    # The complaint's text message: the kind in a sentence, not a list's cell.
    sms = ResidentMessage.objects.get(order_id=order.pk, kind="dispatched").text
    assert f"您的投诉（一般投诉） {order.number} 已派单" in sms, sms
    # 办结 on the order page: the message and the state say the same word.
    order.refresh_from_db()
    r = browser_for(office.administrator).post(
        reverse("desk-order", args=[order.pk]),
        {"form": "action", "action": "resolve", "version": order.version, "note": "已协调"},
        follow=True,
    )
    html = r.content.decode()
    assert f"已办结：{order.number}" in html
    assert state_on_order_page(office.head, order) == "已办结"
    assert client_for(office.head).get(f"/api/work-orders/{order.pk}/").json()["state_display"] == (
        "已办结"
    )
    page = portal_page(f"/portal/orders/{order.pk}/")
    assert "已办结" in page and "处理完成" not in page
    text = "".join(pdf_text(print_order(office, order, clock)).split())
    assert "状态已办结" in text


def test_the_board_filter_over_every_kind_names_both_words(office, clock) -> None:
    """The state filter covers every kind: 已接单/已受理 (a team accepts, an administrator
    takes a complaint), never a complaint's state called 已接单 alone."""
    html = browser_for(office.head).get(reverse("desk-board", args=[office.community.pk]))
    options = re.findall(r"<option[^>]*>([^<]*)</option>", html.content.decode())
    assert "已接单/已受理" in options and "已接单" not in options


def test_派单_says_to_whom(office, clock, open_order) -> None:
    order = open_order("repair")
    page = browser_for(office.repair_leader)
    r = page.post(
        reverse("desk-assign", args=[office.community.pk, order.pk]),
        {"action": "assign", "version": order.version, "assignee": office.repair_member.pk},
        follow=True,
    )
    html = r.content.decode()
    assert f"已派单给 {office.repair_member.name}：{order.number}。" in html
    # 转单 too, on the order page.
    order.refresh_from_db()
    other = browser_for(office.repair_member).post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "action",
            "action": "transfer",
            "version": order.version,
            "assignee": office.repair_leader.pk,
            "note": "今天不在班",
        },
        follow=True,
    )
    assert f"已转单给 {office.repair_leader.name}：{order.number}。" in other.content.decode()


def test_WT_3_a_waiting_clock_is_named_by_its_title_and_its_ID_once(
    office, clock, open_order
) -> None:
    order = open_order("repair")
    act(order, "claim", office.repair_member, clock)
    act(order, "wait", office.repair_member, clock, waiting="parts", note="缺角阀，明天到货")
    clock.advance(hours=1)
    act(order, "end_wait", office.repair_member, clock, note="配件到了")
    html = browser_for(office.head).get(reverse("desk-order", args=[order.pk])).content.decode()
    text = visible_text(html)
    assert "待料，等待不超过3天 WT-3 开始计时" in text
    assert "待料，等待不超过3天 WT-3 按时" in text
    assert "WT-3 WT-3" not in text
    assert '<small class="rule-id">WT-3</small>' in html


def test_FD_1_a_missed_calls_call_back_names_the_caller_not_the_community(office, clock) -> None:
    """The call-back's warning and escalation name the caller's number (未接来电 138…), the rule
    by its name alone in plain text; the head's 升级 section names each rule once."""
    from tests.calls.test_calls import T0, missed

    missed(office, "c1", T0)
    callback = Clock.objects.get(rule_id="FD-1-callback")
    clocks_sweep(now=callback.due_at + timedelta(minutes=5))
    titles = list(
        Notification.objects.filter(payload__rule="FD-1-callback").values_list("title", flat=True)
    )
    assert titles
    for title in titles:
        assert f"未接来电 {PHONE}" in title and office.community.name not in title, title
        assert title.startswith("未接来电10分钟内回拨：") and "FD-1" not in title, title
    clock.advance(seconds=(callback.due_at + timedelta(minutes=5) - clock.now()).total_seconds())
    queue = browser_for(office.head).get(reverse("desk-queue", args=[office.community.pk]))
    html = queue.content.decode()
    section = html.split('id="queue-escalations"')[1].split("</section>")[0]
    text = visible_text(section)
    assert f"未接来电 {PHONE}" in text and "本小区" not in text
    assert problems(text) == [], problems(text)
