"""The demo's resident in the portal (issue 13): one owner of the first community with orders to
follow, reported by themselves (业主自助) and carried by the office through the same services as
everything else: a repair on site now (派单, 接单, 到场, and a 催单), a housekeeping job completed
yesterday (its rating link in the text message), and a suggestion waiting to be handled."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from propdesk.desk.models import WorkOrder
from propdesk.desk.services import ResidentReport, resident_report, work_order_transition
from propdesk.desk.services.residents import work_order_urge

_MOBILE = re.compile(r"^1\d{10}$")


def _act(order: WorkOrder, action: str, by: Any, at: datetime, **kw: Any) -> WorkOrder:
    order.refresh_from_db()
    return work_order_transition(
        order_id=order.pk, action=action, by=by, now=at, version=order.version, **kw
    )


def seed_portal(offices: list[Any], now: datetime) -> str:
    """Give the first owner with a mobile in the first community their portal orders; returns
    their phone ("" when the community has none)."""
    office = offices[0]
    found = next(
        (
            (h, r)
            for h in office.households
            for r in office.residents.get(h.pk, [])
            if r.relation == "owner" and _MOBILE.match(r.phone)
        ),
        None,
    )
    if found is None:
        return ""
    household, resident = found
    phone: str = resident.phone
    leader, member = office.leaders["repair"], office.members["repair"][0]
    cleaning_leader, cleaner = office.leaders["cleaning"], office.members["cleaning"][0]

    t = now - timedelta(days=1, hours=3)
    job = resident_report(
        household=household,
        phone=phone,
        now=t,
        data=ResidentReport(
            kind="housekeeping",
            description="阳台玻璃和纱窗需要清洗",
            appointment_at=t + timedelta(hours=2),
        ),
    )
    _act(job, "assign", cleaning_leader, t + timedelta(minutes=8), assignee=cleaner)
    _act(job, "accept", cleaner, t + timedelta(minutes=15))
    _act(job, "check_in", cleaner, t + timedelta(hours=2))
    _act(job, "resolve", cleaner, t + timedelta(hours=3), note="阳台玻璃、纱窗已清洗")

    t = now - timedelta(hours=3)
    repair = resident_report(
        household=household,
        phone=phone,
        now=t,
        data=ResidentReport(
            kind="repair",
            description="厨房水龙头一直滴水，关不紧",
            appointment_at=t + timedelta(hours=2),
        ),
    )
    _act(repair, "assign", leader, t + timedelta(minutes=10), assignee=member)
    work_order_urge(order_id=repair.pk, phone=phone, now=t + timedelta(minutes=40))
    _act(repair, "accept", member, t + timedelta(minutes=45))
    _act(repair, "check_in", member, t + timedelta(hours=2))

    resident_report(
        household=household,
        phone=phone,
        now=now - timedelta(minutes=30),
        data=ResidentReport(kind="suggestion", description="建议在3号楼门口加装一个快递柜"),
    )
    return phone
