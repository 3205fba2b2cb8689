"""The screens as a finger uses them, in Chromium on a 360 × 740 touch phone (and the front desk at
1366 × 768): the household matches next to the phone field, no keyboard hints on a touch screen,
buttons and links at least 40 px tall, and an emergency banner that leaves room for the page.
Screenshots go to tests/browser/screenshots/."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from propdesk.community.models import User
from propdesk.incidents.services import emergency_log, emergency_resolve
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_console import sign_in
from tests.browser.test_lookup import office_with_building_4
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 768}}
TAP = 40  # px: the least height of anything a finger must hit
# How many of the page's <kbd> keys are drawn (a hidden one has no box).
SHOWN_KEYS = "els => els.filter(e => e.getClientRects().length > 0).length"


def signed_in(browser, live_server, user: User, device: dict, next_url: str = "/desk/"):
    """A new Chinese browser context of ``device``, signed in as ``user`` at ``next_url``."""
    context = browser.new_context(locale="zh-CN", **device)
    page = context.new_page()
    sign_in(page, live_server, user, next_url)
    return context, page


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def height(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, locator
    return box["height"]


def test_fd2_on_a_phone_the_household_matches_sit_under_the_phone_field_with_no_key_hints(
    browser, live_server
) -> None:
    """On a phone the matches came below the whole form (1,400 px under the phone field) and the
    page spoke of Tab, Alt+1…7, Ctrl+Enter and the ↓ key; now the matches are under the caller's
    fields, before 诉求类别, a finger's height each, the panel says 点一户, and a tap fills the
    form."""
    office = office_with_building_4()
    cid = office.community.pk
    context, page = signed_in(
        browser, live_server, office.receptionist, PHONE, f"/desk/{cid}/intake/"
    )
    try:
        page.wait_for_url(f"**/desk/{cid}/intake/")
        page.locator("#id_room").tap()
        page.keyboard.type("901")  # two households: 4-1-901 and 4-2-901
        matches = page.locator("#household-panel .lookup-match")
        matches.nth(1).wait_for(timeout=10000)
        phone = page.locator("#id_caller_phone").bounding_box()
        caller = page.locator("#id_caller_name").bounding_box()
        intent = page.locator("fieldset:has(#id_intent_0)").bounding_box()
        assert phone and caller and intent
        for match in matches.all():
            box = match.bounding_box()
            assert box
            assert caller["y"] + caller["height"] <= box["y"] < intent["y"]
            assert box["height"] >= TAP
        first = matches.first.bounding_box()
        assert first and first["y"] - (phone["y"] + phone["height"]) < 320, (phone, first)
        # No keyboard talk on a touch screen: the line of shortcuts, every key and the panel's
        # ↓-key line are gone; the panel says what a finger does.
        assert page.locator(".kbd-hint").evaluate_all(SHOWN_KEYS) == 0
        assert page.locator("kbd").evaluate_all(SHOWN_KEYS) == 0
        assert page.locator("#household-panel .touch-hint").inner_text() == (
            "点一户，即填入房号、报事人和电话。"
        )
        # The choices are finger-sized too.
        for label in page.locator("#intake-form .radios label").all():
            assert height(label) >= TAP, label.inner_text()
        assert no_sideways_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / "intake-match-phone.png"), full_page=True)
        matches.first.tap()
        assert page.input_value("#id_room") == "4-1-901"
        assert page.input_value("#id_caller_name") == "王建国"
    finally:
        context.close()


def test_fd2_at_the_desk_the_matches_stay_beside_the_form_with_the_key_hints(
    browser, live_server
) -> None:
    """The same page at 1366 px is as it was: the form on the left, the household panel on the
    right, the shortcuts shown (a guard for the phone's change)."""
    office = office_with_building_4()
    cid = office.community.pk
    context, page = signed_in(
        browser, live_server, office.receptionist, DESK, f"/desk/{cid}/intake/"
    )
    try:
        page.wait_for_url(f"**/desk/{cid}/intake/")
        page.keyboard.type("13812345678")
        page.locator("#household-panel .lookup-match").first.wait_for(timeout=10000)
        form = page.locator("#intake-form").bounding_box()
        panel = page.locator("#household-panel").bounding_box()
        assert form and panel and panel["x"] >= form["x"] + form["width"]
        assert page.locator(".kbd-hint").first.is_visible()
        assert page.locator("kbd").evaluate_all(SHOWN_KEYS) > 10
        page.fill("#id_caller_phone", "")
        page.locator("#id_room").type("901")
        page.locator("#household-panel .lookup-match").nth(1).wait_for(timeout=10000)
        assert page.locator("#household-panel .kbd-hint").is_visible()
        assert page.locator("#household-panel .touch-hint").is_hidden()
        assert no_sideways_scroll(page)
    finally:
        context.close()


def test_the_error_pages_ways_back_are_finger_sized_on_a_phone(browser, live_server) -> None:
    """404 and 403 in the console, 404 in the portal: the one way back is a button at least
    40 px tall (it was 35 px in the console and a bare underlined line in the portal)."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    cid = office.community.pk
    context, page = signed_in(browser, live_server, office.repair_member, PHONE)
    try:
        for path, heading in (
            ("/desk/no-such-page/", "页面不存在"),  # Django's 404 (404.html)
            ("/desk/orders/999999/", "未找到"),  # an order not in one's community
            (f"/desk/{cid}/report/", "您的角色无此操作"),  # a team member's 403
            ("/portal/no-such-page/", "页面不存在"),  # the portal's 404
        ):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("load")
            assert heading in page.locator("main h1").inner_text(), path
            buttons = page.locator("main a.button")
            assert buttons.count() >= 1, path
            for b in buttons.all():
                assert height(b) >= TAP, (path, b.inner_text())
            assert no_sideways_scroll(page)
            name = path.strip("/").replace("/", "-")
            page.screenshot(path=str(SCREENSHOTS / f"error-{name}-phone.png"), full_page=True)
    finally:
        context.close()


def test_em3_on_a_phone_the_incident_report_links_are_apart_and_the_banner_is_compact(
    browser, live_server, clock
) -> None:
    """The office head on a phone: 打印（PDF） and 全部处理表 were 4 px apart, the link 18 px
    tall; the red banner of an open emergency took 100 px of a 740 px screen on every page; the
    responders' numbers on the emergency's page were 18 px lines."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    office.head.phone = "13900001111"  # called to every emergency: listed with the number
    office.head.save(update_fields=["phone"])
    now = datetime.now(UTC)
    handled = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=now - timedelta(minutes=4),
        kind="fire",
        location="3栋地下车库",
        description="配电箱冒烟",
    )
    emergency_resolve(
        emergency_id=handled.pk, by=office.head, now=now - timedelta(minutes=1), note="切断电源"
    )
    flooding = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=now,
        kind="flooding",
        location="5栋2单元地下室",
        description="水管爆裂",
    )
    context, page = signed_in(browser, live_server, office.head, PHONE)
    try:
        page.goto(f"{live_server.url}/desk/incidents/{handled.pk}/")
        pdf = page.locator("main a.button", has_text="打印")
        everything = page.locator("main a", has_text="全部处理表")
        a, b = pdf.bounding_box(), everything.bounding_box()
        assert a and b
        assert a["height"] >= TAP and b["height"] >= TAP
        assert b["x"] >= a["x"] + a["width"] + 8 or b["y"] >= a["y"] + a["height"]
        # The open emergency's banner: every line a tap to its page, the whole under 80 px.
        banner = page.locator("#emergency-alert")
        banner.wait_for(state="visible", timeout=10000)
        line = banner.locator("a.emergency-alert-line").first
        line.wait_for(timeout=10000)
        assert "5栋2单元地下室" in line.inner_text()
        assert height(line) >= 44
        assert height(banner) <= 80, height(banner)
        assert no_sideways_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / "incident-report-phone.png"), full_page=True)
        # The open emergency's page: each responder's number is a 40 px tap that calls them
        # (an 18 px line of digits before).
        page.goto(f"{live_server.url}/desk/emergencies/{flooding.pk}/")
        numbers = page.locator('ul.responders a[href^="tel:"]')
        numbers.first.wait_for(timeout=10000)
        for number in numbers.all():
            assert height(number) >= TAP, number.inner_text()
        assert no_sideways_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / "emergency-open-phone.png"), full_page=True)
    finally:
        context.close()


def test_the_portal_sign_in_second_step_links_are_finger_sized(browser, live_server) -> None:
    """A resident waiting for the SMS code: 重新获取验证码 and 更换手机号 were 24 px tall lines at
    the screen's two edges; now each is at least 40 px."""
    make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/portal/login/")
        page.fill("#id_phone", "138 1234 5678")
        page.get_by_role("button", name="获取验证码").tap()
        page.locator("#id_code").wait_for(timeout=10000)
        again = page.get_by_role("button", name="重新获取验证码")
        other = page.get_by_role("link", name="更换手机号")
        assert height(again) >= TAP and height(other) >= TAP
        assert no_sideways_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / "portal-code-step-phone.png"), full_page=True)
    finally:
        context.close()


def test_the_monthly_report_and_the_escalations_on_a_phone_have_finger_sized_controls(
    browser, live_server, clock
) -> None:
    """The demo office's monthly report at 360 px: the month's field, 查看, PDF and Excel at least
    40 px tall, and each 明细 (a jump to its list, inside a line of text) a 40 px hit area (it
    was 18 px); nothing scrolls sideways."""
    from propdesk.community.models import Community
    from propdesk.demo.seed import DEMO_PASSWORD, seed_demo

    seed_demo(now=clock.now() - timedelta(minutes=5), households_per_community=16, weeks=1)
    community = Community.objects.get(code="jxhy")
    emergency_log(  # open: its red banner stays on top of every page
        community=community,
        by=User.objects.get(username="jxhy-reception1"),
        now=datetime.now(UTC),
        kind="flooding",
        location="5栋2单元地下室",
    )
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/desk/login/?next=/desk/{community.pk}/report/")
        page.fill("#id_username", "jxhy-head")
        page.fill("#id_password", DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/desk/{community.pk}/report/**", timeout=15000)
        assert height(page.locator("main input[type=month]")) >= TAP
        for name in ("查看", "PDF", "Excel"):
            control = page.locator("main").get_by_text(name, exact=True).first
            assert height(control) >= TAP, name
        jumps = page.locator('main a[href^="#list-"]')
        assert jumps.count() >= 1
        for jump in jumps.all():
            assert height(jump) >= TAP, jump.get_attribute("href")
        assert no_sideways_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / "report-phone.png"), full_page=True)
        # A 明细 jumps to its list, whose heading shows below the banner, not under it.
        banner = page.locator("#emergency-alert")
        banner.wait_for(state="visible", timeout=10000)
        jump = jumps.last
        target = jump.get_attribute("href")
        jump.tap()
        page.wait_for_timeout(300)
        assert page.evaluate("location.hash") == target
        heading = page.locator(f"{target}").bounding_box()
        bar = banner.bounding_box()
        assert heading and bar and heading["y"] >= bar["y"] + bar["height"], (heading, bar)
        # The head's escalation list (rows as cards): each order's number a 40 px hit area (18 px
        # before), no two overlapping, and 查看全部 as tall.
        page.goto(f"{live_server.url}/desk/{community.pk}/queue/")
        links = page.locator("#queue-escalations table.list td a:visible")
        assert links.count() >= 2
        boxes = [link.bounding_box() for link in links.all()]
        for box in boxes:
            assert box and box["height"] >= TAP, box
        for above, below in itertools.pairwise(boxes):
            assert above and below and below["y"] >= above["y"] + above["height"], (above, below)
        # The short lists (incident reports' 打开, overdue loans' 办理归还): the same.
        listed = page.locator("#queue-live section.card > ul > li a:visible")
        assert listed.count() >= 1
        boxes = sorted((link.bounding_box() for link in listed.all()), key=lambda b: b["y"])
        for box in boxes:
            assert box["height"] >= TAP, box
        for above, below in itertools.pairwise(boxes):
            if below["y"] > above["y"]:  # links of the next line
                assert below["y"] >= above["y"] + above["height"], (above, below)
        see_all = page.locator("#queue-escalations p.see-all > a")
        if see_all.count():
            assert height(see_all) >= TAP
        assert no_sideways_scroll(page)
    finally:
        context.close()


def test_em1_on_a_phone_the_emergency_form_says_tap_not_press_enter(browser, live_server) -> None:
    """The emergency form told a phone to 按回车 (a phone has no Enter to press on the form): on a
    touch screen it says to tap 立即通知; at a desk it still says 按回车."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    path = "/desk/emergency/"
    for device, says, not_said in (
        (PHONE, "点「立即通知」", "按回车"),
        (DESK, "按回车", "点「立即通知」"),
    ):
        context, page = signed_in(browser, live_server, office.receptionist, device, path)
        try:
            page.wait_for_url(f"**{path}")
            text = page.locator("main").inner_text()
            assert says in text and not_said not in text, (device, text[:200])
        finally:
            context.close()
