"""Issue 16 in Chromium: the repair team leader learns that a leak got worse and marks the
repair 急修 on its order page with one tap (DS-1-arrival, switched on in the community's policy,
starts then: its chip shows); then, told it was a mistake, 取消急修 with the reason."""

from __future__ import annotations

import pytest

from propdesk.clocks.models import Clock
from propdesk.desk.services import WorkOrderDraft, work_order_create
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_dispatch import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ds1_arrival_the_team_leader_marks_a_repair_urgent_then_unmarks_it(
    browser, live_server, clock
) -> None:
    community = f.CommunityFactory(
        name="锦绣花园",
        code="jx",
        policy={"clocks": {"DS-1-arrival": {"enabled": True}}},
    )
    office = make_office(community, "a")
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(
            kind="repair", description="楼上渗水到客厅", household=office.household
        ),
    )
    page = browser.new_page()
    sign_in(page, live_server, office.repair_leader, f"/desk/orders/{order.pk}/")
    assert page.locator("#action-unmark_urgent").count() == 0
    with page.expect_navigation():
        page.locator("#action-mark_urgent button").click()
    assert page.locator("#urgent").inner_text().strip() == "是"
    assert "标为急修" in page.locator(".timeline").inner_text()
    assert "急修限时到场" in page.locator("[data-now]").inner_text()
    assert page.locator("#action-mark_urgent").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "order-urgent-marked.png"), full_page=True)
    assert Clock.objects.get(order=order, rule_id="DS-1-arrival").state == "running"
    page.locator("#action-unmark_urgent summary").click()
    form = page.locator("#action-unmark_urgent form")
    form.locator("textarea[name=note]").fill("业主说只是轻微渗水，不急")
    with page.expect_navigation():
        form.locator("button").click()
    assert page.locator("#urgent").count() == 0
    assert "取消急修" in page.locator(".timeline").inner_text()
    assert Clock.objects.get(order=order, rule_id="DS-1-arrival").state == "cancelled"
    page.close()
