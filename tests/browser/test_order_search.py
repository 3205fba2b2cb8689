"""An owner rings about last week's repair, long closed: the front desk opens 查找工单 from the
top bar, finds it by the room, and then by the number the owner reads out, which opens the order;
a repair worker does the same on a phone's screen."""

from __future__ import annotations

import pytest

from propdesk.desk.services import (
    WorkOrderDraft,
    work_order_create,
    work_order_transition,
)
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_console import sign_in
from tests.conftest import lamp_reported_by_phone, make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _order(office, clock, description: str):  # type: ignore[no-untyped-def]
    return work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description=description, household=office.household),
    )


def _close(order, office, clock):  # type: ignore[no-untyped-def]
    for action, who, extra in (
        ("claim", office.repair_leader, {}),
        ("resolve", office.repair_leader, {"note": "已更换"}),
        ("close", office.administrator, {}),
    ):
        now, version = clock.now(), order.version
        order = work_order_transition(
            order_id=order.pk, action=action, by=who, now=now, version=version, **extra
        )
    return order


def test_the_front_desk_finds_a_closed_order_by_room_then_by_number(
    page, live_server, clock
) -> None:  # type: ignore[no-untyped-def]
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    done = _close(_order(office, clock, "厨房水龙头漏水"), office, clock)
    clock.advance(hours=2)
    still_open = _order(office, clock, "门锁坏了")
    sign_in(page, live_server, office.receptionist, f"/desk/{office.community.pk}/intake/")
    page.get_by_role("link", name="查找工单").click()  # the magnifier in the top bar
    page.wait_for_url(f"**/desk/{office.community.pk}/orders/")
    box = page.get_by_role("searchbox")
    assert box.evaluate("el => el === document.activeElement")  # ready to type
    box.fill("3-2-1502")
    box.press("Enter")
    page.wait_for_url("**/orders/?q=*")
    rows = page.locator("#search-results tr[data-order]")
    assert [r.get_attribute("data-order") for r in rows.all()] == [
        still_open.number,
        done.number,
    ]
    assert "3-2-1502 的工单：共 2 单" in page.locator("#search-summary").inner_text()
    assert "已关闭" in rows.nth(1).inner_text()
    page.screenshot(path=str(SCREENSHOTS / "order-search-room.png"), full_page=True)
    # The number as the owner reads it out, without its prefix: straight to the order.
    box = page.get_by_role("searchbox")
    assert box.input_value() == "3-2-1502"  # what was typed stays in the box
    box.fill(done.number.split("-", 1)[1])
    box.press("Enter")
    page.wait_for_url(f"**/desk/orders/{done.pk}/")
    assert done.number in page.locator("h1").inner_text()


def test_a_repair_worker_searches_on_a_phone(browser, live_server, clock) -> None:  # type: ignore[no-untyped-def]
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    order = _order(office, clock, "卫生间下水道堵塞")
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        sign_in(page, live_server, office.repair_member, f"/desk/{office.community.pk}/orders/")
        box = page.get_by_role("searchbox")
        box.fill("下水道")
        page.get_by_role("button", name="查找").click()
        page.wait_for_url("**/orders/?q=*")
        assert page.locator("#search-results tr[data-order]").get_attribute("data-order") == (
            order.number
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        search = page.locator(".search-form").bounding_box()
        assert search["width"] <= 360
        page.screenshot(path=str(SCREENSHOTS / "order-search-phone.png"), full_page=True)
    finally:
        context.close()


def test_a_passer_by_rings_again_and_the_panel_shows_what_they_reported(
    page, live_server, clock
) -> None:  # type: ignore[no-untyped-def]
    """A neighbour from outside, in no household, rang last week about the garden's lamp. They
    ring again: as the receptionist types the number, the panel beside the form lists that
    order, and a click opens it in a new tab, the form keeping what was typed."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    lamp = lamp_reported_by_phone(office, clock.now())
    clock.advance(days=7)
    sign_in(page, live_server, office.receptionist)
    page.click("#id_content")
    page.keyboard.type("路灯还是不亮")
    page.click("#id_caller_phone")
    page.keyboard.type("139 0000 1111")
    listed = page.locator("#caller-orders a", has_text=lamp.number)
    listed.wait_for(timeout=5000)
    assert "从这个号码报来的工单：共 1 单" in page.locator("#household-panel").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "intake-caller-orders.png"), full_page=True)
    with page.context.expect_page() as opened:
        listed.click()
    order_page = opened.value
    order_page.wait_for_load_state()
    assert lamp.number in order_page.locator("h1").inner_text()
    order_page.close()
    assert page.input_value("#id_content") == "路灯还是不亮"  # nothing typed is lost
