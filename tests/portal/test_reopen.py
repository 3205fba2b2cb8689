"""The owner reopens a finished job from the portal (没修好, 部分解决, with a reason): through the
desk's declared ``reopen`` action, within the policy's days of 完工 (default 7; at the limit still
allowed), for their own household's repair or housekeeping orders only; the office is told."""

from __future__ import annotations

from datetime import timedelta

import pytest

from propdesk.desk.models import WorkOrder, WorkOrderEvent
from propdesk.notify.models import Notification
from tests import factories as f
from tests.followup.conftest import Loop, sh
from tests.notify.helpers import run_telling

T0 = sh(2026, 11, 26, 10, 0)
PHONE = "13812345678"
WHY = {"outcome": "not_fixed", "note": "水管还在漏"}


@pytest.fixture
def loop(office, clock) -> Loop:
    f.UserFactory(username="boss", company=office.community.company, is_leadership=True)
    return Loop(office, clock)


def reopen_url(order) -> str:
    return f"/portal/orders/{order.pk}/reopen/"


def test_the_owner_reopens_a_finished_repair_with_a_reason_and_the_office_is_told(
    loop, office, resident_client
):
    order = loop.at(T0).resolved("repair")
    loop.at(T0 + timedelta(hours=2))
    r = resident_client(PHONE).post(reopen_url(order), WHY)
    assert r.status_code == 302 and "done=1" in r["Location"]
    order.refresh_from_db()
    assert (order.state, order.resolved_at) == ("reopened", None)
    event = WorkOrderEvent.objects.filter(order=order).latest("id")
    assert (event.action, event.actor, event.from_state, event.to_state) == (
        "reopen",
        None,
        "resolved",
        "reopened",
    )
    assert event.note == "业主在线上重新打开工单（没修好）：水管还在漏"
    assert event.data["by_owner"] is True and event.data["outcome"] == "not_fixed"
    # The same-day call of the job is no longer due: the policy cancels it on reopen (RV-6).
    assert loop.clock_of(order, "RV-6").state == "cancelled"
    run_telling(loop.clock)
    told = Notification.objects.filter(kind="order_reopened")
    assert office.repair_leader.pk in set(told.values_list("recipient_id", flat=True))
    assert "水管还在漏" in told.first().title
    page = resident_client(PHONE).get(r["Location"]).content.decode()
    assert "工单已重新打开" in page


@pytest.mark.parametrize(
    ("after", "allowed"),
    [
        (timedelta(days=7) - timedelta(seconds=1), True),
        (timedelta(days=7), True),
        (timedelta(days=7, seconds=1), False),
    ],
)
def test_reopen_window_is_the_policys_seven_days_after_completion(
    loop, office, resident_client, after, allowed
):
    order = loop.at(T0).resolved("housekeeping")
    loop.at(T0 + after)
    c = resident_client(PHONE)
    page = c.get(reopen_url(order)).content.decode()
    r = c.post(reopen_url(order), {"outcome": "partly", "note": "只擦了一半"})
    order.refresh_from_db()
    if allowed:
        assert 'name="note"' in page
        assert r.status_code == 302 and order.state == "reopened"
    else:
        assert "完工已超过7天，请致电管理处" in page and 'name="note"' not in page
        assert r.status_code == 409 and order.state == "resolved"
        assert "完工已超过7天" in r.content.decode()
        assert not WorkOrderEvent.objects.filter(order=order, action="reopen").exists()


def test_a_reopen_without_a_reason_is_refused_and_keeps_the_choice(loop, office, resident_client):
    order = loop.at(T0).resolved("repair")
    r = resident_client(PHONE).post(reopen_url(order), {"outcome": "partly", "note": "  "})
    assert r.status_code == 400
    body = r.content.decode()
    assert "请写明还有什么问题" in body and 'value="partly" checked' in body
    order.refresh_from_db()
    assert order.state == "resolved"
    r = resident_client(PHONE).post(reopen_url(order), {"outcome": "", "note": "还漏"})
    body = r.content.decode()
    assert "请选择没修好或部分解决" in body and ">还漏</textarea>" in body
    run_telling(loop.clock)
    assert not Notification.objects.filter(kind="order_reopened").exists()


def test_only_the_households_own_orders(loop, office, resident_client):
    order = loop.at(T0).resolved("repair")
    neighbour = f.HouseholdFactory(unit=office.household.unit, community=office.community)
    f.ResidentFactory(household=neighbour, name="李四", phone="13900000001")
    c = resident_client("13900000001")
    assert c.get(reopen_url(order)).status_code == 404
    assert c.post(reopen_url(order), WHY).status_code == 404
    assert WorkOrder.objects.get(pk=order.pk).state == "resolved"


def test_an_open_order_or_a_complaint_is_not_reopened_by_the_owner(loop, office, resident_client):
    open_order = loop.at(T0).open_for("repair")
    complaint = loop.at(T0).resolved("complaint")
    c = resident_client(PHONE)
    for order in (open_order, complaint):
        assert "只有已完工的报修或家政服务工单" in c.get(reopen_url(order)).content.decode()
        assert c.post(reopen_url(order), WHY).status_code == 409
    assert WorkOrder.objects.get(pk=complaint.pk).state == "resolved"


def test_a_closed_order_is_reopened_within_the_window(loop, office, resident_client):
    order = loop.at(T0).resolved("repair")
    loop.visit(order=order, level="satisfied")
    loop.act(order, "close", by=office.administrator)
    loop.at(T0 + timedelta(days=3))
    assert resident_client(PHONE).post(reopen_url(order), WHY).status_code == 302
    order.refresh_from_db()
    assert order.state == "reopened"
