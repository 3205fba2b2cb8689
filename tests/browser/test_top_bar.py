"""The console's top bar on a phone and on a desk (what the office day in Chromium left): on a
360 px phone the office head's screens filled ~460 of 740 px of the bar before any content; now
one 菜单 button opens them over the page (a <details>, no script needed, none inline under the
Content-Security-Policy), and a desk keeps them in the bar. On a 1366 px desk (a common office
laptop) the bar is one row for every role: the user's own things, the language and 退出登录, sit
in the user menu that their name opens (a <details> too: click or keyboard, no script needed);
the bell and the sound switch stay in the bar. On the phone the bar is two rows (the menu, the
bell and the user menu; then the sound switch), not three. The bell and the sound switch are tap
targets of at least 24 by 24 px (WCAG 2.5.8). Without JavaScript the bell is drawn with its count
and both menus still open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from propdesk.community.models import User
from propdesk.community.selectors import user_roles
from propdesk.notify.services import notifications_create
from propdesk.policy.workflow import Role
from propdesk.web.views._common import Desk
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_console import sign_in
from tests.browser.test_csp import COLLECT as COLLECT_CSP
from tests.browser.test_screens import demo, signed_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}


def _heads_screens(office) -> list[str]:
    roles = frozenset(user_roles(office.head, office.community.pk))
    with translation.override("zh-hans"):
        return [label for _key, label, _url in Desk(office.head, office.community, roles).nav()]


def _size(page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["width"], box["height"]


def _middle(page, target) -> float:
    """The vertical middle of an element (a selector or a locator) on the page."""
    box = (page.locator(target) if isinstance(target, str) else target).bounding_box()
    assert box is not None, target
    return box["y"] + box["height"] / 2


def _tell(office, n: int) -> None:
    for i in range(n):
        notifications_create(
            community_id=office.community.pk,
            recipient_ids=[office.head.pk],
            cause=f"test:{i}",
            kind="clock_escalation",
            title=f"超时 {i}",
            now=datetime.now(UTC),
        )


def test_on_a_phone_the_heads_screens_are_behind_one_menu_button(browser, live_server) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    screens = _heads_screens(office)
    assert len(screens) >= 13
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, live_server, office.head, "/desk/")
        queue = page.url
        page.locator("#live-sound").wait_for(state="visible", timeout=5000)
        page.locator("#notification-bell").wait_for(state="visible", timeout=5000)
        menu = page.locator("#menu > summary")
        assert menu.is_visible() and "菜单" in menu.inner_text()
        links = page.locator("#nav a")
        assert links.all_text_contents() == screens
        assert not any(link.is_visible() for link in links.all())
        # The bar is a few lines, not a wall of links: the page starts near the top.
        main_top = page.locator("main").bounding_box()["y"]
        assert main_top < 160, main_top
        # Two rows, not three: the menu, the bell and the user menu (who is signed in) on the
        # first; the sound switch on the second. The language and 退出登录 are in the user menu.
        header = page.locator("header.top").bounding_box()
        assert header["height"] <= 110, header
        first, second = _middle(page, "#menu > summary"), _middle(page, "#live-sound")
        assert abs(_middle(page, "#notification-bell") - first) < 8
        assert abs(_middle(page, "#user-menu > summary") - first) < 8
        assert second - first > 24
        for name in ("English", "退出登录"):
            assert not page.get_by_role("button", name=name).is_visible(), name
        for selector in ("#menu > summary", "#notification-bell", "#live-sound", "#user-menu"):
            w, h = _size(page, selector)
            assert w >= 24 and h >= 24, (selector, w, h)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(SCREENSHOTS / "top-bar-phone-menu-closed.png"))

        menu.click()
        assert all(link.is_visible() for link in links.all())
        for link in links.all():
            w, h = link.bounding_box()["width"], link.bounding_box()["height"]
            assert w >= 24 and h >= 24, (link.inner_text(), w, h)
        # Over the page, not pushing it down.
        assert page.locator("main").bounding_box()["y"] == main_top
        page.screenshot(path=str(SCREENSHOTS / "top-bar-phone-menu-open.png"))
        links.filter(has_text="回访").first.click()
        page.wait_for_url(f"**/desk/{office.community.pk}/visits/")
        assert page.url != queue
        assert not page.locator("#nav a").first.is_visible()  # closed again on the next page
    finally:
        context.close()


def test_on_a_desk_the_screens_stay_in_the_bar(browser, live_server) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    screens = _heads_screens(office)
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    try:
        sign_in(page, live_server, office.head, "/desk/")
        page.locator("#live-sound").wait_for(state="visible", timeout=5000)
        page.locator("#notification-bell").wait_for(state="visible", timeout=5000)
        assert not page.locator("#menu > summary").is_visible()
        links = page.locator("#nav a")
        assert links.all_text_contents() == screens
        assert all(link.is_visible() for link in links.all())
        header = page.locator("header.top").bounding_box()
        for link in links.all():
            box = link.bounding_box()
            bottom = header["y"] + header["height"]
            assert header["y"] <= box["y"] and box["y"] + box["height"] <= bottom
        for selector in ("#notification-bell", "#live-sound"):
            w, h = _size(page, selector)
            assert w >= 24 and h >= 24, (selector, w, h)
        page.screenshot(path=str(SCREENSHOTS / "top-bar-desktop.png"))
    finally:
        context.close()


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_without_javascript_the_bell_is_drawn_and_the_menu_opens(
    browser, live_server, name, viewport
) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    _tell(office, 3)
    context = browser.new_context(locale="zh-CN", viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, office.head, "/desk/")
        assert not page.locator("#live-sound").is_visible()  # it needs the script: not shown
        bell = page.locator("#notification-bell")
        assert bell.is_visible()
        assert bell.inner_text().strip() == "3"
        assert bell.get_attribute("title") == "未读通知：3"
        w, h = _size(page, "#notification-bell")
        assert w >= 24 and h >= 24, (w, h)
        links = page.locator("#nav a")
        if name == "phone":
            assert not links.first.is_visible()
            page.locator("#menu > summary").click()
        assert all(link.is_visible() for link in links.all())
        page.screenshot(path=str(SCREENSHOTS / f"top-bar-nojs-{name}.png"))
        # The user menu opens without a script too, with the language and 退出登录 in it.
        if name == "phone":
            page.locator("#menu > summary").click()  # closed again: one panel at a time
        assert not page.get_by_role("button", name="退出登录").is_visible()
        page.locator("#user-menu > summary").click()
        for button in ("English", "退出登录"):
            assert page.get_by_role("button", name=button).is_visible(), button
        with page.expect_navigation():
            page.get_by_role("button", name="退出登录").click()
        # Signed out onto the sign-in page (not the back office's "logged out" page) …
        assert page.url.endswith("/desk/login/")
        assert page.locator("input[name=username]").is_visible()
        # … and signed out indeed.
        page.goto(f"{live_server.url}/desk/")
        assert "/desk/login/" in page.url
    finally:
        context.close()


# The demo's logins, one for each role the navigation knows (Desk.nav); the test checks that none
# is left out. The office head's bar is the widest: 14 screens.
DEMO_ROLES = (
    ("jxhy-reception1", Role.RECEPTIONIST),
    ("jxhy-admin1", Role.ADMINISTRATOR),
    ("jxhy-head", Role.OFFICE_HEAD),
    ("jxhy-repair-leader", Role.TEAM_LEADER),
    ("jxhy-repair1", Role.TEAM_MEMBER),
    ("jxhy-concierge", Role.CONCIERGE),
    ("leader", Role.LEADERSHIP),
)
# One row: every item of the bar (and every screen's link) shares a line with every other, i.e.
# the highest bottom is below the lowest top; and the bar is no taller than its tallest item.
ONE_ROW = """() => {
  const header = document.querySelector('header.top');
  const items = [...header.children, ...header.querySelectorAll('#nav > a')]
    .filter(e => !e.matches('.spacer, details.menu'))
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0);
  const h = header.getBoundingClientRect(), pad = parseFloat(getComputedStyle(header).paddingTop);
  return {
    items: items.length,
    lowestTop: Math.max(...items.map(r => r.top)),
    highestBottom: Math.min(...items.map(r => r.bottom)),
    height: h.height,
    tallest: Math.max(...items.map(r => r.height)) + 2 * pad,
    right: Math.max(...items.map(r => r.right)),
  };
}"""
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"


def _one_row(page) -> tuple[bool, dict]:
    bar = page.evaluate(ONE_ROW)
    ok = bar["lowestTop"] < bar["highestBottom"] and bar["height"] <= bar["tallest"] + 1
    return ok, bar


def test_on_a_1366_desk_the_bar_is_one_row_for_every_role_with_a_user_menu(
    browser, live_server, clock
) -> None:
    """Each demo login, on its own first screen: at 1366×768 (and 1280×800) the bar is one row
    with every screen's link in view, and at 360 px nothing is wider than the screen; then the
    name opens the user menu by keyboard and by click, with English (then 中文) and 退出登录 in
    it, under the page's Content-Security-Policy, still within a 360 px screen when open; and
    退出登录 signs out."""
    community = demo(clock)
    roles = {
        username: user_roles(User.objects.get(username=username), community.pk)
        for username, _role in DEMO_ROLES
    }
    assert all(role in roles[username] for username, role in DEMO_ROLES), roles
    assert {role for _u, role in DEMO_ROLES} == set(Role)  # every role the navigation knows
    pages = {}
    try:
        problems: list[str] = []
        for username, _role in DEMO_ROLES:
            context, page = signed_in(browser, live_server, username, DESKTOP)
            context.add_init_script(COLLECT_CSP)
            pages[username] = (context, page)
            page.reload()  # with the policy's violations collected
            page.locator("#live-sound").wait_for(state="visible", timeout=5000)
            desk = Desk(User.objects.get(username=username), community, roles[username])
            with translation.override("zh-hans"):
                screens = [label for _key, label, _url in desk.nav()]
            links = page.locator("#nav a")
            assert links.all_text_contents() == screens, username
            for viewport in (DESKTOP, {"width": 1280, "height": 800}):
                page.set_viewport_size(viewport)
                ok, bar = _one_row(page)
                if not ok or bar["right"] > viewport["width"]:
                    problems.append(f"{username} at {viewport['width']} px: not one row {bar}")
                if not all(link.is_visible() for link in links.all()):
                    problems.append(f"{username} at {viewport['width']} px: a screen hidden")
            page.set_viewport_size(DESKTOP)
            page.screenshot(path=str(SCREENSHOTS / f"top-bar-1366-{username}.png"))
            page.set_viewport_size(PHONE)
            scroll, window = page.evaluate(OVERFLOW)
            if scroll > window:
                problems.append(f"{username} at 360 px: {scroll} px wide")
            page.set_viewport_size(DESKTOP)
        assert problems == [], problems

        for username, (_context, page) in pages.items():
            # By keyboard: from the bell, Tab reaches the name; Enter opens the menu; Escape
            # closes it and leaves the focus on the name.
            summary = page.locator("#user-menu > summary")
            english = page.get_by_role("button", name="English", exact=True)
            sign_out = page.get_by_role("button", name="退出登录", exact=True)
            assert not english.is_visible() and not sign_out.is_visible(), username
            page.locator("#notification-bell").focus()
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.parentElement.id") == "user-menu"
            page.keyboard.press("Enter")
            assert english.is_visible() and sign_out.is_visible(), username
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.textContent") == "English"
            page.keyboard.press("Escape")
            assert not english.is_visible(), username
            assert page.evaluate("document.activeElement.parentElement.id") == "user-menu"
            # By click: it opens under the name, and a click elsewhere closes it.
            summary.click()
            assert english.is_visible() and sign_out.is_visible(), username
            panel = page.locator("#user-menu .user-menu-panel").bounding_box()
            assert panel["x"] + panel["width"] <= DESKTOP["width"], (username, panel)
            page.locator("main").click(position={"x": 5, "y": 5})
            assert not english.is_visible(), username
            # The language: English, then 中文 from the same menu.
            summary.click()
            with page.expect_navigation():
                english.click()
            assert page.locator("html").get_attribute("lang") == "en"
            page.locator("#user-menu > summary").click()
            assert page.get_by_role("button", name="Sign out", exact=True).is_visible()
            with page.expect_navigation():
                page.get_by_role("button", name="中文", exact=True).click()
            assert page.locator("html").get_attribute("lang") == "zh-hans"

            # A phone with the user menu open: still nothing wider than the screen.
            page.set_viewport_size(PHONE)
            page.locator("#user-menu > summary").click()
            assert sign_out.is_visible(), username
            panel = page.locator("#user-menu .user-menu-panel").bounding_box()
            scroll, window = page.evaluate(OVERFLOW)
            assert scroll <= window, (username, scroll)
            assert panel["x"] >= 0 and panel["x"] + panel["width"] <= window, (username, panel)
            page.screenshot(path=str(SCREENSHOTS / f"top-bar-360-user-menu-{username}.png"))
            assert page.evaluate("window.__csp") == [], username

            # 退出登录 signs out: the console asks to sign in again.
            with page.expect_navigation():
                sign_out.click()
            page.goto(f"{live_server.url}/desk/")
            assert "/desk/login/" in page.url, username
    finally:
        for context, _page in pages.values():
            context.close()


def test_on_a_desk_the_heads_bar_stays_one_row_with_a_hundred_unread(browser, live_server) -> None:
    """An office head's bell counts every escalation: the demo's head had 101 unread after an
    hour of the office day, and the three-digit count pushed the bell and the name to a second
    row at 1366 and at 1280 px. The bar stays one row with a four-digit count and a three-character
    name, every screen's link in view."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    office.head.name = "唐晓婷"
    office.head.save(update_fields=["name"])
    # A week of escalations, an hour at a time (the cap folds more than a few an hour into a
    # summary): 1000 unread.
    start = datetime.now(UTC)
    for i in range(1000):
        notifications_create(
            community_id=office.community.pk,
            recipient_ids=[office.head.pk],
            cause=f"test:{i}",
            kind="clock_escalation",
            title=f"超时 {i}",
            now=start - timedelta(hours=i // 5),
        )
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    try:
        page = context.new_page()
        sign_in(page, live_server, office.head, "/desk/")
        assert page.locator("#notification-bell").inner_text().strip() == "1000"
        assert page.locator("#nav a").all_text_contents() == _heads_screens(office)
        assert len(_heads_screens(office)) == 14
        for viewport in (DESKTOP, {"width": 1280, "height": 800}):
            page.set_viewport_size(viewport)
            ok, bar = _one_row(page)
            assert ok and bar["right"] <= viewport["width"], (viewport, bar)
            page.screenshot(path=str(SCREENSHOTS / f"top-bar-{viewport['width']}-head-1000.png"))
    finally:
        context.close()
