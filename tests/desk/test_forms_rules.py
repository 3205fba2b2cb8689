"""The desk's services behind the forms (issue 11): phones as an office hears them, the letter as
a written complaint (CP-3) with its scan or 'no written material', the appointment (预约上门时间),
and every problem of a contact at once (contact_errors)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from propdesk.core.errors import policy_message
from propdesk.desk.models import Contact, WorkOrder
from propdesk.desk.services import (
    ContactInput,
    WorkOrderDraft,
    contact_errors,
    contact_log,
    work_order_create,
)
from propdesk.policy.phones import InvalidPhone, parse_phone


@pytest.mark.parametrize(
    ("typed", "area_code", "number", "extension"),
    [
        ("8888123", "0755", "07558888123", ""),  # 7-digit local landline
        ("88881234", "0755", "075588881234", ""),  # 8-digit local landline
        ("8888-1234", "0755", "075588881234", ""),  # with the community's area code
        ("888 1234 转 12", "0391", "03918881234", "12"),
        ("0371-6123456", "", "03716123456", ""),  # area code + 7 digits
        ("(010) 6552 9988", "", "01065529988", ""),
        ("0755-8888-1234 转 801", "", "075588881234", "801"),
        ("+86 180 7130 3284", "", "18071303284", ""),
        ("180-7130-3284", "", "18071303284", ""),
    ],
)
def test_parse_phone_takes_what_an_office_hears(
    typed: str, area_code: str, number: str, extension: str
) -> None:
    phone = parse_phone(typed, area_code=area_code)
    assert (phone.number, phone.extension) == (number, extension)


@pytest.mark.parametrize("typed", ["12345", "1381234567", "888123", "abc", "0755-123", "1"])
def test_parse_phone_refuses_nonsense_saying_what_to_type(typed: str) -> None:
    with pytest.raises(InvalidPhone) as exc:
        parse_phone(typed)
    assert "e.g. 13812345678" in str(exc.value)  # the msgid; Chinese through the catalog:
    assert "例如 13812345678" in policy_message(exc.value)


def letter_complaint(**kw) -> ContactInput:
    data = ContactInput(
        channel="written",
        intent="complaint",
        content="书面投诉：地下车库漏水",
        outcome="work_order",
        caller_name="刘洋",
        room_text="3-2-1502",
        work_orders=[WorkOrderDraft(kind="complaint", description="地下车库漏水")],
    )
    for k, v in kw.items():
        setattr(data, k, v)
    return data


def test_cp3_a_letter_with_no_complaint_type_is_a_written_complaint(office, clock) -> None:
    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=letter_complaint(no_written_material=True),
    )
    order = contact.work_orders.get()
    assert (order.complaint_type, order.no_written_material) == ("written", True)
    assert order.clocks.filter(rule_id="CP-3").exists()
    assert not order.clocks.filter(rule_id="CP-6").exists()


def test_cp3_a_phoned_complaint_with_no_type_stays_general(office, clock) -> None:
    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=letter_complaint(channel="phone", caller_phone="13812345678"),
    )
    assert contact.work_orders.get().complaint_type == "general"


def test_cp3_a_written_complaint_needs_its_scan_or_the_explicit_no(office, clock) -> None:
    with pytest.raises(ValidationError) as exc:
        contact_log(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            data=letter_complaint(),
        )
    assert "letter" in exc.value.message_dict
    assert Contact.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_a_bad_number_on_a_work_order_in_a_contact_is_refused_never_dropped(office, clock) -> None:
    data = ContactInput(
        channel="phone",
        intent="repair",
        content="楼道灯不亮",
        outcome="work_order",
        caller_phone="13812345678",
        room_text="3-2-1502",
        work_orders=[WorkOrderDraft(kind="repair", description="楼道灯不亮", reporter_phone="12")],
    )
    with pytest.raises(ValidationError) as exc:
        contact_log(community=office.community, by=office.receptionist, now=clock.now(), data=data)
    assert "work_orders[0].reporter_phone" in exc.value.message_dict
    assert Contact.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_an_appointment_is_kept_on_the_order_and_never_in_the_past(office, clock) -> None:
    tomorrow = clock.now() + timedelta(days=1)
    draft = WorkOrderDraft(kind="repair", description="厨房水龙头漏水", household=office.household)
    draft.appointment_at = tomorrow
    order = work_order_create(
        community=office.community, by=office.receptionist, now=clock.now(), draft=draft
    )
    assert order.appointment_at == tomorrow
    draft.appointment_at = clock.now() - timedelta(minutes=1)
    with pytest.raises(ValidationError) as exc:
        work_order_create(
            community=office.community, by=office.receptionist, now=clock.now(), draft=draft
        )
    assert "appointment_at" in exc.value.message_dict
    assert WorkOrder.objects.count() == 1


def test_contact_errors_names_every_problem_at_once_and_writes_nothing(office, clock) -> None:
    data = letter_complaint(caller_phone="12345", room_text="9-9-9999", content="")
    data.work_orders = [
        WorkOrderDraft(
            kind="complaint",
            description="",
            appointment_at=clock.now() - timedelta(hours=1),
        )
    ]
    errors = contact_errors(community=office.community, now=clock.now(), data=data)
    assert {
        "caller_phone",
        "room_text",
        "content",
        "letter",
        "work_orders[0].appointment_at",
        "work_orders[0].description",
    } <= set(errors)
    assert Contact.objects.count() == 0 and WorkOrder.objects.count() == 0
