"""What the office day in Chromium tripped on: a failed 完工 painted every field red though only
the fee was wrong (the worker could not see which one to fix), and on the front desk's 回访 page
a narrow column broke the 回访 button into 回/访 and the order's number in two."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from tests import factories as f
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _step(order, action, by, **kw):
    order.refresh_from_db()
    return work_order_transition(
        order_id=order.pk, action=action, by=by, now=datetime.now(UTC), version=order.version, **kw
    )


def test_a_failed_completion_marks_only_the_wrong_field(page, live_server) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=datetime.now(UTC),
        draft=WorkOrderDraft(kind="repair", description="下水道堵塞", household=office.household),
    )
    _step(order, "assign", office.repair_leader, assignee=office.repair_member)
    _step(order, "accept", office.repair_member)
    _step(order, "check_in", office.repair_member)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server, office.repair_member, f"/desk/jobs/{order.pk}/")
    page.click("summary:has-text('完工')")
    box = page.locator("details[open] form")
    box.locator("textarea[name=note]").fill("疏通完毕")
    box.locator("input[name=fee]").fill("五十")
    box.locator("button.primary").click()
    page.wait_for_load_state("networkidle")
    box = page.locator("details[open] form")
    assert box.locator("input[name=fee]").input_value() == "五十"
    background = "e => getComputedStyle(e).backgroundColor"
    fee = box.locator("input[name=fee]").evaluate(background)
    note = box.locator("textarea[name=note]").evaluate(background)
    materials = box.locator("input[name=materials]").evaluate(background)
    assert fee != note  # the fee is marked, the work done is not
    assert note == materials
    page.screenshot(path="tests/browser/screenshots/job-complete-fee-error.png", full_page=True)


def test_the_return_visit_list_keeps_its_buttons_and_numbers_on_one_line(page, live_server) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=datetime.now(UTC),
        draft=WorkOrderDraft(
            kind="complaint",
            complaint_type="general",
            description="楼上每天晚上十一点后还在装修，噪音很大，影响休息，希望物业尽快处理" * 2,
            household=office.household,
        ),
    )
    _step(order, "take", office.administrator)
    _step(order, "resolve", office.administrator, note="已协调停工")
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, office.receptionist, f"/desk/{office.community.pk}/visits/")
    row = page.locator(f'#visits-complaints tr[data-order="{order.number}"]')
    button = row.locator("a.button")
    number = row.locator("td:first-child > a")
    font = button.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    # One line each: the button's height is one line and its padding (two lines would add a
    # line), the link is one box (a wrapped inline link has one box per line).
    assert button.bounding_box()["height"] < 2.2 * font + 16
    assert number.evaluate("e => e.getClientRects().length") == 1
    page.screenshot(path="tests/browser/screenshots/visits-desktop.png", full_page=True)


LINES = """e => { const r = document.createRange(); r.selectNodeContents(e);
  return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"""


def test_the_queues_and_the_board_keep_a_kind_a_room_and_a_state_on_one_line(
    page, live_server
) -> None:
    """At 1366 px an order with many clocks left the other columns narrow: 已派单 broke into
    已派/单, 投诉 · 一般投诉 into 投诉 · 一/般投诉 and a room number 1-1-101 into 1-1-/101."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    now = datetime.now(UTC)
    long = "施工遗留：主卧窗框渗水，下雨天窗台下面的墙面一直在渗水，业主多次反映" * 2
    crowded, complaint = (
        work_order_create(
            community=office.community,
            by=office.receptionist,
            now=now,
            draft=WorkOrderDraft(description=long, household=office.household, **kw),
        )
        for kw in (
            {"kind": "repair", "is_long_running": True, "is_construction_legacy": True},
            {"kind": "complaint", "complaint_type": "general"},
        )
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    cid = office.community.pk
    for url in (f"/desk/{cid}/queue/", f"/desk/{cid}/board/"):
        sign_in(page, live_server, office.administrator, url)
        for order in (crowded, complaint):
            row = page.locator(f'tr[data-order="{order.number}"]').first
            cells = row.locator("td")
            texts = [cells.nth(i).inner_text().strip() for i in range(cells.count())]
            for i, text in enumerate(texts):
                first = text.split()[0] if text else ""
                if first in (office.household.code, order.get_state_display()) or text.startswith(
                    "投诉 · "
                ):
                    assert cells.nth(i).evaluate(LINES) == 1, (url, order.number, text)
        page.screenshot(
            path=f"tests/browser/screenshots/narrow-cells-{url.split('/')[-2]}.png", full_page=True
        )
