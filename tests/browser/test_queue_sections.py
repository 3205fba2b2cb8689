"""Issue 15, a queue section's 查看全部 in Chromium: 我的待办 shows each section's first rows with
the count of all; the link opens the section's own page, whose 下一页 and 上一页 bring the rows in
place (and into the address bar), and whose live refresh keeps the page it is on. The queue and
the section page fit 360 px and 1366 px wide screens (screenshots in tests/browser/screenshots/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from propdesk.desk.queues import PAGE_SIZE, SECTION_ROWS
from propdesk.desk.services import WorkOrderDraft, work_order_create
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = "#queue-take tbody tr[data-order]"
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"


def test_see_all_of_a_section_and_page_through_it(page, live_server) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    cid = office.community.pk
    start = datetime.now(UTC) - timedelta(hours=2)
    for i in range(PAGE_SIZE + 1):
        work_order_create(
            community=office.community,
            by=office.receptionist,
            now=start + timedelta(seconds=i),
            draft=WorkOrderDraft(
                kind="complaint", description=f"楼上噪音{i}", household=office.household
            ),
        )
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, office.administrator, f"/desk/{cid}/queue/")
    take = page.locator("#queue-take")
    assert take.locator("h2").inner_text().endswith(f"({PAGE_SIZE + 1})")
    assert page.locator(ROWS).count() == SECTION_ROWS
    assert tuple(page.evaluate(OVERFLOW)) == (1366, 1366)
    page.screenshot(path=str(SCREENSHOTS / "queue-desktop.png"), full_page=True)
    take.get_by_role("link", name="查看全部").click()
    page.wait_for_url(f"**/desk/{cid}/queue/take/")
    assert page.locator(ROWS).count() == PAGE_SIZE
    assert "第 1–100 单，共 101 单" in page.locator("#section-range").inner_text()
    assert tuple(page.evaluate(OVERFLOW)) == (1366, 1366)
    page.screenshot(path=str(SCREENSHOTS / "queue-section-desktop.png"), full_page=True)
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="下一页").click()
    page.wait_for_function(f"document.querySelectorAll('{ROWS}').length === 1", timeout=5000)
    assert page.url.endswith("/queue/take/?page=2")
    assert page.evaluate("window.__sameDocument") is True  # in place, not a reload
    assert "第 2 页，共 2 页" in page.locator(".pager").inner_text()
    # The live refresh (what live.js triggers on a change) stays on page 2.
    with page.expect_response(lambda r: "/queue/take/" in r.url and "page=2" in r.url):
        page.evaluate("document.body.dispatchEvent(new CustomEvent('live:changed'))")
    page.wait_for_timeout(300)
    assert page.locator(ROWS).count() == 1
    # And back: 上一页 brings the first page again.
    page.get_by_role("link", name="上一页").click()
    page.wait_for_function(
        f"document.querySelectorAll('{ROWS}').length === {PAGE_SIZE}", timeout=5000
    )
    assert page.url.endswith("/queue/take/")
    # A phone: the queue and the section page fit the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/desk/{cid}/queue/")
    assert tuple(page.evaluate(OVERFLOW)) == (360, 360)
    page.screenshot(path=str(SCREENSHOTS / "queue-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/desk/{cid}/queue/take/?page=2")
    assert tuple(page.evaluate(OVERFLOW)) == (360, 360)
    page.screenshot(path=str(SCREENSHOTS / "queue-section-phone.png"), full_page=True)
