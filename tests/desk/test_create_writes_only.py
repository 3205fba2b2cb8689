"""A create's transaction holds its writes only (issue 15).

On SQLite every transaction takes the database's one write lock at BEGIN, so every other create,
transition and the worker's telling wait while one is open. A create works out what it can
before: the office-role check, the draft's checks, the team it goes to, the clock engine's
decision for the new order (which reads no clock). Inside: the order, its clocks and their log,
the engine's recorded input, the event, the number and the announcement: writes only.
"""

from __future__ import annotations

import pytest
from django.db import connection

from propdesk.clocks.models import Clock
from propdesk.desk.models import Contact, WorkOrder
from propdesk.desk.services import ContactInput, WorkOrderDraft, contact_log, work_order_create
from tests.writes import Statements

pytestmark = pytest.mark.django_db(transaction=True)  # the test's own transactions, as served


def test_an_orders_create_reads_before_its_transaction_and_only_writes_in_it(office, clock) -> None:
    statements = Statements()
    with connection.execute_wrapper(statements):
        order = work_order_create(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            draft=WorkOrderDraft(
                kind="repair", description="厨房水龙头漏水", household=office.household
            ),
        )
    inside = statements.inside()
    assert inside, "the create ran in no transaction"
    assert set(inside) <= {"INSERT", "UPDATE", "BEGIN", "SAVEPOINT", "RELEASE"}, inside
    # The team it goes to was read before (its pool: DS-1 starts with the order).
    assert any("community_team" in sql for sql in statements.outside())
    # What was decided before is what was written.
    order.refresh_from_db()
    assert order.team == office.repair and order.number.startswith("GD-")
    assert sorted(Clock.objects.filter(order=order).values_list("rule_id", flat=True)) == sorted(
        c.rule_id for c in order._created_clocks.started
    )
    assert Clock.objects.filter(order=order).exists()


def test_the_intake_plans_its_orders_before_its_transaction(office, clock) -> None:
    statements = Statements()
    with connection.execute_wrapper(statements):
        contact = contact_log(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            data=ContactInput(
                channel="visit",
                intent="repair",
                content="楼道灯不亮",
                outcome="work_order",
                household=office.household,
                work_orders=[
                    WorkOrderDraft(
                        kind="repair", description="楼道灯不亮", household=office.household
                    )
                ],
            ),
        )
    inside = statements.inside()
    assert set(inside) <= {"INSERT", "UPDATE", "BEGIN", "SAVEPOINT", "RELEASE"}, inside
    order = WorkOrder.objects.get(contact=contact)
    assert Contact.objects.get(pk=contact.pk).work_orders.get() == order
    assert order.team == office.repair
    assert Clock.objects.filter(order=order).exists()


def test_a_create_that_fails_midway_leaves_nothing_and_the_next_one_works(office, clock) -> None:
    """A statement that fails in the middle of a create (here its number, taken meanwhile) is
    Django's IntegrityError, the whole create is rolled back, and the connection goes on serving
    the next create."""
    from django.db import IntegrityError

    from propdesk.clocks.models import ClockInput
    from propdesk.desk.models import Announcement, WorkOrderEvent, WorkOrderSequence

    def draft() -> WorkOrderDraft:
        return WorkOrderDraft(
            kind="repair", description="厨房水龙头漏水", household=office.household
        )

    def create() -> WorkOrder:
        return work_order_create(
            community=office.community, by=office.receptionist, now=clock.now(), draft=draft()
        )

    def rows() -> list[int]:
        return [
            m.objects.count() for m in (WorkOrder, Clock, ClockInput, WorkOrderEvent, Announcement)
        ]

    first = create()
    taken = first.number[:-4] + "0002"  # the number the next create will be given
    WorkOrder.objects.filter(pk=first.pk).update(number=taken)
    before = rows()
    with pytest.raises(IntegrityError):
        create()
    assert rows() == before
    assert WorkOrderSequence.objects.get(community=office.community).last == 1
    WorkOrder.objects.filter(pk=first.pk).update(number=first.number)
    second = create()
    assert second.number == taken
    clocks = len(second._created_clocks.started)
    assert rows() == [before[0] + 1, before[1] + clocks, *(n + 1 for n in before[2:])]
