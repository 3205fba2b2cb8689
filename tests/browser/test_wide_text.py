"""Long words of an owner on a wide screen: the suggestions register kept each owner's words on
one line, so a suggestion of a few sentences pushed the reply box and its 答复 button off the
right edge (a 400-character one made the page 6,388 px wide)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from propdesk.followup.services.suggestions import suggestion_create
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = (
    "希望物业把地下车库B区的照明全部换成感应灯，并在每个出入口加装监控摄像头，"
    "另外电梯厅的地面太滑，雨天经常有人滑倒，建议铺防滑垫。"
) * 6


def test_a_long_suggestion_wraps_and_the_reply_stays_on_screen(page, live_server) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    suggestion_create(
        community=office.community,
        by=office.administrator,
        now=datetime.now(UTC),
        kind="suggestion",
        text=LONG,
        household=office.household,
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server, office.administrator, f"/desk/{office.community.pk}/suggestions/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    button = page.locator("#suggestions button.primary").bounding_box()
    assert button["x"] + button["width"] <= 1280
    page.screenshot(path=str(SCREENSHOTS / "suggestions-long.png"), full_page=True)
