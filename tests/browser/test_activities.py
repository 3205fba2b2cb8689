"""CS-3 in Chromium: the administrator plans the quarter's activity from an owner's wish and
announces it with the photo of the posted notice; the front desk signs a household up on a
360 px phone; on the day the administrator marks who came, which meets the quarter's clock.
Screenshots at desktop and phone width go to tests/browser/screenshots/."""

from __future__ import annotations

import pytest

from propdesk.clocks.models import Clock
from propdesk.concierge.models import Activity, ActivitySignup
from propdesk.followup.services import suggestion_create
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.clocks.conftest import sh
from tests.conftest import make_office
from tests.images import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"


def sign_in(browser, live_server, user, viewport=None):
    context = browser.new_context(
        locale="zh-CN", viewport=viewport or {"width": 1280, "height": 800}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/desk/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-123456!")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/desk/login/" not in url, timeout=15000)
    return context, page


def test_cs3_plan_from_a_wish_announce_sign_up_and_mark_attendance(
    browser, live_server, clock
) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    cid = office.community.pk
    suggestion_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="suggestion",
        text="希望办一场亲子运动会",
        household=office.household,
        is_activity_wish=True,
    )
    admin_ctx, admin = sign_in(browser, live_server, office.administrator)
    try:
        admin.goto(f"{live_server.url}/desk/{cid}/activities/")
        admin.get_by_role("link", name="按此需求安排活动").click()
        admin.wait_for_load_state("load")
        assert admin.locator("#plan input[name=title]").input_value() == "希望办一场亲子运动会"
        admin.fill("#plan input[name=title]", "亲子运动会")
        admin.fill("#plan input[name=starts_at]", "2026-12-12T14:30")
        admin.fill("#plan input[name=place]", "小区中心广场")
        admin.fill("#plan input[name=capacity]", "30")
        admin.screenshot(path=str(SCREENSHOTS / "activities-plan-desktop.png"), full_page=True)
        admin.get_by_role("button", name="安排活动").click()
        admin.wait_for_url(lambda url: "/activities/" in url and url.rstrip("/")[-1].isdigit())
        activity = Activity.objects.get()
        assert activity.wish_items.get().text == "希望办一场亲子运动会"
        admin.set_input_files(
            "#announce input[type=file]",
            files=[{"name": "notice.png", "mimeType": "image/png", "buffer": PNG}],
        )
        admin.locator("#announce").get_by_role("button", name="发布公告").click()
        admin.locator(".messages .success").wait_for(timeout=10000)
        activity.refresh_from_db()
        assert activity.state == "announced"
        assert activity.notice.posted_at is not None
    finally:
        admin_ctx.close()

    desk_ctx, desk = sign_in(browser, live_server, office.receptionist, PHONE)
    try:
        desk.goto(f"{live_server.url}/desk/{cid}/activities/{activity.pk}/")
        desk.fill("#signup-form input[name=household]", "3-2-1502")
        desk.get_by_role("button", name="报名", exact=True).click()
        desk.locator(".messages .success").wait_for(timeout=10000)
        assert desk.locator('#signups tr[data-household="3-2-1502"]').is_visible()
        assert tuple(desk.evaluate(OVERFLOW)) == (360, 360)
        desk.screenshot(path=str(SCREENSHOTS / "activity-signup-phone.png"), full_page=True)
        desk.goto(f"{live_server.url}/desk/{cid}/activities/")
        assert tuple(desk.evaluate(OVERFLOW)) == (360, 360)
        desk.screenshot(path=str(SCREENSHOTS / "activities-phone.png"), full_page=True)
    finally:
        desk_ctx.close()

    clock.at = sh(2026, 12, 12, 16, 0)  # the afternoon of the activity
    admin_ctx, admin = sign_in(browser, live_server, office.administrator)
    try:
        admin.goto(f"{live_server.url}/desk/{cid}/activities/{activity.pk}/")
        admin.locator('#attendance-form tr[data-household="3-2-1502"] input').check()
        admin.get_by_role("button", name="登记到场").click()
        admin.locator(".messages .success").wait_for(timeout=10000)
        assert admin.locator('#feedback tr[data-feedback="3-2-1502"]').is_visible()
        admin.screenshot(path=str(SCREENSHOTS / "activity-held-desktop.png"), full_page=True)
    finally:
        admin_ctx.close()
    assert ActivitySignup.objects.get().attended is True
    activity.refresh_from_db()
    assert activity.state == "held"
    assert Clock.objects.get(rule_id="CS-3", community=office.community).state == "met"
