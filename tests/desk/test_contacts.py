"""The front-desk log (FD-2, FD-3, FD-4, FD-6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from propdesk.community.selectors import household_search
from propdesk.desk.models import Contact, WorkOrder
from propdesk.desk.services import ContactInput, WorkOrderDraft, contact_log
from tests import factories as f
from tests.notify.helpers import run_telling


def log(office, clock, **kw) -> Contact:
    data = ContactInput(
        channel="phone",
        intent="consultation",
        content="咨询物业费缴纳方式",
        outcome="resolved",
        resolution="告知可在线缴纳",
        caller_name="张伟",
        caller_phone="13812345678",
        room_text="3-2-1502",
    )
    for k, v in kw.items():
        setattr(data, k, v)
    return contact_log(
        community=office.community, by=office.receptionist, now=clock.now(), data=data
    )


def test_fd2_a_call_is_logged_with_caller_room_phone_intent_and_content(office, clock) -> None:
    contact = log(office, clock, caller_phone="0755-8888-1234 转 801")
    assert contact.household == office.household
    assert (contact.caller_phone, contact.caller_phone_ext) == ("075588881234", "801")
    assert contact.received_at == clock.now()
    assert contact.taken_by == office.receptionist


def test_fd2_the_caller_need_not_be_a_resident(office, clock) -> None:
    contact = log(office, clock, room_text="", caller_name="快递员", caller_phone="13900000000")
    assert contact.household is None


def test_fd2_a_malformed_phone_is_refused_with_every_other_problem(office, clock) -> None:
    with pytest.raises(ValidationError) as refused:
        log(office, clock, caller_phone="1234", content=" ", room_text="9-9-9999")
    assert set(refused.value.message_dict) == {"caller_phone", "content", "room_text"}
    assert Contact.objects.count() == 0


def test_fd3_a_promise_needs_its_time_and_its_reason(office, clock) -> None:
    with pytest.raises(ValidationError) as refused:
        log(office, clock, outcome="promised", resolution="")
    assert set(refused.value.message_dict) == {"promised_at", "promise_reason"}
    with pytest.raises(ValidationError) as refused:
        log(
            office,
            clock,
            outcome="promised",
            promised_at=clock.now() - timedelta(hours=1),
            promise_reason="需联系厂家",
        )
    assert set(refused.value.message_dict) == {"promised_at"}
    contact = log(
        office,
        clock,
        outcome="promised",
        promised_at=clock.now() + timedelta(days=2),
        promise_reason="需联系电梯厂家派人检修",
    )
    assert contact.promised_at == clock.now() + timedelta(days=2)
    assert Contact.objects.count() == 1


def test_fd3_resolved_on_the_spot_says_how(office, clock) -> None:
    with pytest.raises(ValidationError) as refused:
        log(office, clock, resolution="")
    assert set(refused.value.message_dict) == {"resolution"}


def test_fd6_a_contact_opens_several_work_orders_at_once(office, clock) -> None:
    contact = log(
        office,
        clock,
        intent="repair",
        outcome="work_order",
        resolution="",
        work_orders=[
            WorkOrderDraft(kind="repair", description="水龙头漏水"),
            WorkOrderDraft(kind="housekeeping", description="空调清洗"),
        ],
    )
    orders = list(contact.work_orders.order_by("number"))
    assert [o.number for o in orders] == ["GD-20261126-0001", "GD-20261126-0002"]
    assert all(
        o.household == office.household and o.reporter_phone == "13812345678" for o in orders
    )
    assert [o.team for o in orders] == [office.repair, office.cleaning]


def test_fd6_each_order_keeps_its_reporters_number_as_stored(office, clock) -> None:
    # The caller's number (read once, for the contact) and an order's own (read by the same
    # check) are stored as numbers, whatever way they were typed; the extension stays the
    # contact's.
    office.community.area_code = "0755"
    office.community.save(update_fields=["area_code"])
    contact = log(
        office,
        clock,
        caller_phone=" 8888-1234 转 801 ",
        intent="repair",
        outcome="work_order",
        resolution="",
        work_orders=[
            WorkOrderDraft(kind="repair", description="水龙头漏水"),
            WorkOrderDraft(
                kind="housekeeping", description="空调清洗", reporter_phone="+86 139-0000-0000"
            ),
        ],
    )
    assert (contact.caller_phone, contact.caller_phone_ext) == ("075588881234", "801")
    numbers = dict(contact.work_orders.values_list("kind", "reporter_phone"))
    assert numbers == {"repair": "075588881234", "housekeeping": "13900000000"}


def test_fd6_a_bad_work_order_keeps_the_whole_contact_out(office, clock) -> None:
    with pytest.raises(ValidationError) as refused:
        log(
            office,
            clock,
            intent="repair",
            outcome="work_order",
            resolution="",
            work_orders=[
                WorkOrderDraft(kind="repair", description="ok"),
                WorkOrderDraft(kind="repair", description=""),
            ],
        )
    assert "work_orders[1].description" in refused.value.message_dict
    assert (Contact.objects.count(), WorkOrder.objects.count()) == (0, 0)


def test_fd6_outcome_work_order_needs_one(office, clock) -> None:
    with pytest.raises(ValidationError) as refused:
        log(office, clock, outcome="work_order", resolution="")
    assert "work_orders" in refused.value.message_dict


def test_fd4_only_a_visitor_is_moved_to_a_quiet_room(office, clock) -> None:
    with pytest.raises(ValidationError) as refused:
        log(office, clock, owner_agitated=True)
    assert "owner_agitated" in refused.value.message_dict
    assert log(office, clock, channel="visit", owner_agitated=True).owner_agitated


def test_fd4_an_agitated_visitor_tells_the_office_head_at_once(office, clock) -> None:
    from propdesk.notify.models import Notification

    calm = log(office, clock, channel="visit")
    run_telling(clock)
    assert not Notification.objects.exists()
    contact = log(office, clock, channel="visit", owner_agitated=True)
    run_telling(clock)
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.cause) == (
        office.head,
        "agitated_visitor",
        f"agitated:{contact.pk}",
    )
    assert note.created_at == clock.now()
    assert "3-2-1502" in note.title and "张伟" in note.title
    assert calm.pk != contact.pk


def test_fd2_a_contact_cannot_be_dated_in_the_future(office, clock) -> None:
    with pytest.raises(ValidationError) as refused:
        log(office, clock, received_at=clock.now() + timedelta(hours=1))
    assert "received_at" in refused.value.message_dict


def test_fd2_typing_a_room_or_phone_finds_the_household(office, other_office) -> None:
    household = office.household
    f.ResidentFactory(household=household, name="李娜", phone="075588881234")
    user = office.receptionist
    assert list(household_search(user, "3-2-1502")) == [household]
    assert list(household_search(user, "3栋2单元1502")) == [household]
    assert list(household_search(user, "3-2-")) == [household]
    assert list(household_search(user, "138123")) == [household]
    assert list(household_search(user, "0755 8888")) == [household]
    assert list(household_search(user, "139")) == []
    # The same room in the other community is not this user's to find.
    assert other_office.household.code == "3-2-1502"
    assert list(household_search(user, "3-2-1502")) == [household]


def test_fd2_the_office_of_another_community_cannot_log_here(office, other_office, clock) -> None:
    from propdesk.core.errors import Forbidden

    with pytest.raises(Forbidden):
        contact_log(
            community=office.community,
            by=other_office.receptionist,
            now=clock.now(),
            data=ContactInput(
                channel="visit", intent="other", content="x", outcome="resolved", resolution="y"
            ),
        )
    assert Contact.objects.count() == 0


def test_fd2_the_back_office_names_the_callers_name_as_such(office, clock) -> None:
    """The column of a call's caller reads 来电人姓名, as the emergency's does (GLOSSARY: 来电人 is
    the person; the field holds the name they gave)."""
    from django.test import Client

    from propdesk.community.models import User

    log(office, clock)
    root = Client()
    root.force_login(User.objects.create_superuser("root", "root@example.com", "pw-123456!"))
    page = root.get("/admin/desk/contact/").content.decode()
    assert "来电人姓名" in page
    assert "张伟" in page
