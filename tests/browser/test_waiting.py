"""Issue 16 in Chromium: a technician on the phone job page sets 待料 with a reason (DS-1 pauses,
its chip says 暂停计时), then ends the wait with one tap (DS-1 counts again)."""

from __future__ import annotations

import pytest

from propdesk.clocks.models import Clock
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_dispatch import PHONE, sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_DS_1_a_technician_waits_for_parts_and_ends_the_wait_on_the_phone(
    browser, live_server, clock
) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="厨房角阀漏水", household=office.household),
    )
    work_order_transition(
        order_id=order.pk, action="claim", by=office.repair_member, now=clock.now(), version=1
    )
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, office.repair_member, f"/desk/jobs/{order.pk}/")
    page.locator("#action-wait summary").click()
    form = page.locator("#action-wait form")
    form.locator("select[name=waiting]").select_option("parts")
    form.locator("textarea[name=note]").fill("角阀型号特殊，明天到货")
    with page.expect_navigation():
        form.locator("button").click()
    assert "等待中：待料" in page.locator("#order-waiting").inner_text()
    assert "暂停计时" in page.locator(".clock.paused").first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "waiting-phone.png"), full_page=True)
    assert Clock.objects.get(order=order, rule_id="DS-1").paused_at is not None
    with page.expect_navigation():
        page.locator("#action-end_wait button").click()
    assert page.locator("#order-waiting").count() == 0
    assert Clock.objects.get(order=order, rule_id="DS-1").paused_at is None
    context.close()
