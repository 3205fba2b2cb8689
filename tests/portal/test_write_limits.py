"""What one signed-in resident may make the office do, bounded (an insider's abuse of the portal):
a script with a resident's session could open thousands of work orders (each with its clocks,
the staff's notifications and six photos on disk), take every item of the service cart off the
shelf, or call the concierge on duty again and again. So:

- 报事: at most PORTAL_REPORT_LIMITS reports per resident's number (default 5 an hour, 20 a
  day), counted from their contacts on the channel 业主自助; one more is refused (429) with how
  long to wait and that the front desk takes the call, and writes nothing;
- 预约借用: at most PORTAL_OPEN_RESERVATIONS (3) reservations of a household not yet handed over;
- 请礼宾员协助: at most PORTAL_OPEN_CONCIERGE_REQUESTS (3) open requests of a household asked
  in the portal.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from propdesk.concierge.models import CartItem, ConciergeRequest, Loan
from propdesk.desk.models import Contact, WorkOrder
from tests.concierge.conftest import local, make_cart
from tests.portal.test_orders import PHONE, report


def test_a_residents_sixth_report_within_an_hour_is_refused_and_writes_nothing(
    office, clock, resident_client
) -> None:
    client = resident_client(PHONE)
    for n in range(5):
        assert report(client, office.household, description=f"漏水 {n}").status_code == 302
        clock.at += timedelta(minutes=1)
    refused = report(client, office.household, description="第六次")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "提交太频繁" in html and "分钟后再试" in html and "物业前台" in html
    assert "第六次" in html  # what was typed is kept
    assert int(refused["Retry-After"]) > 0
    assert WorkOrder.objects.count() == Contact.objects.count() == 5
    # An hour after the first, one more may go (the hour's window has moved on).
    clock.at += timedelta(minutes=56)
    assert report(client, office.household, description="一小时后").status_code == 302
    assert WorkOrder.objects.count() == 6


def test_the_days_limit_holds_across_hours(office, clock, resident_client, settings) -> None:
    settings.PORTAL_REPORT_LIMITS = "5/3600,7/86400"
    client = resident_client(PHONE)
    for n in range(7):
        assert report(client, office.household, description=f"第{n}次").status_code == 302
        clock.at += timedelta(minutes=30)
    clock.at += timedelta(hours=3)
    assert report(client, office.household, description="再来").status_code == 429
    assert WorkOrder.objects.count() == 7


def test_the_front_desks_own_contacts_do_not_count_against_the_resident(
    office, clock, resident_client
) -> None:
    from tests.portal.test_orders import desk_logged

    for _ in range(6):
        desk_logged(office, clock, "repair")
    assert report(resident_client(PHONE), office.household).status_code == 302


def _reserve(client, office, item: CartItem):
    return client.post(
        "/portal/services/",
        {
            "form": "cart",
            "household": office.household.pk,
            "item": item.pk,
            "due_at": "2026-11-27T18:00",
        },
    )


def test_a_household_reserves_at_most_three_items_not_yet_handed_over(
    office, clock, resident_client
) -> None:
    make_cart(office, "p")
    umbrellas = CartItem.objects.create(
        community=office.community, name="雨伞", stock=20, available=20
    )
    clock.at = local(26, 10)
    client = resident_client(PHONE)
    for _ in range(3):
        assert _reserve(client, office, umbrellas).status_code == 302
    refused = _reserve(client, office, umbrellas)
    assert refused.status_code == 400
    assert "已预约 3 件" in refused.content.decode()
    assert Loan.objects.count() == 3
    umbrellas.refresh_from_db()
    assert umbrellas.available == 17
    # Handed over at the desk, a reservation no longer counts.
    Loan.objects.filter(pk=Loan.objects.first().pk).update(state="lent")  # type: ignore[union-attr]
    assert _reserve(client, office, umbrellas).status_code == 302


def _help(client, office, note: str):
    return client.post(
        "/portal/services/",
        {
            "form": "concierge",
            "household": office.household.pk,
            "kind": "luggage",
            "location": "北门",
            "wanted_at": "",
            "note": note,
        },
    )


def test_a_household_has_at_most_three_open_concierge_requests_from_the_portal(
    office, clock, resident_client
) -> None:
    make_cart(office, "p")
    clock.at = local(26, 10)
    client = resident_client(PHONE)
    for n in range(3):
        assert _help(client, office, f"第{n}次").status_code == 302
    refused = _help(client, office, "第四次")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "尚未完成的协助请求" in html and "第四次" in html
    assert ConciergeRequest.objects.count() == 3
    ConciergeRequest.objects.filter(pk=ConciergeRequest.objects.first().pk).update(  # type: ignore[union-attr]
        state="done"
    )
    assert _help(client, office, "完成一件后").status_code == 302


def test_the_report_page_reached_by_get_is_untouched_by_the_limit(
    office, clock, resident_client
) -> None:
    client = resident_client(PHONE)
    for n in range(5):
        report(client, office.household, description=f"{n}")
    assert client.get(reverse("portal:report")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_reports_sent_at_once_at_the_limit_write_one(office, clock) -> None:
    """The fifth and the sixth report of the hour sent at once (two web workers): both were
    under the limit when counted, before either was written, and both were written. The limit
    is counted again in the write's transaction, the household held: the sixth waits for the
    fifth and is refused, writing nothing."""
    from propdesk.desk.services.residents import ResidentReport, TooManyReports, resident_report
    from tests.threads import held_in_another_thread

    def send(text: str) -> object:
        return resident_report(
            household=office.household,
            phone=PHONE,
            now=clock.now(),
            data=ResidentReport(kind="repair", description=text),
        )

    for n in range(4):
        send(f"漏水 {n}")
    with held_in_another_thread(lambda: send("第五次")), pytest.raises(TooManyReports):
        send("第六次")
    assert list(
        Contact.objects.filter(channel="resident").order_by("id").values_list("content", flat=True)
    ) == ["漏水 0", "漏水 1", "漏水 2", "漏水 3", "第五次"]
    assert WorkOrder.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_two_reservations_sent_at_once_at_the_cap_keep_one(office, clock) -> None:
    """The third and the fourth reservation of a household sent at once: one is kept, the other
    refused (the household is held while its reservations are counted and written)."""
    from django.core.exceptions import ValidationError

    from propdesk.concierge.services.cart import loan_reserve
    from tests.threads import held_in_another_thread

    make_cart(office, "p")
    umbrellas = CartItem.objects.create(
        community=office.community, name="雨伞", stock=20, available=20
    )
    clock.at = local(26, 10)

    def reserve() -> object:
        return loan_reserve(
            household=office.household,
            item_id=umbrellas.pk,
            borrower_name="张伟",
            borrower_phone=PHONE,
            due_at=local(27, 18),
            now=clock.now(),
        )

    for _ in range(2):
        reserve()
    with held_in_another_thread(reserve), pytest.raises(ValidationError, match="已预约 3 件"):
        reserve()
    assert Loan.objects.filter(state="reserved").count() == 3
    umbrellas.refresh_from_db()
    assert umbrellas.available == 17
