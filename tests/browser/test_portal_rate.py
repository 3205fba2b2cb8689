"""Issue 13, items 5 in Chromium at 360 px: the owner opens the one-tap rating link of the 完工 SMS
on a phone (no sign-in), taps the three scores and 满意, submits and is thanked; the office's
figures count it. Another owner reopens a job with a reason (没修好) and the office sees it on the
order page."""

from __future__ import annotations

import re

import pytest

from propdesk.desk.models import WorkOrder
from propdesk.desk.rating_links import rating_link
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from propdesk.followup.models import OrderRating, ReturnVisit
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS, paste_is_counted
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def finished_repair(office, clock, text: str) -> WorkOrder:
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description=text, household=office.household),
    )
    for action in ("claim", "resolve"):
        order.refresh_from_db()
        order = work_order_transition(
            order_id=order.pk,
            action=action,
            by=office.repair_leader,
            now=clock.now(),
            version=order.version,
            **({"note": "已更换阀芯"} if action == "resolve" else {}),
        )
    return order


def phone_page(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    return context, context.new_page()


def tap_choice(page, name: str) -> None:
    page.locator("label").filter(has=page.get_by_role("radio", name=name, exact=True)).tap()


def test_rv6_the_owner_rates_from_the_sms_link_on_a_phone(browser, live_server, clock) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    order = finished_repair(office, clock, "厨房水龙头漏水")
    context, page = phone_page(browser)
    try:
        page.goto(live_server.url + rating_link(order, "13812345678", clock.now()))
        page.get_by_role("heading", name="服务评价").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # The order's state is whole where its line wraps (已完工 broke after 已 at 360 px).
        state = page.locator(".card .nowrap", has_text="已完工")
        box = state.bounding_box()
        line = page.evaluate(
            "el => parseFloat(getComputedStyle(el).lineHeight)", state.element_handle()
        )
        assert box is not None and box["height"] <= line * 1.2
        tap_choice(page, "上门速度：5星")
        tap_choice(page, "服务态度：4星")
        tap_choice(page, "处理结果：5星")
        tap_choice(page, "满意")
        page.fill("textarea[name=opinion]", "师傅很准时")
        page.screenshot(path=str(SCREENSHOTS / "portal-rate-phone.png"), full_page=True)
        page.get_by_role("button", name="提交评价").tap()
        page.get_by_text("感谢您的评价！").wait_for(timeout=10000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(SCREENSHOTS / "portal-rate-thanks-phone.png"), full_page=True)
    finally:
        context.close()
    visit = ReturnVisit.objects.get(order=order)
    assert (visit.channel, visit.level, visit.opinion) == ("portal", "satisfied", "师傅很准时")
    rating = OrderRating.objects.get(order=order)
    assert (rating.speed, rating.attitude, rating.result) == (5, 4, 5)


def test_the_owner_reopens_a_job_and_the_office_sees_it(browser, live_server, clock) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    order = finished_repair(office, clock, "卫生间地漏堵塞")
    context, page = phone_page(browser)
    try:
        page.goto(live_server.url + rating_link(order, "13812345678", clock.now()))
        page.get_by_role("link", name="没修好或部分解决？").tap()
        page.get_by_role("heading", name="没修好或部分解决？").wait_for()
        tap_choice(page, "没修好")
        page.fill("textarea[name=note]", "地漏还是堵")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="重新打开工单").tap()
        page.get_by_text("工单已重新打开").wait_for(timeout=10000)
        page.screenshot(path=str(SCREENSHOTS / "portal-reopen-phone.png"), full_page=True)
    finally:
        context.close()
    order.refresh_from_db()
    assert order.state == "reopened"
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    staff = desk.new_page()
    try:
        sign_in(staff, live_server, office.administrator, f"/desk/orders/{order.pk}/")
        staff.wait_for_url(re.compile(rf"/desk/orders/{order.pk}/$"))
        staff.get_by_text("业主在线上重新打开工单（没修好）：地漏还是堵").wait_for(timeout=10000)
        assert staff.locator("dd strong", has_text="重新打开").count() == 1
    finally:
        desk.close()


def test_rv6_a_long_comment_pasted_on_a_phone_is_kept_counted_and_refused_in_words(
    browser, live_server, clock
) -> None:
    """The owner pastes a long comment beside the stars (the browser cut it at 2000 without a
    word, maxlength; the server cut it again): kept whole, counted red, refused in words after
    the submit, the stars and the words still there; nothing rated."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    order = finished_repair(office, clock, "厨房水龙头漏水")
    said = ("师傅来得很快，态度也好，只是走的时候没有清理地面。" * 90)[:2100]
    context, page = phone_page(browser)
    try:
        page.goto(live_server.url + rating_link(order, "13812345678", clock.now()))
        page.get_by_role("heading", name="服务评价").wait_for()
        for name in ("上门速度：5星", "服务态度：4星", "处理结果：5星", "满意"):
            tap_choice(page, name)
        paste_is_counted(page, "textarea[name=opinion]", said, 2000)
        page.get_by_role("button", name="提交评价").tap()
        page.get_by_text("您的意见最多 2000 个字（现有 2100 个），请删减。").wait_for(timeout=10000)
        assert page.input_value("textarea[name=opinion]") == said
        assert page.get_by_role("radio", name="满意", exact=True).is_checked()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
    assert not ReturnVisit.objects.filter(order=order).exists()
