from __future__ import annotations

import pytest
from django.test import Client

from propdesk.core.clock import FixedClock
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition


def browser_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def open_order(office, clock):
    def make(kind: str = "repair", by=None, at=None, **kw) -> WorkOrder:
        """An order of ``office`` (of another office ``at``), by its receptionist by default."""
        where = at or office
        draft = WorkOrderDraft(
            kind=kind,
            description=kw.pop("description", "厨房水龙头漏水"),
            household=kw.pop("household", where.household),
            **kw,
        )
        return work_order_create(
            community=where.community, by=by or where.receptionist, now=clock.now(), draft=draft
        )

    return make


def act(order: WorkOrder, action: str, by, clock: FixedClock, **kw) -> WorkOrder:
    order.refresh_from_db()
    return work_order_transition(
        order_id=order.pk, action=action, by=by, now=clock.now(), version=order.version, **kw
    )
