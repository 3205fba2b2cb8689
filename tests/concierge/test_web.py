"""The console's convenience screens over real HTTP: the concierge's home (no more 403 at
/desk/), the cart lent and taken back at the front desk, the overdue loan in the front desk's
queue (CS-1), requests accepted and done from the phone screen (CS-2), scoping and errors."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from propdesk.concierge.models import CartItem, ConciergeRequest, Loan, LoanState, RequestState
from propdesk.concierge.services.cart import loan_lend
from propdesk.concierge.services.requests import concierge_request_create
from propdesk.core.clock import FixedClock, set_clock
from tests.concierge.conftest import local

pytestmark = pytest.mark.django_db

NOW = local(26, 10)


@pytest.fixture(autouse=True)
def _clock():
    set_clock(FixedClock(NOW))
    yield
    set_clock(None)


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_concierge_lands_on_their_screen_with_their_menu(cart) -> None:
    c = client(cart.day_concierge)
    cid = cart.office.community.pk
    r = c.get("/desk/")
    assert (r.status_code, r["Location"]) == (302, f"/desk/{cid}/concierge/")
    page = c.get(f"/desk/{cid}/concierge/").content.decode()
    nav = page.split('<nav id="nav">')[1].split("</nav>")[0]
    assert ">礼宾<" in nav and ">便民服务车<" in nav
    assert "我的待办" not in nav and "前台" not in nav


def test_cs1_the_front_desk_lends_by_room_and_takes_it_back(cart) -> None:
    c = client(cart.office.receptionist)
    cid = cart.office.community.pk
    r = c.post(
        f"/desk/{cid}/cart/",
        {"form": "lend", "room": "3-2-1502", "item": cart.trolley.pk, "due_at": "2026-11-26T18:00"},
    )
    assert r.status_code == 302
    loan = Loan.objects.get()
    # Borrower and phone left empty: the household's first resident, from the register.
    assert (loan.household, loan.borrower_name, loan.borrower_phone, loan.due_at) == (
        cart.office.household,
        "张伟",
        "13812345678",
        local(26, 18),
    )
    page = c.get(f"/desk/{cid}/cart/").content.decode()
    assert f'id="loan-{loan.pk}"' in page and "3-2-1502" in page
    r = c.post(
        f"/desk/{cid}/cart/",
        {"form": "return", "loan": loan.pk, "condition": "damaged", "return_note": "轮子松了"},
    )
    assert r.status_code == 302
    loan.refresh_from_db()
    assert (loan.state, loan.condition) == (LoanState.RETURNED, "damaged")


def test_cs1_a_bad_room_keeps_what_was_typed_and_lends_nothing(cart) -> None:
    c = client(cart.office.receptionist)
    cid = cart.office.community.pk
    r = c.post(
        f"/desk/{cid}/cart/",
        {
            "form": "lend",
            "room": "9-9-999",
            "item": cart.trolley.pk,
            "borrower_name": "李娜",
            "borrower_phone": "12",
            "due_at": "2026-11-26T18:00",
        },
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "本小区没有这个房号。" in page
    assert 'value="李娜"' in page and 'value="9-9-999"' in page
    assert Loan.objects.count() == 0
    cart.trolley.refresh_from_db()
    assert cart.trolley.available == 2


def test_cs1_an_overdue_loan_shows_in_the_front_desks_queue_from_t_plus_1s(cart) -> None:
    office = cart.office
    loan_lend(
        community=office.community,
        item_id=cart.ladder.pk,
        household_id=office.household.pk,
        borrower_name="张伟",
        borrower_phone="13812345678",
        due_at=local(26, 12),
        by=office.receptionist,
        now=NOW,
    )
    c = client(office.receptionist)
    url = f"/desk/{office.community.pk}/queue/"
    set_clock(FixedClock(local(26, 12)))
    page = c.get(url).content.decode()
    assert '便民服务车：超时未还 <span class="muted">(0)' in page
    set_clock(FixedClock(local(26, 12) + timedelta(seconds=1)))
    page = c.get(url).content.decode()
    section = page.split('id="queue-overdue-loans"')[1].split("</section>")[0]
    assert "(1)" in section and "梯子" in section and "3-2-1502" in section


def test_cs2_the_concierge_accepts_and_marks_done_on_the_phone_screen(cart) -> None:
    request = concierge_request_create(
        community=cart.office.community,
        kind="elderly",
        location="东门",
        by=cart.office.receptionist,
        now=NOW,
    )
    c = client(cart.day_concierge)
    url = f"/desk/{cart.office.community.pk}/concierge/"
    assert f'id="request-{request.pk}"' in c.get(url).content.decode()
    assert c.post(url, {"form": "accept", "request": request.pk}).status_code == 302
    assert (
        c.post(url, {"form": "done", "request": request.pk, "note": "已送到家"}).status_code == 302
    )
    request.refresh_from_db()
    assert (request.state, request.accepted_at, request.done_at) == (RequestState.DONE, NOW, NOW)
    # Done twice: told in Chinese, nothing changes.
    r = c.post(url, {"form": "done", "request": request.pk})
    assert r.status_code == 400
    assert "这项礼宾协助尚未接单，或已完成。" in r.content.decode()


def test_cs2_the_front_desk_logs_a_request_and_bad_input_keeps_what_was_typed(cart) -> None:
    c = client(cart.office.receptionist)
    url = f"/desk/{cart.office.community.pk}/concierge/"
    r = c.post(url, {"form": "new", "kind": "luggage", "location": "", "note": "三件行李"})
    assert r.status_code == 400
    page = r.content.decode()
    assert "请写明礼宾员要去的地点（如北门）。" in page and 'value="三件行李"' in page
    assert ConciergeRequest.objects.count() == 0
    r = c.post(url, {"form": "new", "kind": "luggage", "location": "北门", "room": "3-2-1502"})
    assert r.status_code == 302
    made = ConciergeRequest.objects.get()
    assert (made.household, made.assignee) == (cart.office.household, cart.day_concierge)


def test_convenience_screens_are_scoped_by_community_and_role(cart, other_cart) -> None:
    cid, other = cart.office.community.pk, other_cart.office.community.pk
    concierge = client(cart.day_concierge)
    assert concierge.get(f"/desk/{other}/cart/").status_code == 404
    assert concierge.get(f"/desk/{other}/concierge/").status_code == 404
    assert concierge.get(f"/desk/{cid}/queue/").status_code == 403
    technician = client(cart.office.repair_member)
    assert technician.get(f"/desk/{cid}/cart/").status_code == 403
    r = client(cart.office.receptionist).post(
        f"/desk/{cid}/cart/", {"form": "return", "loan": "x", "condition": "intact"}
    )
    assert r.status_code == 400


def test_cs1_the_database_refuses_a_negative_stock(cart) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CartItem.objects.filter(pk=cart.ladder.pk).update(available=-1)


def test_cs1_cs2_in_the_monthly_report(cart) -> None:
    office = cart.office
    loan_lend(
        community=office.community,
        item_id=cart.trolley.pk,
        household_id=office.household.pk,
        borrower_name="张伟",
        borrower_phone="13812345678",
        due_at=local(26, 12),
        by=office.receptionist,
        now=NOW,
    )
    concierge_request_create(
        community=office.community,
        kind="sick",
        location="3栋",
        by=office.receptionist,
        now=local(26, 23),
    )
    page = (
        client(office.head)
        .get(f"/desk/{office.community.pk}/report/?month=2026-11")
        .content.decode()
    )
    assert "便民服务车：本月借用次数" in page and "礼宾协助：本月次数" in page
    assert "目前超时未还0件" in page and "夜间1次" in page


def no_maxlength(html: str) -> None:
    assert not re.search(r"\smaxlength=", html), "a maxlength cuts a paste silently"


def test_cs1_a_long_borrower_or_return_note_is_counted_and_refused_not_cut(cart) -> None:
    """The browser cut a pasted borrower at 50 and a return note at 200 without a word
    (maxlength), and the service cut them again: counted on the form (data-maxlength), refused
    in words, kept whole, nothing lent or returned; the exact limit is taken."""
    c = client(cart.office.receptionist)
    url = f"/desk/{cart.office.community.pk}/cart/"
    lend = {"form": "lend", "item": cart.trolley.pk, "due_at": "2026-11-26T18:00"}
    page = c.get(url).content.decode()
    no_maxlength(page)
    assert 'name="room" data-maxlength="40"' in page
    assert '借用人姓名<input name="borrower_name" data-maxlength="50"' in page
    name, room = "张" * 51, "3-2-1502" * 6
    r = c.post(url, {**lend, "room": room, "borrower_name": name, "borrower_phone": "13812345678"})
    page = r.content.decode()
    assert r.status_code == 400 and f'value="{room}"' in page and f'value="{name}"' in page
    assert "房号最多 40 个字（现有 48 个），请删减。" in page
    r = c.post(
        url,
        {**lend, "room": "3-2-1502", "borrower_name": name, "borrower_phone": "13812345678"},
    )
    page = r.content.decode()
    assert r.status_code == 400 and f'value="{name}"' in page
    assert "借用人姓名最多 50 个字（现有 51 个），请删减。" in page
    assert Loan.objects.count() == 0
    cart.trolley.refresh_from_db()
    assert cart.trolley.available == 2
    r = c.post(
        url,
        {**lend, "room": "3-2-1502", "borrower_name": "张" * 50, "borrower_phone": "13812345678"},
    )
    assert r.status_code == 302
    loan = Loan.objects.get()
    assert loan.borrower_name == "张" * 50
    page = c.get(url).content.decode()
    no_maxlength(page)
    assert 'name="return_note" data-maxlength="200"' in page
    note = ("右前轮松动，刹车失灵。" * 20)[:201]
    r = c.post(
        url, {"form": "return", "loan": loan.pk, "condition": "damaged", "return_note": note}
    )
    page = r.content.decode()
    assert r.status_code == 400 and f'value="{note}"' in page
    assert "归还备注最多 200 个字（现有 201 个），请删减。" in page
    loan.refresh_from_db()
    assert (loan.state, loan.return_note) == (LoanState.LENT, "")
    r = c.post(
        url, {"form": "return", "loan": loan.pk, "condition": "damaged", "return_note": note[:200]}
    )
    assert r.status_code == 302
    loan.refresh_from_db()
    assert (loan.state, loan.return_note) == (LoanState.RETURNED, note[:200])


def test_cs2_a_long_place_owner_or_note_is_counted_and_refused_not_cut(cart) -> None:
    """Where, the owner and what is needed (and what was done) were cut by the browser
    (maxlength) and again by the service: counted, refused in words, kept, nothing written."""
    c = client(cart.office.receptionist)
    url = f"/desk/{cart.office.community.pk}/concierge/"
    page = c.get(url).content.decode()
    no_maxlength(page)
    for field, limit in (("location", 100), ("room", 40), ("requester_name", 50), ("note", 300)):
        assert f'name="{field}" data-maxlength="{limit}"' in page
    assert '业主姓名（选填）<input name="requester_name"' in page
    where, owner, need = "东门" * 51, "王" * 51, "行李" * 151
    r = c.post(
        url,
        {
            "form": "new",
            "kind": "luggage",
            "location": where,
            "requester_name": owner,
            "note": need,
        },
    )
    page = r.content.decode()
    assert r.status_code == 400
    assert f'value="{where}"' in page and f'value="{owner}"' in page and f'value="{need}"' in page
    assert "地点最多 100 个字（现有 102 个），请删减。" in page
    assert "业主姓名最多 50 个字（现有 51 个），请删减。" in page
    assert "需要协助的内容最多 300 个字（现有 302 个），请删减。" in page
    assert ConciergeRequest.objects.count() == 0
    r = c.post(
        url,
        {
            "form": "new",
            "kind": "luggage",
            "location": where[:100],
            "requester_name": owner[:50],
            "note": need[:300],
        },
    )
    assert r.status_code == 302
    made = ConciergeRequest.objects.get()
    assert (made.location, made.requester_name, made.note) == (where[:100], owner[:50], need[:300])
    concierge = client(cart.day_concierge)
    assert concierge.post(url, {"form": "accept", "request": made.pk}).status_code == 302
    done = "已把三件行李送到3栋2单元1502，" * 20
    r = concierge.post(url, {"form": "done", "request": made.pk, "note": done})
    page = r.content.decode()
    assert r.status_code == 400 and f'value="{done}"' in page
    assert f"完成情况最多 300 个字（现有 {len(done)} 个），请删减。" in page
    made.refresh_from_db()
    assert (made.state, made.done_note) == (RequestState.ACCEPTED, "")
