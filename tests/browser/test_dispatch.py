"""Live dispatch as people do it, in Chromium: two technicians tap 抢单 on one order at the same
moment on two phones (one wins, the other is told who did); an administrator takes, answers and
handles a complaint in three steps from the order's action bar."""

from __future__ import annotations

import pytest

from propdesk.community.models import User
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def sign_in(page, live_server, user: User, next_url: str = "/desk/") -> None:
    page.goto(f"{live_server.url}/desk/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-123456!")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_ds1_two_technicians_tap_claim_at_once_one_wins(browser, live_server, clock) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    second = f.UserFactory(
        username="a-repair-2", name="李师傅", roles=[(office.community, "team_member")]
    )
    office.repair.members.add(second)
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(
            kind="repair", description="卫生间地漏堵塞", household=office.household
        ),
    )
    phones = []
    for user in (office.repair_member, second):
        context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
        page = context.new_page()
        sign_in(page, live_server, user, f"/desk/{office.community.pk}/jobs/")
        page.locator(f"#pool-{order.pk}").wait_for()
        phones.append((context, page))
    # Both phones show the order in the pool; both tap 抢单 before either answer comes back.
    buttons = [p.locator(f"#pool-{order.pk} button") for _c, p in phones]
    for (_c, p), button in zip(phones, buttons, strict=True):
        p.evaluate("(el) => el.form.requestSubmit()", button.element_handle())
    for _c, p in phones:
        p.wait_for_load_state("load")
        p.locator(".messages, .error").first.wait_for(timeout=10000)
    order.refresh_from_db()
    assert order.state == "accepted"
    winner_page = phones[0][1] if order.assignee == office.repair_member else phones[1][1]
    loser_page = phones[1][1] if winner_page is phones[0][1] else phones[0][1]
    winner = order.assignee
    assert winner in (office.repair_member, second)
    assert loser_page.locator(".error").first.inner_text().find(winner.name) >= 0
    assert "已抢到" in loser_page.locator(".error").first.inner_text()
    assert winner_page.locator(".messages .success").count() == 1
    assert order.events.filter(action="claim").count() == 1
    loser_page.screenshot(path=str(SCREENSHOTS / "claim-lost-phone.png"), full_page=True)
    winner_page.screenshot(path=str(SCREENSHOTS / "claim-won-phone.png"), full_page=True)
    for context, _p in phones:
        context.close()


def test_cp1_an_administrator_takes_answers_and_handles_a_complaint_in_three_steps(
    page, live_server, clock
) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    complaint = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(
            kind="complaint", description="楼上每晚装修噪音", household=office.household
        ),
    )
    sign_in(page, live_server, office.administrator, f"/desk/orders/{complaint.pk}/")
    bar = page.locator("#actions")
    # 1. 受理: the usual next step, first in the bar, one tap.
    first = bar.locator("button, summary").first
    assert first.inner_text().strip() == "受理"
    with page.expect_navigation():
        first.click()
    # 2. 答复业主: opens only its own fields.
    page.locator("#action-reply summary").click()
    reply = page.locator("#action-reply form")
    assert reply.locator("textarea[name=note]").is_visible()
    assert page.locator("#action-resolve textarea").is_hidden()
    reply.locator("select[name=channel]").select_option("phone")
    reply.locator("textarea[name=note]").fill("已联系楼上住户，今晚起22点后停工")
    with page.expect_navigation():
        reply.locator("button").click()
    # 3. 办结: now the usual next step.
    first = page.locator("#actions").locator("button, summary").first
    assert first.inner_text().strip() == "办结"
    first.click()
    page.locator("#action-resolve textarea[name=note]").fill("业主认可")
    page.screenshot(path=str(SCREENSHOTS / "order-action-bar.png"), full_page=True)
    with page.expect_navigation():
        page.locator("#action-resolve form button").click()
    complaint.refresh_from_db()
    assert (complaint.state, complaint.assignee) == ("resolved", office.administrator)
    assert list(complaint.events.order_by("id").values_list("action", flat=True)) == [
        "create",
        "take",
        "reply",
        "resolve",
    ]
    assert WorkOrder.objects.count() == 1
