"""What a wide screen cut or pushed away: the suggestions register kept each owner's words on
one line, so a suggestion of a few sentences pushed the reply box and its 答复 button off the
right edge (a 400-character one made the page 6,388 px wide); the leader's 派单 choice was cut
to its cell's width."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from propdesk.community.models import DutyShift
from propdesk.desk.services import WorkOrderDraft, work_order_create
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


def test_a_leaders_assign_list_shows_the_members_name_load_and_recommendation_whole(
    page, live_server
) -> None:
    """派单 on the leader's 我的待办: the member's choice read "赵慧 (2) ✓ · 推…", cut by its
    cell."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    DutyShift.objects.create(  # on duty: ✓, and the one 推荐
        team=office.repair,
        user=office.repair_member,
        starts_at=datetime.now(UTC) - timedelta(hours=2),
        ends_at=datetime.now(UTC) + timedelta(hours=6),
    )
    work_order_create(
        community=office.community,
        by=office.receptionist,
        now=datetime.now(UTC),
        draft=WorkOrderDraft(
            kind="repair",
            description="厨房水龙头漏水，需上门更换，业主下午在家" * 3,
            household=office.household,
        ),
    )
    page.set_viewport_size({"width": 1024, "height": 768})  # an office's older screen
    sign_in(page, live_server, office.repair_leader, f"/desk/{office.community.pk}/queue/")
    select = page.locator("td.assign select").first
    select.wait_for()
    # The chosen option's words as the select's own font draws them, against its inner width.
    need, has = select.evaluate(
        """s => { const o = document.createElement('span'); const cs = getComputedStyle(s);
             o.style.font = cs.font; o.style.whiteSpace = 'pre';
             o.textContent = s.selectedOptions[0].text; document.body.appendChild(o);
             const w = o.getBoundingClientRect().width; o.remove();
             const pad = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
             return [w, s.clientWidth - pad]; }"""
    )
    assert "推荐" in select.evaluate("s => s.selectedOptions[0].text")
    assert need <= has, (need, has)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
