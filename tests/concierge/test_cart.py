"""CS-1 (便民服务车): lend, return with the condition, overdue reminders once, stock never below
zero, scoped by community, bad input refused in Chinese with nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from propdesk.concierge.models import CartItem, Loan, LoanReminder, LoanState, ReminderState
from propdesk.concierge.selectors import loans_overdue
from propdesk.concierge.services.cart import (
    loan_hand_over,
    loan_lend,
    loan_reminders_deliver,
    loan_reserve,
    loan_return,
    loans_remind_overdue,
)
from propdesk.core.errors import Conflict, Forbidden
from propdesk.notify.sms import console_sent
from tests.concierge.conftest import local

pytestmark = pytest.mark.django_db

T0 = local(26, 10)
DUE = local(26, 18)


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def lend(cart, *, item=None, by=None, household=None, due=DUE, now=T0, **kw):
    office = cart.office
    args = {
        "community": office.community,
        "item_id": (item or cart.trolley).pk,
        "household_id": (household or office.household).pk,
        "borrower_name": "张伟",
        "borrower_phone": "138 1234 5678",
        "due_at": due,
        "by": by or office.receptionist,
        "now": now,
    }
    args.update(kw)
    return loan_lend(**args)


def shelf(item: CartItem) -> tuple[int, int]:
    item.refresh_from_db()
    return item.stock, item.available


def test_cs1_lend_takes_one_off_the_shelf_and_records_the_loan(cart) -> None:
    loan = lend(cart)
    assert (loan.state, loan.lent_at, loan.due_at, loan.lent_by) == (
        LoanState.LENT,
        T0,
        DUE,
        cart.office.receptionist,
    )
    assert loan.borrower_phone == "13812345678"
    assert shelf(cart.trolley) == (2, 1)


def test_cs1_a_loan_due_at_t_is_overdue_at_t_plus_1s_not_at_t(cart) -> None:
    loan = lend(cart)
    cid = cart.office.community.pk
    assert not loan.is_overdue(DUE)
    assert list(loans_overdue(cid, DUE)) == []
    assert loans_remind_overdue(now=DUE) == 0
    after = DUE + timedelta(seconds=1)
    assert loan.is_overdue(after)
    assert list(loans_overdue(cid, after)) == [loan]


def test_cs1_overdue_borrower_is_reminded_once_by_text(cart) -> None:
    loan = lend(cart)
    after = DUE + timedelta(seconds=1)
    assert loans_remind_overdue(now=after) == 1
    assert loans_remind_overdue(now=after + timedelta(hours=1)) == 0  # once
    reminder = LoanReminder.objects.get(loan=loan)
    assert reminder.phone == "13812345678"
    assert (
        "手推车" in reminder.text and "3-2-1502" in reminder.text and "11-26 18:00" in reminder.text
    )
    before = len(console_sent("13812345678"))
    assert loan_reminders_deliver(now=after) == 1
    assert loan_reminders_deliver(now=after + timedelta(minutes=5)) == 0
    sent = console_sent("13812345678")[before:]
    assert sent == [reminder.text]
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, reminder.sent_at) == (ReminderState.SENT, 1, after)
    loan.refresh_from_db()
    assert loan.reminded_at == after


def test_cs1_a_failing_gateway_retries_then_sends(cart, settings) -> None:
    lend(cart)
    after = DUE + timedelta(seconds=1)
    loans_remind_overdue(now=after)
    settings.SMS_BACKEND = "tests.concierge.test_cart.DownGateway"
    assert loan_reminders_deliver(now=after) == 0
    row = LoanReminder.objects.get()
    assert (row.state, row.attempts, row.next_attempt_at) == (
        ReminderState.PENDING,
        1,
        after + timedelta(minutes=1),
    )
    settings.SMS_BACKEND = "propdesk.notify.sms.ConsoleGateway"
    assert loan_reminders_deliver(now=after + timedelta(seconds=59)) == 0
    assert loan_reminders_deliver(now=after + timedelta(minutes=1)) == 1


class DownGateway:
    def __init__(self, **_options: object) -> None:
        pass

    def send(self, phone: str, text: str, **_provider: object) -> None:
        from propdesk.notify.sms import SmsError

        raise SmsError("gateway down")


def test_cs1_a_returned_loan_is_never_overdue_nor_reminded(cart) -> None:
    loan = lend(cart)
    loan_return(
        community=cart.office.community,
        loan_id=loan.pk,
        condition="intact",
        by=cart.office.receptionist,
        now=DUE,
    )
    assert loans_remind_overdue(now=DUE + timedelta(days=1)) == 0
    assert list(loans_overdue(cart.office.community.pk, DUE + timedelta(days=1))) == []


def test_cs1_return_intact_puts_it_back_damaged_or_lost_leaves_the_stock(cart) -> None:
    office = cart.office
    a, b = lend(cart), lend(cart)
    assert shelf(cart.trolley) == (2, 0)
    loan_return(
        community=office.community,
        loan_id=a.pk,
        condition="intact",
        by=office.receptionist,
        now=DUE,
    )
    assert shelf(cart.trolley) == (2, 1)
    loan_return(
        community=office.community,
        loan_id=b.pk,
        condition="damaged",
        note="轮子坏了",
        by=cart.day_concierge,
        now=DUE,
    )
    assert shelf(cart.trolley) == (1, 1)
    b.refresh_from_db()
    assert (b.state, b.condition, b.return_note, b.returned_to) == (
        LoanState.RETURNED,
        "damaged",
        "轮子坏了",
        cart.day_concierge,
    )
    with pytest.raises(Conflict):  # returned twice: nothing more changes
        loan_return(
            community=office.community,
            loan_id=a.pk,
            condition="intact",
            by=office.receptionist,
            now=DUE,
        )
    assert shelf(cart.trolley) == (1, 1)


def test_cs1_damaged_without_a_note_is_refused_in_chinese(cart) -> None:
    loan = lend(cart)
    with pytest.raises(ValidationError) as exc:
        loan_return(
            community=cart.office.community,
            loan_id=loan.pk,
            condition="lost",
            by=cart.office.receptionist,
            now=DUE,
        )
    assert exc.value.message_dict == {"return_note": ["请写明损坏情况或丢失经过。"]}
    loan.refresh_from_db()
    assert loan.state == LoanState.LENT
    assert shelf(cart.trolley) == (2, 1)


def test_cs1_stock_never_goes_below_zero(cart) -> None:
    lend(cart, item=cart.ladder)
    with pytest.raises(ValidationError) as exc:
        lend(cart, item=cart.ladder)
    assert exc.value.message_dict == {"item": ["梯子已全部借出。"]}
    assert shelf(cart.ladder) == (1, 0)
    assert Loan.objects.filter(item=cart.ladder).count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"borrower_name": " "}, "borrower_name", "请填写借用人姓名。"),
        ({"borrower_phone": "12345"}, "borrower_phone", None),
        ({"due_at": None}, "due_at", "请选择归还时间。"),
        ({"due_at": T0}, "due_at", "归还时间须晚于现在。"),
        ({"due_at": T0 + timedelta(days=31)}, "due_at", "借用期限最长30天。"),
        ({"item_id": 0}, "item", "请选择本小区便民服务车的物品。"),
    ],
)
def test_cs1_bad_input_is_refused_in_chinese_and_changes_nothing(
    cart, change, field, message
) -> None:
    with pytest.raises(ValidationError) as exc:
        lend(cart, **change)
    errors = exc.value.message_dict
    assert list(errors) == [field]
    if message is not None:
        assert errors[field] == [message]
    else:
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in errors[field])
    assert Loan.objects.count() == 0
    assert shelf(cart.trolley) == (2, 2)


def test_cs1_another_communitys_item_or_household_is_not_lent(cart, other_cart) -> None:
    with pytest.raises(ValidationError) as exc:
        lend(cart, item=other_cart.trolley)
    assert list(exc.value.message_dict) == ["item"]
    with pytest.raises(ValidationError) as exc:
        lend(cart, household=other_cart.office.household)
    assert list(exc.value.message_dict) == ["room"]
    with pytest.raises(Forbidden):  # the other office's receptionist lends nothing here
        lend(cart, by=other_cart.office.receptionist)
    with pytest.raises(Forbidden):  # nor does a repair technician
        lend(cart, by=cart.office.repair_member)
    assert Loan.objects.count() == 0
    assert shelf(other_cart.trolley) == (2, 2)


def test_cs1_the_portal_reserves_and_the_desk_hands_over(cart) -> None:
    office = cart.office
    loan = loan_reserve(
        household=office.household,
        item_id=cart.ladder.pk,
        borrower_name="张伟",
        borrower_phone="13812345678",
        due_at=DUE,
        now=T0,
    )
    assert loan.state == LoanState.RESERVED
    assert shelf(cart.ladder) == (1, 0)
    assert loans_remind_overdue(now=DUE + timedelta(hours=1)) == 0  # not lent yet
    loan = loan_hand_over(
        community=office.community,
        loan_id=loan.pk,
        by=office.receptionist,
        now=T0 + timedelta(minutes=5),
    )
    assert (loan.state, loan.lent_at) == (LoanState.LENT, T0 + timedelta(minutes=5))
