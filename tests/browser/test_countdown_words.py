"""The countdowns on the board as a person reads them in Chromium, once console.js has ticked:
in Chinese units (2天3小时, 3小时05分, 7分04秒), and 超时 before the time of an overdue clock, never
English letters (d, h, m) or a bare "+"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from propdesk.desk.services import WorkOrderDraft, work_order_create
from tests import factories as f
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_board_counts_down_in_chinese_and_says_overdue(page, live_server) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    late = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=datetime.now(UTC) - timedelta(hours=3),  # CP-1 (10 minutes) is ~2h50 overdue
        draft=WorkOrderDraft(
            kind="complaint",
            complaint_type="general",
            description="夜间施工噪音",
            household=office.household,
        ),
    )
    sign_in(page, live_server, office.administrator, f"/desk/{office.community.pk}/board/")
    page.wait_for_timeout(1300)  # console.js has rewritten every chip at least once
    row = page.locator(f'tr[data-order="{late.number}"]')
    cp1 = row.locator('.clock[data-rule="CP-1"] .t').inner_text()
    assert re.fullmatch(r"超时 2小时[45]\d分", cp1), cp1
    times = page.locator(".clock .t").all_inner_texts()
    assert times
    for text in times:
        assert not re.search(r"[A-Za-z+]", text), text
    page.screenshot(path="tests/browser/screenshots/board-countdown-zh.png", full_page=True)
