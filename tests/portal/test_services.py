"""CS-1 and CS-2 in the resident portal (便民服务): a resident reserves an item of the service
cart for their own household (taken off the shelf at once, handed over at the front desk) and asks
the concierge on duty for help, through the front desk's own services; bad input is said beside
its field and changes nothing; another household's id is not found."""

from __future__ import annotations

import pytest

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


def _reserve(c, office, item) -> Loan:
    r = c.post(
        "/portal/services/",
        {
            "form": "cart",
            "household": office.household.pk,
            "item": item.pk,
            "due_at": "2026-11-27T18:00",
        },
    )
    assert r.status_code == 302
    return Loan.objects.latest("id")


def test_cs1_a_resident_cancels_a_reservation_not_collected_and_it_goes_back_on_the_shelf(
    office, clock, resident_client
) -> None:
    """The owner reserved the only ladder and no longer needs it: the reservation had no way
    back, so the ladder stayed off the shelf and the household's three reservations stayed
    held, until the back office edited the rows."""
    cart = make_cart(office, "p")
    clock.at = local(26, 10)
    c = resident_client(PHONE)
    loan = _reserve(c, office, cart.ladder)
    page = c.get("/portal/services/").content.decode()
    mine = page.split(f'data-loan="{loan.pk}"')[1].split("</li>")[0]
    assert 'value="cancel_reservation"' in mine and "取消预约" in mine

    form = {"form": "cancel_reservation", "household": office.household.pk, "loan": loan.pk}
    r = c.post("/portal/services/", form)
    assert r.status_code == 302
    loan.refresh_from_db()
    cart.ladder.refresh_from_db()
    assert (loan.state, cart.ladder.available) == ("cancelled", 1)
    page = c.get(r["Location"]).content.decode()
    assert "已取消预约，梯子已放回。" in page and f'data-loan="{loan.pk}"' not in page

    # Sent twice (the back button): said, and the ladder is put back once.
    r = c.post("/portal/services/", form)
    assert r.status_code == 400 and "这项预约已交付或已取消。" in r.content.decode()
    cart.ladder.refresh_from_db()
    assert cart.ladder.available == 1


def test_cs1_a_resident_cancels_no_other_households_reservation(
    office, other_office, clock, resident_client
) -> None:
    cart = make_cart(office, "p")
    clock.at = local(26, 10)
    loan = _reserve(resident_client(PHONE), office, cart.ladder)
    other_office.household.residents.update(phone="13600000000")
    make_cart(other_office, "q")
    r = resident_client("13600000000").post(
        "/portal/services/",
        {"form": "cancel_reservation", "household": other_office.household.pk, "loan": loan.pk},
    )
    assert r.status_code == 404
    loan.refresh_from_db()
    cart.ladder.refresh_from_db()
    assert (loan.state, cart.ladder.available) == ("reserved", 0)


def test_cs2_the_resident_is_told_when_nobody_is_on_duty(office, clock, resident_client) -> None:
    """With no concierge on duty at the time wanted, the resident read 值班礼宾员会前来协助
    while the request waited for anyone (every concierge told): now said, with the front desk to
    call if it cannot wait."""
    cart = make_cart(office, "p")  # 11-26: day 08:00–20:00, night 20:00–08:00
    clock.at = local(26, 19)
    c = resident_client(PHONE)
    form = {"form": "concierge", "household": office.household.pk, "kind": "elderly"}
    form["location"] = "地下车库"
    r = c.post("/portal/services/", {**form, "wanted_at": "2026-11-26T23:30"}, follow=True)
    assert "已提交，值班礼宾员会前来协助。" in r.content.decode()
    r = c.post("/portal/services/", {**form, "wanted_at": "2026-11-27T23:30"}, follow=True)
    page = r.content.decode()
    assert "已提交。该时段没有礼宾员值班，已通知全部礼宾员；如需立即协助，请致电物业前台。" in page
    assert "值班礼宾员会前来协助" not in page
    assert list(ConciergeRequest.objects.order_by("id").values_list("assignee", flat=True)) == [
        cart.night_concierge.pk,
        None,
    ]


@pytest.mark.parametrize("posted", ["99999999999999999999", "１２", "-1", "1.5"])
def test_cs1_an_id_past_the_databases_range_or_not_a_number_is_no_loan_or_item(
    office, clock, resident_client, posted
) -> None:
    """A loan or an item id the database cannot hold (PostgreSQL's bigint overflows), in other
    digits or not whole: "no such" (404 for a loan, the item's field for a reservation), never a
    500, nothing changed."""
    cart = make_cart(office, "p")
    clock.at = local(26, 10)
    c = resident_client(PHONE)
    r = c.post(
        "/portal/services/",
        {"form": "cancel_reservation", "household": office.household.pk, "loan": posted},
    )
    assert r.status_code == 404
    r = c.post(
        "/portal/services/",
        {
            "form": "cart",
            "household": office.household.pk,
            "item": posted,
            "due_at": "2026-11-26T18:00",
        },
    )
    assert r.status_code == 400
    cart.ladder.refresh_from_db()
    assert cart.ladder.available == 1
