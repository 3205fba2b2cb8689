"""EM-1 on the screens: an emergency shows as a full-width alert on every office screen of the
community within 5 seconds, and not on another community's."""

from __future__ import annotations

import pytest

from propdesk.community.models import User
from propdesk.incidents.services import emergency_log
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def staff_login(page, live_server, user: User) -> None:
    user.is_staff = True
    user.save()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-123456!")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_the_bell_shows_my_unread_notifications(page, live_server) -> None:
    """In-app channel: the count beside my name follows my unread notifications."""
    from datetime import UTC, datetime

    from propdesk.notify.services import notifications_create

    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    staff_login(page, live_server, office.head)
    bell = page.locator("#notification-bell")
    bell.wait_for(state="visible", timeout=5000)
    assert bell.inner_text().strip() == "0"
    for i in range(2):
        notifications_create(
            community_id=office.community.pk,
            recipient_ids=[office.head.pk],
            cause=f"test:{i}",
            kind="clock_escalation",
            title=f"超时 {i}",
            now=datetime.now(UTC),
        )
    page.wait_for_function(
        "document.getElementById('notification-bell').textContent.trim() === '2'",
        timeout=10000,
    )


def test_em1_an_emergency_appears_on_the_front_desk_screen_within_5_seconds(
    page, live_server
) -> None:
    company = f.CompanyFactory(name="锦绣物业")
    office = make_office(f.CommunityFactory(company=company, name="锦绣花园", code="jx"), "a")
    other = make_office(f.CommunityFactory(company=company, name="滨江苑", code="bj"), "b")
    staff_login(page, live_server, office.receptionist)
    alert = page.locator("#emergency-alert")
    page.wait_for_timeout(2500)  # at least one poll with nothing open
    assert not alert.is_visible()

    from datetime import UTC, datetime

    emergency_log(
        community=other.community,
        by=other.receptionist,
        now=datetime.now(UTC),
        kind="fire",
        location="滨江苑2栋",
    )
    emergency_log(
        community=office.community,
        by=office.receptionist,
        now=datetime.now(UTC),
        kind="fire",
        location="3栋大堂",
    )
    alert.wait_for(state="visible", timeout=5000)
    text = alert.inner_text()
    assert "3栋大堂" in text and "火警" in text
    assert "滨江苑2栋" not in text  # another community's emergency stays off this screen
    # The bell counts what is unread for this receptionist (here: nothing addressed to them).
    page.locator("#notification-bell").wait_for(state="visible", timeout=5000)
    assert page.locator("#notification-bell").inner_text().strip() == "0"
    page.screenshot(path=str(SCREENSHOTS / "emergency-alert-desktop.png"), full_page=True)


def test_em1_the_front_desk_logs_an_emergency_on_one_screen_with_the_keyboard(page, live_server):
    """Kind, where, Enter: under 20 seconds, everyone called, and the alert on screen."""
    import time

    from propdesk.incidents.models import Emergency

    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    page.goto(f"{live_server.url}/desk/emergency/")
    page.fill("#id_username", office.receptionist.username)  # a non-staff login works here
    page.fill("#id_password", "pw-123456!")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/emergency/")
    started = time.monotonic()
    assert page.evaluate("document.activeElement.id") == "id_kind"  # the kind has the focus
    page.select_option("#id_kind", label="水浸")  # chosen on the focused select, no mouse
    page.keyboard.press("Tab")
    page.keyboard.type("地下车库B2")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages .success", timeout=10000)
    took = time.monotonic() - started
    assert took < 20
    emergency = Emergency.objects.get()
    assert (emergency.kind, emergency.location) == ("flooding", "地下车库B2")
    assert "人" in page.locator(".messages .success").inner_text()
    page.locator("#emergency-alert").wait_for(state="visible", timeout=5000)
    page.screenshot(path=str(SCREENSHOTS / "emergency-form-desktop.png"), full_page=True)


def test_em1_a_bad_emergency_form_keeps_what_was_typed_and_changes_nothing(page, live_server):
    from propdesk.incidents.models import Emergency

    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    page.goto(f"{live_server.url}/desk/emergency/")
    page.fill("#id_username", office.receptionist.username)
    page.fill("#id_password", "pw-123456!")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/emergency/")
    page.fill("#id_room", "9-9-9999")
    page.fill("#id_description", "浓烟")
    page.click("#call-everyone")
    page.wait_for_selector(".errorlist")
    assert page.input_value("#id_room") == "9-9-9999"
    assert page.input_value("#id_description") == "浓烟"
    assert not Emergency.objects.exists()


def test_em1_a_team_member_is_shown_the_way_back_not_the_form(page, live_server):
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    page.goto(f"{live_server.url}/desk/emergency/")
    page.fill("#id_username", office.repair_member.username)
    page.fill("#id_password", "pw-123456!")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/emergency/")
    way_back = page.locator("main a[href='/desk/']")
    way_back.wait_for(state="visible", timeout=10000)
    assert page.locator("#id_kind").count() == 0


def test_em1_handled_the_banner_leaves_every_open_screen_without_a_reload(
    browser, live_server
) -> None:
    """处置完毕 stops the alarm for everyone: the red banner goes from the office head's screen
    (he was called: his alert) and from the front desk's phone (not called: the emergency's
    line) at their next poll, without a reload and without anyone dismissing it, and stays gone
    on the next page; his page of the emergency says 处置完毕 and offers no more taps. The
    notification stays in the head's list."""
    from datetime import UTC, datetime

    from propdesk.incidents.services import emergency_resolve
    from tests.browser.test_console import sign_in

    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    screens = {}
    contexts = []
    try:
        for who, user, viewport in (
            ("head", office.head, {"width": 1366, "height": 768}),
            ("desk", office.receptionist, {"width": 360, "height": 740}),
        ):
            context = browser.new_context(locale="zh-CN", viewport=viewport)
            contexts.append(context)
            screens[who] = context.new_page()
            sign_in(screens[who], live_server, user, "/desk/")
        fire = emergency_log(
            community=office.community,
            by=office.receptionist,
            now=datetime.now(UTC),
            kind="fire",
            location="3栋大堂",
        )
        for who, page in screens.items():
            banner = page.locator("#emergency-alert")
            banner.wait_for(state="visible", timeout=5000)
            assert "3栋大堂" in banner.inner_text()
            page.screenshot(path=str(SCREENSHOTS / f"emergency-banner-open-{who}.png"))
        head = screens["head"]
        head.goto(f"{live_server.url}/desk/emergencies/{fire.pk}/")  # his phone's page of it
        taps = head.locator("section.taps")
        assert taps.is_visible()
        emergency_resolve(
            emergency_id=fire.pk, by=office.head, now=datetime.now(UTC), note="明火已扑灭"
        )
        for page in screens.values():
            page.locator("#emergency-alert").wait_for(state="hidden", timeout=5000)
        # The emergency's own page says it is handled, and offers no more taps.
        head.locator("#emergency-resolved").wait_for(state="visible", timeout=5000)
        assert not taps.is_visible()
        for who, page in screens.items():
            page.screenshot(path=str(SCREENSHOTS / f"emergency-banner-handled-{who}.png"))
        head.goto(f"{live_server.url}/desk/notifications/")
        head.wait_for_timeout(2500)  # a poll on the new page
        assert not head.locator("#emergency-alert").is_visible()
        assert "3栋大堂" in head.locator("main").inner_text()  # the record stays
    finally:
        for context in contexts:
            context.close()


def test_em1_the_banner_says_the_communitys_time_on_a_device_set_to_utc(
    browser, live_server
) -> None:
    """EM-1: the banner's time is the community's (Asia/Shanghai), whatever zone the device is
    set to: a fire reported at 20:12:32 in Shanghai reads 20:12:32 on a PC set to UTC."""
    from datetime import UTC, datetime

    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    context = browser.new_context(locale="zh-CN", timezone_id="UTC")
    try:
        page = context.new_page()
        staff_login(page, live_server, office.receptionist)
        emergency_log(
            community=office.community,
            by=office.receptionist,
            now=datetime(2026, 11, 26, 12, 12, 32, tzinfo=UTC),  # 20:12:32 in Shanghai
            kind="fire",
            location="3栋大堂",
        )
        line = page.locator("#emergency-alert .emergency-alert-line")
        line.wait_for(state="visible", timeout=5000)
        text = line.inner_text()
        assert "20:12:32" in text and "12:12:32" not in text, text
    finally:
        context.close()


def test_em1_on_the_emergency_page_of_a_phone_the_banner_keeps_its_small_close_buttons(
    browser, live_server
) -> None:
    """The office head, called to a fire, opens the emergency's page on his phone (360 px) while
    an agitated visitor waits for him (an alert of the banner, FD-4): the alert's line is the
    text to tap with a 44 px × beside it, as on every other page; the page's own big full-width
    buttons (收到, 已到场) are the page's, not the banner's (a × that took 140 px squeezed each
    alert into a column of five lines)."""
    from datetime import UTC, datetime

    from propdesk.notify.services import notifications_create
    from tests.browser.test_console import sign_in

    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    now = datetime.now(UTC)
    fire = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=now,
        kind="fire",
        location="5栋地下车库B区",
    )
    notifications_create(
        community_id=office.community.pk,
        recipient_ids=[office.head.pk],
        cause="test:agitated",
        kind="agitated_visitor",
        title="任建建（4-1-1602）情绪激动，已请到会议室/主任室，请立即前来处理",
        now=now,
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        sign_in(page, live_server, office.head, f"/desk/emergencies/{fire.pk}/")
        close = page.locator("#emergency-alert .live-dismiss").first
        close.wait_for(state="visible", timeout=5000)
        page.screenshot(path=str(SCREENSHOTS / "emergency-page-banner-phone.png"))
        line = page.locator("#emergency-alert .live-alert").first
        close_box, line_box = close.bounding_box(), line.bounding_box()
        assert close_box is not None and line_box is not None
        assert 40 <= close_box["width"] <= 60, close_box
        assert close_box["height"] >= 40  # still a finger's tap
        # The page's own taps stay full width.
        tap = page.locator("section.taps button.tap").first
        tap_box = tap.bounding_box()
        assert tap_box is not None and tap_box["width"] > 300, tap_box
    finally:
        context.close()


def test_fd4_alerts_beyond_the_newest_fold_into_one_line_on_a_phone(browser, live_server) -> None:
    """FD-4: four agitated visitors waiting for the office head are four alerts on his phone.
    The newest is shown whole; the other three fold into one line, 另有 3 条提醒, which opens to
    show them, each with its own ×. Four whole lines took a third of a 740 px screen above every
    page."""
    from datetime import UTC, datetime

    from propdesk.notify.services import notifications_create
    from tests.browser.test_console import sign_in

    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    for i, room in enumerate(["4-1-1602", "3-2-801", "1-1-101", "2-1-1203"]):
        notifications_create(
            community_id=office.community.pk,
            recipient_ids=[office.head.pk],
            cause=f"test:agitated:{i}",
            kind="agitated_visitor",
            title=f"业主{i}（{room}）情绪激动，已请到会议室/主任室，请立即前来处理",
            now=datetime.now(UTC),
        )
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        sign_in(page, live_server, office.head, f"/desk/{office.community.pk}/queue/")
        banner = page.locator("#emergency-alert")
        fold = banner.locator("details.live-more")
        fold.wait_for(state="visible", timeout=5000)
        shown = banner.locator(":scope > .live-alert")
        assert shown.count() == 1
        assert "业主3（2-1-1203）" in shown.first.inner_text()  # the newest
        assert fold.locator("summary").inner_text().strip() == "另有 3 条提醒"
        box = banner.bounding_box()
        assert box is not None and box["height"] < 200, box
        page.screenshot(path=str(SCREENSHOTS / "agitated-alerts-folded-phone.png"))
        fold.locator("summary").click()
        folded = fold.locator(".live-alert")
        assert folded.count() == 3
        assert "业主0（4-1-1602）" in folded.last.inner_text()
        folded.first.locator(".live-dismiss").click()
        # One dismissed: two left under the fold, which stays open.
        page.wait_for_function(
            "document.querySelector('#emergency-alert details.live-more summary')"
            ".textContent.trim() === '另有 2 条提醒'",
            timeout=5000,
        )
        assert fold.evaluate("d => d.open") is True
        assert fold.locator(".live-alert").count() == 2
    finally:
        context.close()
