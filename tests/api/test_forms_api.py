"""The API behind the forms (issue 11): a bad number on a work order inside a new contact is
refused with a structured error (it was stored as empty); the appointment (预约上门时间) in create
and detail; a letter is a written complaint (CP-3) that says whether the owner left material."""

from __future__ import annotations

from datetime import timedelta

import pytest

from propdesk.desk.models import Contact, WorkOrder
from tests.conftest import client_for


def contact_body(office, **kw) -> dict:
    return {
        "community": office.community.pk,
        "channel": "phone",
        "caller_phone": "13812345678",
        "room_text": "3-2-1502",
        "intent": "repair",
        "content": "楼道灯不亮",
        "outcome": "work_order",
        "work_orders": [{"kind": "repair", "description": "楼道灯不亮"}],
        **kw,
    }


def test_a_bad_number_on_a_work_order_inside_a_new_contact_is_a_structured_error(
    office, clock
) -> None:
    body = contact_body(
        office,
        work_orders=[{"kind": "repair", "description": "楼道灯不亮", "reporter_phone": "12"}],
    )
    r = client_for(office.receptionist).post(
        "/api/contacts/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    assert "电话号码格式不正确：12" in " ".join(error["fields"]["work_orders[0].reporter_phone"])
    assert Contact.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_a_local_landline_on_a_work_order_inside_a_contact_is_kept(office, clock) -> None:
    office.community.area_code = "0755"
    office.community.save(update_fields=["area_code"])
    body = contact_body(
        office,
        work_orders=[
            {"kind": "repair", "description": "楼道灯不亮", "reporter_phone": "8888 1234"}
        ],
    )
    r = client_for(office.receptionist).post("/api/contacts/", body, format="json")
    assert r.status_code == 201
    assert WorkOrder.objects.get().reporter_phone == "075588881234"


def test_the_appointment_is_taken_on_create_and_shown_in_the_detail(office, clock) -> None:
    c = client_for(office.receptionist)
    at = clock.now() + timedelta(days=1)
    r = c.post(
        "/api/work-orders/",
        {
            "community": office.community.pk,
            "kind": "repair",
            "description": "厨房水龙头漏水",
            "household": office.household.pk,
            "appointment_at": at.isoformat(),
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    detail = c.get(f"/api/work-orders/{r.json()['id']}/").json()
    assert detail["appointment_at"] is not None
    assert WorkOrder.objects.get().appointment_at == at


def test_an_appointment_in_the_past_is_refused(office, clock) -> None:
    r = client_for(office.receptionist).post(
        "/api/contacts/",
        contact_body(
            office,
            work_orders=[
                {
                    "kind": "repair",
                    "description": "楼道灯不亮",
                    "appointment_at": (clock.now() - timedelta(hours=2)).isoformat(),
                }
            ],
        ),
        format="json",
    )
    assert r.status_code == 400
    assert "work_orders[0].appointment_at" in r.json()["error"]["fields"]
    assert WorkOrder.objects.count() == 0


def test_cp3_a_letter_through_the_api_is_a_written_complaint_and_says_no_material(
    office, clock
) -> None:
    c = client_for(office.receptionist)
    body = contact_body(
        office,
        channel="written",
        caller_phone="",
        intent="complaint",
        content="书面投诉：电梯噪音",
        work_orders=[{"kind": "complaint", "description": "电梯噪音"}],
    )
    refused = c.post("/api/contacts/", body, format="json")
    assert refused.status_code == 400 and "letter" in refused.json()["error"]["fields"]
    assert WorkOrder.objects.count() == 0
    taken = c.post("/api/contacts/", {**body, "no_written_material": True}, format="json")
    assert taken.status_code == 201
    order = WorkOrder.objects.get()
    assert (order.complaint_type, order.no_written_material) == ("written", True)
    assert order.clocks.filter(rule_id="CP-3").exists()


@pytest.mark.parametrize(("fee", "stored"), [("¥45", "45.00"), ("45元", "45.00"), (45, "45.00")])
def test_the_api_takes_a_fee_as_the_console_does(office, clock, fee, stored) -> None:
    order = _claimed(office, clock)
    done = client_for(office.repair_member).post(
        f"/api/work-orders/{order.pk}/resolve/",
        {"version": order.version, "note": "更换阀芯", "fee": fee},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["fee_charged"] == stored


def test_the_api_refuses_a_nonsense_fee_by_name(office, clock) -> None:
    order = _claimed(office, clock)
    r = client_for(office.repair_member).post(
        f"/api/work-orders/{order.pk}/resolve/",
        {"version": order.version, "note": "更换阀芯", "fee": "四十五"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert r.status_code == 400
    assert r.json()["error"]["fields"]["fee"] == ["请填写金额（元），例如 45、45.50 或 ¥45。"]
    order.refresh_from_db()
    assert (order.state, order.fee_charged) == ("accepted", None)


def _claimed(office, clock) -> WorkOrder:
    from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition

    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="漏水", household=office.household),
    )
    return work_order_transition(
        order_id=order.pk, action="claim", by=office.repair_member, now=clock.now(), version=1
    )
