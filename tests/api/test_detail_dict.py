"""An order's detail is built as a plain dict (api.detail.work_order_detail) for the 201 of a
create, GET /api/work-orders/<id>/ and the answer of an action; WorkOrderDetailOut stays the
documented schema. The two must give the same thing for every kind of order in every state, to
every role that reads it: these tests compare them on orders made through the services."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from propdesk.api.detail import work_order_detail
from propdesk.api.serializers import WorkOrderDetailOut
from propdesk.api.views import _detail_context
from propdesk.community.models import User
from propdesk.core.clock import FixedClock
from propdesk.desk import selectors as desk
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import (
    WorkOrderDraft,
    work_order_appoint,
    work_order_attach,
    work_order_create,
    work_order_transition,
)
from tests import factories as f
from tests.conftest import Office, client_for
from tests.images import PNG


def _create(office: Office, clock: FixedClock, **kw) -> WorkOrder:
    draft = WorkOrderDraft(
        kind="repair",
        description="厨房水龙头漏水",
        household=office.household,
        reporter_name="张伟",
        reporter_phone="13812345678",
    )
    for k, v in kw.items():
        setattr(draft, k, v)
    return work_order_create(
        community=office.community, by=office.receptionist, now=clock.now(), draft=draft
    )


def _act(order: WorkOrder, action: str, by: User, clock: FixedClock, **kw) -> None:
    order.refresh_from_db()
    clock.advance(minutes=7)
    work_order_transition(
        order_id=order.pk, action=action, by=by, now=clock.now(), version=order.version, **kw
    )


def _orders(office: Office, clock: FixedClock) -> dict[str, WorkOrder]:
    """Orders of every kind, in every state the detail shows differently."""
    item = f.ServiceItemFactory(
        company=office.community.company,
        kind="housekeeping",
        team_kind="cleaning",
        name="家电清洗",
        fee=Decimal("45.5"),
    )
    o: dict[str, WorkOrder] = {}
    o["repair routed"] = _create(office, clock)
    o["written complaint, important"] = _create(
        office, clock, kind="complaint", complaint_type="written", is_important=True
    )
    o["appointment, service item"] = _create(
        office,
        clock,
        kind="housekeeping",
        service_item=item,
        appointment_at=clock.now() + timedelta(days=1, hours=3, minutes=30),
    )
    o["no household"] = _create(
        office, clock, kind="consultation", household=None, location="3号楼大堂"
    )
    o["urgent repair, flags"] = _create(
        office, clock, is_urgent=True, is_long_running=True, is_construction_legacy=True
    )

    waiting = o["waiting for parts"] = _create(office, clock)
    _act(waiting, "assign", office.repair_leader, clock, assignee=office.repair_member)
    _act(waiting, "accept", office.repair_member, clock)
    _act(waiting, "wait", office.repair_member, clock, waiting="parts", note="等配件")

    done = o["closed, with materials, fee and a photo"] = _create(office, clock)
    _act(done, "assign", office.repair_leader, clock, assignee=office.repair_member)
    _act(done, "accept", office.repair_member, clock)
    _act(done, "check_in", office.repair_member, clock)
    work_order_attach(
        order_id=done.pk,
        by=office.repair_member,
        now=clock.now(),
        upload=SimpleUploadedFile("tap.png", PNG, content_type="image/png"),
    )
    _act(
        done,
        "resolve",
        office.repair_member,
        clock,
        note="更换阀芯，试水正常",
        materials="阀芯 1 个",
        fee=Decimal("30"),
    )
    _act(done, "close", office.administrator, clock)

    moved = o["appointment moved"] = _create(office, clock, kind="housekeeping")
    moved.refresh_from_db()
    work_order_appoint(
        order_id=moved.pk,
        by=office.receptionist,
        now=clock.now(),
        version=moved.version,
        appointment_at=clock.now() + timedelta(hours=5),
        note="业主改约",
    )
    cancelled = o["cancelled"] = _create(
        office, clock, kind="suggestion", household=None, location="小区东门"
    )
    _act(cancelled, "cancel", office.receptionist, clock, note="业主撤回")

    from propdesk.incidents.services import emergency_log

    emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋大堂",
    )
    o["emergency"] = WorkOrder.objects.get(complaint_type="emergency")
    # Hours later: the running clocks count down, some of them overdue.
    clock.advance(hours=5)
    return o


def _drf(order: WorkOrder, user: User) -> dict:
    return WorkOrderDetailOut(order, context=_detail_context(user, order)).data


def _plain(order: WorkOrder, user: User) -> dict:
    return work_order_detail(order, **_detail_context(user, order))


def _json(data: dict) -> object:
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_the_detail_dict_is_what_the_serializer_gives_for_every_order(office, clock, zone) -> None:
    orders = _orders(office, clock)
    readers = [office.receptionist, office.repair_member, office.head]
    with timezone.override(zone):
        for name, order in orders.items():
            for user in readers:
                if not desk.order_visible_to(user, order):
                    continue
                seen = desk.access_work_order(user, order.pk)
                drf, plain = _drf(seen, user), _plain(seen, user)
                assert list(plain) == list(drf), name  # the keys, in the same order
                assert plain == drf, (name, user.username)
                assert _json(plain) == _json(drf), (name, user.username)
    # The orders cover what differs: a team member reads a masked number (an order they completed),
    # the whole one on the order they are doing (access.may_call_order_owner), every state is shown.
    done = desk.access_work_order(
        office.repair_member, orders["closed, with materials, fee and a photo"].pk
    )
    assert _plain(done, office.repair_member)["reporter_phone_masked"] is True
    doing = desk.access_work_order(office.repair_member, orders["waiting for parts"].pk)
    assert _plain(doing, office.repair_member)["reporter_phone_masked"] is False
    shown = {desk.access_work_order(office.receptionist, o.pk).state for o in orders.values()}
    assert {"dispatched", "new", "accepted", "closed", "cancelled"} <= shown


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"kind": "complaint", "complaint_type": "written", "is_important": True},
        {"kind": "housekeeping", "appointment_at": datetime(2026, 11, 27, 7, 0, tzinfo=UTC)},
        {"kind": "consultation", "household": None, "location": "3号楼大堂"},
        {"is_urgent": True},
    ],
)
def test_the_created_orders_dict_is_what_the_serializer_gives(office, clock, kw) -> None:
    """The 201 of a create: the order as the create left it (desk.created_work_order, not read
    back), built both ways."""
    order = _create(office, clock, **kw)
    created = desk.created_work_order(office.receptionist, order)
    drf = _drf(created, office.receptionist)
    plain = _plain(created, office.receptionist)
    assert list(plain) == list(drf)
    assert plain == drf
    assert _json(plain) == _json(drf)


def test_the_api_answers_the_serializers_json(office, clock) -> None:
    """Through the API: the 201, the GET and an action's answer are the serializer's JSON."""
    c = client_for(office.receptionist)
    body = {
        "community": office.community.pk,
        "kind": "repair",
        "description": "楼道灯不亮",
        "household": office.household.pk,
        "reporter_phone": "13812345678",
    }
    created = c.post("/api/work-orders/", body, format="json")
    assert created.status_code == 201
    order_id = created.json()["id"]

    def serializer_json() -> object:
        seen = desk.access_work_order(office.receptionist, order_id)
        return _json(_drf(seen, office.receptionist))

    assert created.json() == serializer_json()
    assert c.get(f"/api/work-orders/{order_id}/").json() == serializer_json()
    clock.advance(minutes=3)
    acted = c.post(
        f"/api/work-orders/{order_id}/appointment/",
        {"version": 1, "appointment_at": "2026-11-27T15:00:00+08:00"},
        format="json",
    )
    assert acted.status_code == 200, acted.json()
    assert acted.json() == serializer_json()


@pytest.mark.parametrize(
    "extra",
    [
        {"kind": "repair"},
        {"kind": "repair", "is_urgent": True},
        {"kind": "complaint", "complaint_type": "written", "is_important": True},
        {"kind": "complaint", "location": "3号楼大堂"},
        {"kind": "housekeeping"},
        {"kind": "housekeeping", "appointment_at": "2026-11-27T15:00:00+08:00"},
        {"kind": "consultation"},
    ],
)
def test_the_201_is_what_a_get_of_the_order_answers(office, clock, extra) -> None:
    """The 201 builds the order's clocks and its timeline's clock lines from the rows the create
    wrote (no read-back): the same JSON as the order read back, field for field, whatever the
    time zone of the clock that stamped them (here Shanghai's, with microseconds)."""
    clock.at = datetime(2026, 11, 26, 10, 0, 0, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    c = client_for(office.receptionist)
    body = {
        "community": office.community.pk,
        "description": "楼道灯不亮",
        "household": office.household.pk,
        "reporter_phone": "13812345678",
        **extra,
    }
    created = c.post("/api/work-orders/", body, format="json")
    assert created.status_code == 201, created.json()
    answer = created.json()
    if extra["kind"] != "consultation":  # a consultation starts no clock
        assert answer["clocks"] and any(t["source"] == "clock" for t in answer["timeline"])
    assert answer == c.get(f"/api/work-orders/{answer['id']}/").json()
