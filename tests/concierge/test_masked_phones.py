"""A concierge reads owners' phones masked (138****1234), like every role that does not call
owners (community.access.phone_as_seen): a request's requester and a loan's borrower on the
concierge's screen and the service cart; the front desk and the office read them whole."""

from __future__ import annotations

import pytest

from propdesk.concierge.services.cart import loan_lend
from propdesk.concierge.services.requests import concierge_request_create
from propdesk.core.clock import FixedClock, set_clock
from tests.concierge.conftest import local
from tests.concierge.test_web import NOW, client

PHONE = "13812345678"
MASKED = "138****5678"


@pytest.fixture(autouse=True)
def _clock():  # type: ignore[no-untyped-def]
    set_clock(FixedClock(NOW))
    yield
    set_clock(None)


def test_a_concierge_reads_requesters_and_borrowers_phones_masked(cart) -> None:
    office = cart.office
    concierge_request_create(
        community=office.community,
        kind="elderly",
        location="东门",
        requester_name="张伟",
        requester_phone=PHONE,
        by=office.receptionist,
        now=NOW,
    )
    loan_lend(
        community=office.community,
        item_id=cart.ladder.pk,
        household_id=office.household.pk,
        borrower_name="张伟",
        borrower_phone=PHONE,
        due_at=local(26, 18),
        by=office.receptionist,
        now=NOW,
    )
    cid = office.community.pk
    for path in (f"/desk/{cid}/concierge/", f"/desk/{cid}/cart/"):
        page = client(cart.day_concierge).get(path).content.decode()
        assert "张伟" in page and MASKED in page and PHONE not in page, path
        for user in (office.receptionist, office.head):
            page = client(user).get(path).content.decode()
            assert f'href="tel:{PHONE}"' in page, (path, user.username)
