"""Issue 15, the board a page of 100 rows at a time, in Chromium: 下一页 brings the next rows in
place (htmx) and into the address bar; the live refresh of that page keeps it; changing a
filter starts again from the first page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from propdesk.desk.queues import PAGE_SIZE
from propdesk.desk.services import WorkOrderDraft, work_order_create
from tests import factories as f
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_next_page_of_the_board_in_place_and_kept_by_the_live_refresh(
    page, live_server
) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    cid = office.community.pk
    for i in range(PAGE_SIZE + 1):
        work_order_create(
            community=office.community,
            by=office.receptionist,
            now=datetime.now(UTC),
            draft=WorkOrderDraft(kind="repair", description=f"漏水{i}", household=office.household),
        )
    url = f"/desk/{cid}/board/"
    sign_in(page, live_server, office.administrator, url)
    rows = page.locator("#board tbody tr[data-order]")
    assert rows.count() == PAGE_SIZE
    assert "第 1–100 单，共 101 单" in page.locator("#board-range").inner_text()
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="下一页").click()
    page.wait_for_function(
        "document.querySelectorAll('#board tbody tr[data-order]').length === 1", timeout=5000
    )
    assert "page=2" in page.url
    assert page.evaluate("window.__sameDocument") is True  # in place, not a reload
    # The live refresh (what live.js triggers on a change) stays on page 2.
    with page.expect_response(lambda r: "/board/" in r.url and "page=2" in r.url):
        page.evaluate("document.body.dispatchEvent(new CustomEvent('live:changed'))")
    page.wait_for_timeout(300)
    assert rows.count() == 1
    # A filter starts again from the first page.
    with page.expect_response(lambda r: "/board/" in r.url and "page=" not in r.url):
        page.select_option("select[name=kind]", "repair")
    page.wait_for_function(
        f"document.querySelectorAll('#board tbody tr[data-order]').length === {PAGE_SIZE}",
        timeout=5000,
    )
    # Forward and back again: 上一页 from page 2 brings page 1 (the region's page number, which
    # the live refresh includes, is not sent along with the link's own).
    page.get_by_role("link", name="下一页").click()
    page.wait_for_function(
        "document.querySelectorAll('#board tbody tr[data-order]').length === 1", timeout=5000
    )
    page.get_by_role("link", name="上一页").click()
    page.wait_for_function(
        f"document.querySelectorAll('#board tbody tr[data-order]').length === {PAGE_SIZE}",
        timeout=5000,
    )
    assert "page=" not in page.url
