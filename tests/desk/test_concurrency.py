"""Two people at once, for real: separate threads with their own database connections."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from propdesk.core.errors import Conflict
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return run


def test_fd6_numbers_stay_unique_when_orders_are_opened_at_once(office, clock) -> None:
    barrier = threading.Barrier(4)

    @_in_thread
    def open_one(i: int) -> str:
        barrier.wait()
        return work_order_create(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            draft=WorkOrderDraft(kind="repair", description=f"#{i}", household=office.household),
        ).number

    with ThreadPoolExecutor(4) as pool:
        numbers = sorted(pool.map(open_one, range(8)))
    assert numbers == [f"GD-20261126-{i:04d}" for i in range(1, 9)]


def test_two_people_acting_on_one_order_one_wins_one_is_told(office, clock) -> None:
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="x", household=office.household),
    )
    barrier = threading.Barrier(2)

    @_in_thread
    def attempt(args: tuple[str, object, str]) -> str:
        action, user, note = args
        barrier.wait()
        try:
            work_order_transition(
                order_id=order.pk, action=action, by=user, now=clock.now(), version=1, note=note
            )
        except Conflict as exc:
            return exc.code
        return "ok"

    with ThreadPoolExecutor(2) as pool:
        results = sorted(
            pool.map(
                attempt, [("dispatch", office.receptionist, ""), ("cancel", office.head, "重复")]
            )
        )
    assert results == ["ok", "stale"], connection.vendor
    order.refresh_from_db()
    assert order.version == 2
    assert order.events.count() == 2
    assert WorkOrder.objects.count() == 1
