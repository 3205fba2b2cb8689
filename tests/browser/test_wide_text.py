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


def test_an_items_tag_as_activity_button_sits_with_its_item_on_a_phone(page, live_server) -> None:
    """标为活动 on a phone (rows as cards) stood in the card's first line between the age and the
    room, belonging to neither: it sits inside its item's card, under the owner's words it tags,
    beside the kind; at 1280 px still under the kind in its column."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    item = suggestion_create(
        community=office.community,
        by=office.administrator,
        now=datetime.now(UTC),
        kind="suggestion",
        text="希望组织一次亲子运动会",
        household=office.household,
    )
    path = f"/desk/{office.community.pk}/suggestions/"
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server, office.administrator, path)
    row = page.locator(f"#suggestions tr[data-item='{item.pk}']")
    button, card = row.get_by_role("button", name="标为活动").bounding_box(), row.bounding_box()
    words, age = row.locator("td").nth(3).bounding_box(), row.locator("td").nth(0).bounding_box()
    assert card["x"] <= button["x"] and button["x"] + button["width"] <= card["x"] + card["width"]
    assert card["y"] <= button["y"] and button["y"] + button["height"] <= card["y"] + card["height"]
    assert button["y"] >= words["y"] + words["height"]  # under the owner's words
    assert button["y"] >= age["y"] + age["height"]  # not in the line of the age and the room
    page.screenshot(path=str(SCREENSHOTS / "suggestions-tag-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}{path}")
    kind = row.locator("td").nth(1).bounding_box()
    button = row.get_by_role("button", name="标为活动").bounding_box()
    assert kind["x"] <= button["x"] and button["x"] + button["width"] <= kind["x"] + kind["width"]
    assert kind["y"] <= button["y"] and button["y"] + button["height"] <= kind["y"] + kind["height"]


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
