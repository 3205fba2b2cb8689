"""The console as people use it, in Chromium: a receptionist logs a phone complaint with the
keyboard alone; an administrator takes it (受理); a team member on a phone-sized screen checks in
and completes; the board's countdown turns red on a fake clock. Screenshots of each screen are
saved (desktop and phone width) in tests/browser/screenshots/."""

from __future__ import annotations

import re

import pytest

from propdesk.clocks.models import Clock
from propdesk.community.models import User
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import make_office
from tests.images import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user: User, next_url: str = "/desk/") -> None:
    page.goto(f"{live_server.url}/desk/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-123456!")
    page.keyboard.press("Enter")
    # Wait for the sign-in to land somewhere else (networkidle alone can come before the POST
    # has even started on a busy machine, leaving the page on the login form).
    page.wait_for_url(lambda url: "/desk/login/" not in url, timeout=15000)
    page.wait_for_load_state("networkidle")


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_fd2_a_receptionist_logs_a_phone_complaint_with_the_keyboard_alone(
    page, live_server, clock
) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    sign_in(page, live_server, office.receptionist)
    assert page.url.endswith(f"/desk/{office.community.pk}/intake/")  # where a receptionist starts
    assert page.evaluate("document.activeElement.id") == "id_caller_phone"
    page.keyboard.type("13812345678")
    # The household panel finds the caller by number while the call goes on.
    page.locator("#household-panel").locator(".lookup-match", has_text="3-2-1502").wait_for(
        timeout=5000
    )
    page.keyboard.press("Tab")  # room: found by the number, nothing to type
    page.keyboard.press("Tab")
    page.keyboard.type("张伟")
    page.keyboard.press("Alt+2")  # intent: complaint
    page.keyboard.press("Alt+c")  # what was said
    page.keyboard.type("楼上每晚十二点后还在装修，噪音很大")
    page.keyboard.press("Alt+w")  # outcome: a work order
    shot(page, "intake-desktop")
    page.keyboard.press("Control+Enter")
    page.locator(".messages .success").wait_for(timeout=10000)
    order = WorkOrder.objects.get()
    assert (order.kind, order.household, order.description) == (
        "complaint",
        office.household,
        "楼上每晚十二点后还在装修，噪音很大",
    )
    assert order.number in page.locator(".messages .success").inner_text()
    assert order.contact.caller_name == "张伟"
    assert Clock.objects.get(order=order, rule_id="CP-1").state == "running"


def test_fd2_a_failed_submit_in_the_browser_keeps_what_was_typed(page, live_server, clock) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    sign_in(page, live_server, office.receptionist)
    page.fill("#id_caller_phone", "13812345678")
    page.fill("#id_room", "9-9-9999")
    page.keyboard.press("Alt+1")
    page.fill("#id_content", "卫生间漏水")
    page.keyboard.press("Alt+r")
    page.keyboard.press("Control+Enter")
    page.locator(".field-error").first.wait_for(timeout=10000)
    assert page.input_value("#id_room") == "9-9-9999"
    assert page.input_value("#id_content") == "卫生间漏水"
    assert page.locator("input[name=intent][value=repair]").is_checked()
    assert not WorkOrder.objects.exists()


def test_cp1_an_administrator_takes_the_complaint_from_the_queue(page, live_server, clock) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="complaint", description="噪音投诉", household=office.household),
    )
    sign_in(page, live_server, office.administrator)
    assert page.url.endswith(f"/desk/{office.community.pk}/queue/")
    take = page.locator("#queue-take")
    shot(page, "queue-administrator-desktop")
    take.get_by_role("link", name=order.number).click()
    page.wait_for_url(re.compile(rf"/desk/orders/{order.pk}/$"))
    shot(page, "order-desktop")
    # 受理: the usual next step, first in the action bar, one tap (nothing to fill in).
    take = page.locator("#action-take")
    assert take.evaluate("el => el.tagName") == "FORM"
    assert page.locator("#actions .bar > *").first.get_attribute("id") == "action-take"
    take.get_by_role("button").click()
    page.locator(".messages .success").wait_for(timeout=10000)
    order.refresh_from_db()
    assert (order.state, order.assignee) == ("accepted", office.administrator)
    assert Clock.objects.get(order=order, rule_id="CP-1").state == "met"


def test_ds1_a_team_member_checks_in_and_completes_on_a_phone(browser, live_server, clock) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    item = f.ServiceItemFactory(company=office.community.company)
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(
            kind="repair",
            description="厨房水龙头漏水",
            household=office.household,
            service_item=item,
        ),
    )
    # Straight to the repair team's pool; the leader gives it to the member, who must accept.
    work_order_transition(
        order_id=order.pk,
        action="assign",
        by=office.repair_leader,
        now=clock.now(),
        version=order.version,
        assignee=office.repair_member,
    )
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        sign_in(page, live_server, office.repair_member)
        assert page.url.endswith(f"/desk/{office.community.pk}/jobs/")
        shot(page, "jobs-phone")
        page.locator(f"[data-order='{order.number}']").click()
        page.wait_for_url(re.compile(rf"/desk/jobs/{order.pk}/$"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
        assert page.get_by_text(item.steps[0]).is_visible()
        page.locator("#action-accept button").click()
        page.locator("#action-check_in button").wait_for(timeout=10000)
        page.locator("#action-check_in button").click()
        page.locator("input[type=file]").wait_for(timeout=10000)
        page.set_input_files(
            "input[type=file]", files=[{"name": "site.png", "mimeType": "image/png", "buffer": PNG}]
        )
        page.locator("form:has(input[type=file]) button").click()
        page.locator("#action-resolve summary").wait_for(timeout=10000)
        page.locator("#action-resolve summary").click()  # opens the form of 完工
        page.fill("#action-resolve textarea[name=note]", "更换阀芯，试水正常")
        page.fill("#action-resolve input[name=materials]", "阀芯×1")
        page.fill("#action-resolve input[name=fee]", "30")
        shot(page, "job-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.locator("#action-resolve form button").click()
        page.wait_for_url(re.compile(rf"/desk/{office.community.pk}/jobs/$"))
        order.refresh_from_db()
        assert (order.state, order.materials, str(order.fee_charged)) == (
            "resolved",
            "阀芯×1",
            "30.00",
        )
        assert order.attachments.count() == 1
    finally:
        context.close()


def test_cp1_the_board_countdown_turns_red_on_a_fake_clock(page, live_server, clock) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="complaint", description="噪音投诉", household=office.household),
    )
    sign_in(page, live_server, office.administrator, f"/desk/{office.community.pk}/board/")
    chip = page.locator(f"tr[data-order='{order.number}'] .clock[data-rule='CP-1']")
    chip.wait_for(timeout=5000)
    assert "red" not in (chip.get_attribute("class") or "")
    shot(page, "board-desktop")
    clock.advance(minutes=10, seconds=1)  # the server's clock passes the 10-minute deadline
    # The worker's sweep breaches the clock and escalates to the administrator (CP-1): the page's
    # poll sees the new notification and the board's rows refresh (live.js). (With real time
    # the chip also turns red between refreshes, counted down in the browser.)
    from propdesk.clocks.services import clocks_sweep

    clocks_sweep(now=clock.now())
    page.wait_for_function(
        "sel => document.querySelector(sel)?.classList.contains('red')",
        arg=f"tr[data-order='{order.number}'] .clock[data-rule='CP-1']",
        timeout=5000,
    )
    assert "超时" in chip.inner_text()  # overdue, counting up
    shot(page, "board-red-desktop")


def test_rv6_a_receptionist_makes_the_days_return_call(page, live_server, clock) -> None:
    from propdesk.followup.models import ReturnVisit

    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="门锁坏了", household=office.household),
    )
    # The repair waits in the team's pool: the leader takes it (抢单).
    work_order_transition(
        order_id=order.pk,
        action="claim",
        by=office.repair_leader,
        now=clock.now(),
        version=order.version,
    )
    order.refresh_from_db()
    work_order_transition(
        order_id=order.pk,
        action="resolve",
        by=office.repair_leader,
        now=clock.now(),
        version=order.version,
        note="更换锁芯",
    )
    sign_in(page, live_server, office.receptionist, f"/desk/{office.community.pk}/visits/")
    shot(page, "visits-desktop")
    page.locator(f"#visits-today tr[data-order='{order.number}'] a.button").click()
    page.wait_for_url(re.compile(r"/visits/new/"))
    page.get_by_label("满意", exact=True).check()
    page.fill("textarea[name=opinion]", "师傅很准时")
    page.fill("input[name=item_text_0]", "希望公布维修收费标准")
    shot(page, "visit-call-desktop")
    page.get_by_role("button", name="保存回访").click()
    page.locator(".messages .success").wait_for(timeout=10000)
    visit = ReturnVisit.objects.get()
    assert (visit.order, visit.level, visit.opinion) == (order, "satisfied", "师傅很准时")
    assert Clock.objects.get(order=order, rule_id="RV-6").state == "met"
    page.goto(f"{live_server.url}/desk/{office.community.pk}/suggestions/")
    page.get_by_text("希望公布维修收费标准").wait_for(timeout=5000)
    shot(page, "suggestions-desktop")


def test_the_monthly_report_reads_at_desktop_and_phone_width(browser, live_server, clock) -> None:
    from tests.followup.conftest import Loop

    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    loop = Loop(office, clock)
    order = loop.resolved("repair")
    loop.visit(order=order, level="very_satisfied")
    loop.visit("monthly", household=office.household, level="fairly_satisfied")
    for name, viewport in (("desktop", (1280, 800)), ("phone", (360, 740))):
        context = browser.new_context(
            locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]}
        )
        page = context.new_page()
        try:
            sign_in(page, live_server, office.head, f"/desk/{office.community.pk}/report/")
            page.get_by_text("服务质量月报").first.wait_for(timeout=5000)
            assert page.locator("svg").count() >= 1  # the charts, drawn in the page
            shot(page, f"report-{name}")
        finally:
            context.close()
