"""The office of tests/conftest.py on the injected clock, with helpers that finish orders and
record return visits."""

from __future__ import annotations

from datetime import datetime

import pytest

from propdesk.desk.models import WorkOrder
from propdesk.followup.models import ReturnVisit
from propdesk.followup.services import ItemDraft, VisitDraft, return_visit_record
from tests import factories as f
from tests.clocks.conftest import SH, Desk, sh

__all__ = ["SH", "Loop", "sh"]


class Loop(Desk):
    def resolved(self, kind: str = "repair", household=None, **kw) -> WorkOrder:
        """An order of ``kind`` opened and resolved now."""
        o = self.office
        if household is not None:
            kw["household"] = household
        order = self.open_for(kind, **kw)
        if kind == "complaint":
            self.act(order, "dispatch", by=o.receptionist, assignee=o.administrator)
            self.act(order, "accept", by=o.administrator)
            return self.act(order, "resolve", by=o.administrator)
        # Repairs and housekeeping wait in their team's pool: the leader takes it (抢单).
        leader = o.repair_leader if kind == "repair" else o.cleaning_leader
        self.act(order, "claim", by=leader)
        return self.act(order, "resolve", by=leader)

    def open_for(self, kind: str, household=None, **kw) -> WorkOrder:
        from propdesk.desk.services import WorkOrderDraft, work_order_create

        draft = WorkOrderDraft(
            kind=kind,
            description=kw.pop("description", "问题描述"),
            household=household or self.office.household,
            **kw,
        )
        return work_order_create(
            community=self.office.community,
            by=self.office.receptionist,
            now=self.clock.now(),
            draft=draft,
        )

    def visit(
        self,
        kind: str = "order",
        *,
        order: WorkOrder | None = None,
        household=None,
        level: str = "satisfied",
        outcome: str = "answered",
        by=None,
        at: datetime | None = None,
        items: tuple[ItemDraft, ...] = (),
        opinion: str = "",
        channel: str = "phone",
    ) -> ReturnVisit:
        if at is not None:
            self.clock.at = at
        if order is not None:
            order.refresh_from_db()
        return return_visit_record(
            community=self.office.community,
            by=by or self.office.receptionist,
            now=self.clock.now(),
            draft=VisitDraft(
                kind=kind,
                order=order,
                household=household,
                outcome=outcome,
                level=level if outcome == "answered" else "",
                items=items,
                opinion=opinion,
                channel=channel,
            ),
        )

    def household(self, code: str, building: str = "3"):
        community = self.office.community
        b = community.buildings.filter(number=building).first() or f.BuildingFactory(
            community=community, number=building
        )
        unit = b.units.first() or f.UnitFactory(building=b, number="1")
        room = code.split("-")[-1]
        return f.HouseholdFactory(unit=unit, community=community, room=room, code=code)


@pytest.fixture
def loop(office, clock) -> Loop:
    f.UserFactory(username="boss", company=office.community.company, is_leadership=True)
    return Loop(office, clock)
