"""Taking back what is no longer wanted, on the console's pages over real HTTP: a concierge
request the owner no longer needs (CS-2) is cancelled with its reason by the front desk or the
concierge it was given to; the services offered the cancel and the view read it, but no page
had a way to send it."""

from __future__ import annotations

import pytest
from django.test import Client

from propdesk.concierge.models import ConciergeRequest, RequestState
from propdesk.concierge.services.requests import concierge_request_accept, concierge_request_create
from propdesk.core.clock import FixedClock, set_clock
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
    assert "请写明取消原因。" in card and "<details class=\"cancel\" open>" in card
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
