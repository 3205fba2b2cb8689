"""EM-1 and EM-2 on the phones, in Chromium: the front desk logs a fire; the guard on duty, on a
360 px phone, sees the alert, taps it, lands on the emergency's page and taps 收到 then 已到场;
the office head's page, open meanwhile in another browser, shows both within 5 seconds without
a reload. Screenshots in tests/browser/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from propdesk.community.models import DutyShift, User
from propdesk.incidents.models import Emergency, Responder
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user: User, next_url: str = "/desk/") -> None:
    page.goto(f"{live_server.url}/desk/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-123456!")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/desk/login/" not in url)  # the POST, then where it leads
    page.wait_for_load_state("networkidle")


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_em1_em2_the_guard_on_duty_acknowledges_and_checks_in_from_the_alert_on_a_phone(
    browser, live_server, clock
) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    community = office.community
    guard = f.UserFactory(username="a-guard", name="王保安", roles=[(community, "team_member")])
    security = f.TeamFactory(
        community=community, kind="security", name="秩序部", member_list=[guard]
    )
    DutyShift.objects.create(
        team=security,
        user=guard,
        starts_at=clock.now() - timedelta(hours=2),
        ends_at=clock.now() + timedelta(hours=10),
    )
    phone = dict(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    desk_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    head_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    guard_ctx = browser.new_context(locale="zh-CN", **phone)
    try:
        # The guard is on their jobs screen; the head on their queue.
        guard_page = guard_ctx.new_page()
        sign_in(guard_page, live_server, guard)
        head_page = head_ctx.new_page()
        sign_in(head_page, live_server, office.head)

        # The front desk logs a fire and lands on its page: who was called.
        desk = desk_ctx.new_page()
        sign_in(desk, live_server, office.receptionist, "/desk/emergency/")
        desk.select_option("#id_kind", label="火警")
        desk.fill("#id_location", "3栋地下车库")
        desk.locator("#call-everyone").click()
        desk.wait_for_url(re.compile(r"/desk/emergencies/\d+/$"))
        emergency = Emergency.objects.get()
        assert Responder.objects.filter(emergency=emergency, user=guard).exists()
        assert desk.locator(f'li[data-user="{guard.username}"]').is_visible()
        shot(desk, "emergency-logged-desktop")

        # The head opens it from the alert and keeps the page open.
        head_line = head_page.locator("#emergency-alert a.emergency-alert-line")
        head_line.wait_for(state="visible", timeout=5000)
        head_line.click()
        head_page.wait_for_url(f"{live_server.url}/desk/emergencies/{emergency.pk}/")
        mine = f'#responders li[data-user="{guard.username}"]'
        assert head_page.locator(mine).get_attribute("data-status") == "called"
        assert head_page.locator("#tap-resolve").is_visible()

        # The guard's phone: the alert, a tap, the emergency's page.
        line = guard_page.locator("#emergency-alert a.emergency-alert-line")
        line.wait_for(state="visible", timeout=5000)
        assert "火警" in line.inner_text() and "3栋地下车库" in line.inner_text()
        box = line.bounding_box()
        assert box is not None and box["height"] >= 44  # big enough for a thumb
        shot(guard_page, "emergency-alert-phone")
        line.tap()
        guard_page.wait_for_url(f"{live_server.url}/desk/emergencies/{emergency.pk}/")
        assert no_sideways_scroll(guard_page)
        ack = guard_page.locator("#tap-acknowledge button")
        assert ack.inner_text().strip() == "收到"
        shot(guard_page, "emergency-page-phone")

        clock.at = clock.now() + timedelta(seconds=30)
        ack.tap()
        guard_page.locator(".messages .success").wait_for(timeout=10000)
        assert guard_page.locator("#tap-acknowledge").count() == 0
        # The head's page follows, without a reload.
        head_page.wait_for_selector(f'{mine}[data-status="acknowledged"]', timeout=5000)

        clock.at = clock.now() + timedelta(minutes=2)
        arrive = guard_page.locator("#tap-check-in button")
        assert arrive.inner_text().strip() == "已到场"
        arrive.tap()
        guard_page.locator(".messages .success").wait_for(timeout=10000)
        assert guard_page.locator("#tap-check-in").count() == 0
        assert guard_page.locator(mine).get_attribute("data-status") == "arrived"
        assert no_sideways_scroll(guard_page)
        shot(guard_page, "emergency-on-site-phone")
        head_page.wait_for_selector(f'{mine}[data-status="arrived"]', timeout=5000)
        assert "已到场" in head_page.locator(mine).inner_text()
        shot(head_page, "emergency-page-head-desktop")

        guard_row = Responder.objects.get(emergency=emergency, user=guard)
        assert guard_row.acknowledged_at is not None and guard_row.arrived_at is not None
        assert guard_row.arrived_at - guard_row.acknowledged_at == timedelta(minutes=2)
    finally:
        for ctx in (guard_ctx, head_ctx, desk_ctx):
            ctx.close()
