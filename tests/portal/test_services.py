"""CS-1 and CS-2 in the resident portal (便民服务): a resident reserves an item of the service
cart for their own household (taken off the shelf at once, handed over at the front desk) and asks
the concierge on duty for help, through the front desk's own services; bad input is said beside
its field and changes nothing; another household's id is not found."""

from __future__ import annotations

from propdesk.concierge.models import ConciergeRequest, Loan, RequestSource
from tests.concierge.conftest import local, make_cart

PHONE = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py make_office)


def test_cs1_a_resident_reserves_the_last_ladder_and_it_leaves_the_shelf(
    office, clock, resident_client
) -> None:
    cart = make_cart(office, "p")
    clock.at = local(26, 10)
    c = resident_client(PHONE)
    page = c.get("/portal/services/").content.decode()
    assert "梯子" in page and "可借 1 件" in page
    r = c.post(
        "/portal/services/",
        {
            "form": "cart",
            "household": office.household.pk,
            "item": cart.ladder.pk,
            "due_at": "2026-11-27T18:00",
        },
    )
    assert r.status_code == 302
    loan = Loan.objects.get()
    assert (loan.household_id, loan.state, loan.borrower_phone) == (
        office.household.pk,
        "reserved",
        PHONE,
    )
    assert loan.due_at == local(27, 18)
    cart.ladder.refresh_from_db()
    assert cart.ladder.available == 0
    page = c.get("/portal/services/").content.decode()
    assert 'id="my-loans"' in page and "可借 0 件" in page


def test_cs1_a_due_time_in_the_past_is_said_and_nothing_is_reserved(
    office, clock, resident_client
) -> None:
    cart = make_cart(office, "p")
    clock.at = local(26, 10)
    r = resident_client(PHONE).post(
        "/portal/services/",
        {
            "form": "cart",
            "household": office.household.pk,
            "item": cart.trolley.pk,
            "due_at": "2026-11-26T09:00",
        },
    )
    html = r.content.decode()
    assert r.status_code == 400 and "归还时间须晚于现在" in html
    assert 'value="2026-11-26T09:00"' in html  # what was typed is kept
    assert not Loan.objects.exists()
    cart.trolley.refresh_from_db()
    assert cart.trolley.available == 2


def test_cs2_a_resident_asks_for_help_and_the_concierge_on_duty_has_it(
    office, clock, resident_client
) -> None:
    cart = make_cart(office, "p")
    clock.at = local(26, 21)  # the night concierge's shift
    r = resident_client(PHONE).post(
        "/portal/services/",
        {
            "form": "concierge",
            "household": office.household.pk,
            "kind": "luggage",
            "location": "北门",
            "wanted_at": "",
            "note": "三个行李箱",
        },
    )
    assert r.status_code == 302
    req = ConciergeRequest.objects.get()
    assert (req.source, req.household_id, req.assignee_id, req.location) == (
        RequestSource.RESIDENT,
        office.household.pk,
        cart.night_concierge.pk,
        "北门",
    )
    page = resident_client(PHONE).get("/portal/services/").content.decode()
    assert 'id="my-requests"' in page and "北门" in page


def test_a_missing_place_keeps_what_was_typed(office, clock, resident_client) -> None:
    make_cart(office, "p")
    clock.at = local(26, 10)
    r = resident_client(PHONE).post(
        "/portal/services/",
        {
            "form": "concierge",
            "household": office.household.pk,
            "kind": "elderly",
            "location": " ",
            "note": "腿脚不便",
        },
    )
    assert r.status_code == 400 and "腿脚不便" in r.content.decode()
    assert not ConciergeRequest.objects.exists()


def test_another_households_id_is_not_found(office, other_office, clock, resident_client) -> None:
    cart = make_cart(other_office, "q")
    other_office.household.residents.update(phone="13600000000")
    clock.at = local(26, 10)
    r = resident_client(PHONE).post(
        "/portal/services/",
        {
            "form": "cart",
            "household": other_office.household.pk,
            "item": cart.trolley.pk,
            "due_at": "2026-11-27T18:00",
        },
    )
    assert r.status_code == 404
    assert not Loan.objects.exists()
