from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from propdesk.clocks.models import Clock
from propdesk.clocks.services import clocks_sweep
from propdesk.core.clock import FixedClock
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


class Desk:
    """The office's actions on an injected clock, as a test script reads them."""

    def __init__(self, office, clock: FixedClock) -> None:
        self.office, self.clock = office, clock

    def at(self, when: datetime) -> Desk:
        self.clock.at = when
        return self

    def open(self, kind: str = "repair", by=None, **kw) -> WorkOrder:
        draft = WorkOrderDraft(
            kind=kind,
            description=kw.pop("description", "问题描述"),
            household=self.office.household,
            **kw,
        )
        return work_order_create(
            community=self.office.community,
            by=by or self.office.receptionist,
            now=self.clock.now(),
            draft=draft,
        )

    def act(self, order: WorkOrder, action: str, by=None, **kw) -> WorkOrder:
        order.refresh_from_db()
        if action in {
            "reply",
            "contact_owner",
            "resolve",
            "follow_up",
            "cancel",
            "reopen",
            "return",
            "transfer",
        }:
            kw.setdefault("note", "已处理并告知业主")
        return work_order_transition(
            order_id=order.pk,
            action=action,
            by=by or self.office.administrator,
            now=self.clock.now(),
            version=order.version,
            **kw,
        )

    def sweep(self, when: datetime | None = None):
        if when is not None:
            self.clock.at = when
        return clocks_sweep(now=self.clock.now())

    @staticmethod
    def clock_of(owner, rule_id: str, period: int = 1) -> Clock:
        field = "order" if isinstance(owner, WorkOrder) else "contact"
        return Clock.objects.get(**{field: owner}, rule_id=rule_id, period=period)


def repair_done_late_in_urumqi(desk: Desk, office, month: int, day: int) -> WorkOrder:
    """The office's community moved to Asia/Urumqi (UTC+6): a repair opened there at 09:00 on
    ``day`` ``month`` 2026, taken from the pool by the team's member and completed at 22:30
    there, in time for DS-1 (due 23:59:59 there; 21:59:59 in Shanghai's zone)."""
    urumqi = ZoneInfo("Asia/Urumqi")
    office.community.time_zone = "Asia/Urumqi"
    office.community.save()
    order = desk.at(datetime(2026, month, day, 9, 0, tzinfo=urumqi)).open("repair")
    desk.at(datetime(2026, month, day, 9, 5, tzinfo=urumqi)).act(
        order, "claim", by=office.repair_member
    )
    return desk.at(datetime(2026, month, day, 22, 30, tzinfo=urumqi)).act(
        order, "resolve", by=office.repair_member
    )


@pytest.fixture
def desk(office, clock) -> Desk:
    f.UserFactory(username="boss", company=office.community.company, is_leadership=True)
    return Desk(office, clock)
