"""Taking back what is no longer wanted, on the console's pages over real HTTP: a concierge
request the owner no longer needs (CS-2) is cancelled with its reason by the front desk or the
concierge it was given to (the view read the cancel, but no page sent it); a portal reservation
never collected (CS-1) is cancelled at the desk and its item goes back on the shelf (there was
no way at all: the item stayed reserved for good); one collected after the due time it was
reserved for is due the item's usual loan from then, not lent overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from propdesk.concierge.models import ConciergeRequest, LoanReminder, LoanState, RequestState
from propdesk.concierge.services.cart import (
    loan_cancel_reservation,
    loan_reserve,
    loans_remind_overdue,
)
from propdesk.concierge.services.requests import concierge_request_accept, concierge_request_create
from propdesk.core.clock import FixedClock, set_clock
from propdesk.core.errors import Forbidden
from tests.concierge.conftest import local

pytestmark = pytest.mark.django_db

NOW = local(26, 23, 30)


@pytest.fixture(autouse=True)
def _clock():
    set_clock(FixedClock(NOW))
    yield
    set_clock(None)


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _request(cart, now=NOW) -> ConciergeRequest:
    return concierge_request_create(
        community=cart.office.community,
        kind="luggage",
        location="北门",
        note="三件大行李",
        by=cart.office.receptionist,
        now=now,
    )


def _card(page: str, request: ConciergeRequest) -> str:
    return page.split(f'data-request="{request.pk}"')[1].split('class="card request"')[0]


def test_cs2_the_front_desk_cancels_a_request_with_its_reason(cart) -> None:
    """23:30, the elderly owner's son came down for the luggage: the front desk cancels the
    request from its card; without a reason it is refused beside the field, nothing changed."""
    request = _request(cart)
    assert request.assignee == cart.night_concierge  # on duty at 23:30
    c = client(cart.office.receptionist)
    url = f"/desk/{cart.office.community.pk}/concierge/"
    card = _card(c.get(url).content.decode(), request)
    assert 'name="cancel_reason"' in card and "取消礼宾协助" in card

    r = c.post(url, {"form": "cancel", "request": request.pk, "cancel_reason": "  "})
    assert r.status_code == 400
    card = _card(r.content.decode(), request)
    assert "请写明取消原因。" in card and '<details class="cancel" open>' in card
    request.refresh_from_db()
    assert (request.state, request.cancelled_at, request.cancel_reason) == (
        RequestState.NEW,
        None,
        "",
    )

    r = c.post(url, {"form": "cancel", "request": request.pk, "cancel_reason": "家人已来接"})
    assert r.status_code == 302
    request.refresh_from_db()
    assert (request.state, request.cancelled_at, request.cancel_reason) == (
        RequestState.CANCELLED,
        NOW,
        "家人已来接",
    )
    page = client(cart.night_concierge).get(url).content.decode()
    assert f'id="request-{request.pk}"' not in page

    # Sent twice (a second tab): told in Chinese, nothing changes.
    r = c.post(url, {"form": "cancel", "request": request.pk, "cancel_reason": "再次取消"})
    assert r.status_code == 400
    assert "这项礼宾协助已完成或已取消。" in r.content.decode()
    request.refresh_from_db()
    assert (request.cancelled_at, request.cancel_reason) == (NOW, "家人已来接")


def test_cs2_a_concierge_cancels_the_request_given_to_them_and_no_other(cart) -> None:
    """The concierge it was given to may cancel it (the owner told them at the gate); a
    request given to another concierge offers them no cancel."""
    mine = _request(cart)
    concierge_request_accept(
        community=cart.office.community, request_id=mine.pk, by=cart.night_concierge, now=NOW
    )
    theirs = _request(cart, now=local(26, 19, 50))  # logged in the day concierge's shift
    assert theirs.assignee == cart.day_concierge
    url = f"/desk/{cart.office.community.pk}/concierge/"
    night = client(cart.night_concierge)
    page = night.get(url).content.decode()
    assert 'name="cancel_reason"' in _card(page, mine)
    assert f'id="request-{theirs.pk}"' not in page  # not theirs to see
    day_page = client(cart.day_concierge).get(url).content.decode()
    assert 'name="cancel_reason"' in _card(day_page, theirs)
    assert f'id="request-{mine.pk}"' not in day_page

    r = night.post(url, {"form": "cancel", "request": mine.pk, "cancel_reason": "业主已自行上楼"})
    assert r.status_code == 302
    mine.refresh_from_db()
    assert (mine.state, mine.cancel_reason) == (RequestState.CANCELLED, "业主已自行上楼")
    r = night.post(url, {"form": "cancel", "request": theirs.pk, "cancel_reason": "x"})
    assert r.status_code == 400
    theirs.refresh_from_db()
    assert (theirs.state, theirs.cancel_reason) == (RequestState.NEW, "")


def test_cs1_the_front_desk_cancels_a_reservation_not_collected(cart) -> None:
    """Reserved from the portal the evening before and never collected: the front desk puts
    the ladder back on the shelf (there was only 交付 on its card)."""
    loan = loan_reserve(
        household=cart.office.household,
        item_id=cart.ladder.pk,
        borrower_name="张伟",
        borrower_phone="13812345678",
        due_at=local(27, 18),
        now=local(26, 19),
    )
    c = client(cart.office.receptionist)
    url = f"/desk/{cart.office.community.pk}/cart/"
    card = c.get(url).content.decode().split(f'id="loan-{loan.pk}"')[1].split('class="card')[0]
    assert 'value="cancel_reservation"' in card and "取消预约" in card

    r = c.post(url, {"form": "cancel_reservation", "loan": loan.pk})
    assert r.status_code == 302
    loan.refresh_from_db()
    cart.ladder.refresh_from_db()
    assert (loan.state, cart.ladder.available, cart.ladder.stock) == (LoanState.CANCELLED, 1, 1)
    assert f'id="loan-{loan.pk}"' not in c.get(url).content.decode()

    # Twice (two desks): said, put back once.
    r = c.post(url, {"form": "cancel_reservation", "loan": loan.pk})
    assert r.status_code == 400 and "这项预约已交付或已取消。" in r.content.decode()
    cart.ladder.refresh_from_db()
    assert cart.ladder.available == 1


def test_cs1_only_the_desk_cancels_a_reservation(cart) -> None:
    """The service itself refuses a staff member who does not work the cart (a technician)."""
    loan = loan_reserve(
        household=cart.office.household,
        item_id=cart.ladder.pk,
        borrower_name="张伟",
        borrower_phone="13812345678",
        due_at=local(27, 18),
        now=local(26, 19),
    )
    with pytest.raises(Forbidden):
        loan_cancel_reservation(
            community=cart.office.community, loan_id=loan.pk, by=cart.office.repair_member, now=NOW
        )
    loan.refresh_from_db()
    cart.ladder.refresh_from_db()
    assert (loan.state, cart.ladder.available) == (LoanState.RESERVED, 0)


@pytest.mark.parametrize(
    ("collected", "due"),
    [
        (local(26, 20, 59, 59), local(26, 21)),  # before the due time: kept
        (local(26, 21), local(26, 21) + timedelta(hours=4)),  # at it: would be overdue at :01
        (local(27, 9, 30), local(27, 13, 30)),  # the next morning
    ],
)
def test_cs1_a_reservation_collected_after_its_due_time_is_due_the_items_loan_from_then(
    cart, collected, due
) -> None:
    """Reserved for 21:00 and collected at 21:00 or the next morning: it was lent with the past
    due time, overdue at once, and its borrower texted within the minute of collecting it."""
    cart.ladder.loan_hours = 4
    cart.ladder.save(update_fields=["loan_hours"])
    loan = loan_reserve(
        household=cart.office.household,
        item_id=cart.ladder.pk,
        borrower_name="张伟",
        borrower_phone="13812345678",
        due_at=local(26, 21),
        now=local(26, 19),
    )
    set_clock(FixedClock(collected))
    c = client(cart.office.receptionist)
    url = f"/desk/{cart.office.community.pk}/cart/"
    r = c.post(url, {"form": "hand_over", "loan": loan.pk}, follow=True)
    assert r.status_code == 200
    loan.refresh_from_db()
    assert (loan.state, loan.lent_at, loan.due_at) == (LoanState.LENT, collected, due)
    said = r.content.decode().split('class="messages"')[1].split("</ul>")[0]
    if due == local(26, 21):
        assert "已交付。" in said and "已过" not in said
    else:
        when = f"{due.astimezone(local(26, 0).tzinfo):%Y-%m-%d %H:%M}"
        assert f"已交付。预约时选的应还时间已过，应还时间改为 {when}。" in said
    # No overdue text for a loan just handed over.
    assert loans_remind_overdue(now=collected + timedelta(seconds=1)) == 0
    assert not LoanReminder.objects.exists()
