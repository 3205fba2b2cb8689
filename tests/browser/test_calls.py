"""FD-1 in Chromium: the phone system posts a ringing call to the webhook; the receptionist's
intake screen shows the caller's household and its open orders before anyone answers, and a
button opens the form with the number filled in. A missed call appears as a call-back in the
receptionist's queue, without a reload."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from propdesk.calls.player import post_signed
from propdesk.calls.services import phone_system_set
from propdesk.desk.services import WorkOrderDraft, work_order_create
from tests import factories as f
from tests.browser.test_console import shot, sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECRET = "pbx-secret"
CALLER = "13812345678"  # 张伟 of 3-2-1502


def send(live_server, cid: int, call: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    status, answer = post_signed(
        f"{live_server.url}/api/calls/events/",
        cid,
        SECRET,
        {
            "id": f"{call}:{kind}",
            "call": call,
            "type": kind,
            "at": datetime.now(UTC).isoformat(),
            "phone": CALLER,
            "line": "88881234",
        },
        timestamp=time.time(),
    )
    assert status == 202, answer


def settle(page) -> None:  # type: ignore[no-untyped-def]
    """The first poll has answered (the bell shows it)."""
    page.wait_for_function("document.getElementById('notification-bell') !== null", timeout=5000)


def test_fd1_a_ringing_call_shows_the_household_on_the_intake_screen(page, live_server) -> None:  # type: ignore[no-untyped-def]
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    cid = office.community.pk
    phone_system_set(community=office.community, secret=SECRET)
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=datetime.now(UTC),
        draft=WorkOrderDraft(
            kind="repair", description="厨房水龙头漏水", household=office.household
        ),
    )
    sign_in(page, live_server, office.receptionist, f"/desk/{cid}/intake/")
    settle(page)
    assert page.locator("#ringing .ringing-call").count() == 0

    send(live_server, cid, "call-1", "ringing")
    banner = page.locator(f'#ringing .ringing-household[data-household="{office.household.pk}"]')
    banner.wait_for(timeout=2000)
    assert "3-2-1502" in banner.inner_text()
    assert order.number in banner.inner_text()
    shot(page, "calls-ringing-intake")

    page.locator("#ringing a.button.primary").click()
    page.wait_for_url(lambda url: "caller_phone=" in url, timeout=5000)
    assert page.input_value("#id_caller_phone") == CALLER
    page.locator("#household-panel h2", has_text="3-2-1502").wait_for(timeout=5000)
    # Answered: the banner goes away by itself.
    page.locator("#ringing .ringing-call").wait_for(timeout=5000)
    send(live_server, cid, "call-1", "answered")
    page.locator("#ringing .ringing-call").wait_for(state="detached", timeout=5000)


def test_fd1_a_missed_call_appears_as_a_callback_in_the_queue(page, live_server) -> None:  # type: ignore[no-untyped-def]
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    cid = office.community.pk
    phone_system_set(community=office.community, secret=SECRET)
    sign_in(page, live_server, office.receptionist, f"/desk/{cid}/queue/")
    settle(page)
    assert page.locator("#queue-callbacks [data-callback]").count() == 0

    send(live_server, cid, "call-2", "ringing")
    send(live_server, cid, "call-2", "missed")
    row = page.locator(f'#queue-callbacks tr[data-callback="{CALLER}"]')
    row.wait_for(timeout=5000)
    assert "1" in row.inner_text()
    shot(page, "calls-callback-queue")
    page.goto(f"{live_server.url}/desk/{cid}/calls/")
    assert CALLER in page.locator("#calls-callbacks").inner_text()
    assert "未接" in page.locator("#calls-list").inner_text()
    shot(page, "calls-page")
    page.go_back()
    row.locator("a.button").click()
    page.wait_for_url(lambda url: "/intake/" in url, timeout=5000)
    assert page.input_value("#id_caller_phone") == CALLER
