"""The console's top bar on a phone and on a desk (what the office day in Chromium left): on a
360 px phone the office head's screens filled ~460 of 740 px of the bar before any content; now
one 菜单 button opens them over the page (a <details>, no script needed, none inline under the
Content-Security-Policy), and a 1366 px desk keeps them in the bar as before. On the phone the
bar is two rows (the menu, the bell and who is signed in; then the sound switch, the language and
退出), not three. The bell and the sound switch are tap targets of at least 24 by 24 px
(WCAG 2.5.8). Without JavaScript the bell is drawn with its count and the menu still opens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation

from propdesk.community.selectors import user_roles
from propdesk.notify.services import notifications_create
from propdesk.web.views._common import Desk
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_console import sign_in
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
        # Two rows, not three: the menu, the bell and who is signed in on the first; the sound
        # switch, the language and 退出 on the second, all in view.
        header = page.locator("header.top").bounding_box()
        assert header["height"] <= 110, header
        first, second = _middle(page, "#menu > summary"), _middle(page, "#live-sound")
        assert abs(_middle(page, "#notification-bell") - first) < 8
        assert second - first > 24
        for name in ("English", "退出"):
            button = page.get_by_role("button", name=name)
            assert button.is_visible() and abs(_middle(page, button) - second) < 8, name
        for selector in ("#menu > summary", "#notification-bell", "#live-sound"):
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
    finally:
        context.close()
