"""The head's and the team leader's 我的待办 at scale (issue 15): the complaints to take, the
written/important/attitude complaints and a team's orders to assign read the same rows, in the
same order (oldest first, ties by id), with the same counts and pages, as a reference written
in Python; and they read them the way that kept them fast at 1,000,000 orders: only the keys
come back, sorted by the database (a time read back costs a parse in Python, thousands of them
a page), and no order is read by its key through a subquery."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from propdesk.community.models import Team, User
from propdesk.desk.models import ComplaintType, WorkOrder
from propdesk.desk.queues import (
    complaint_pages,
    complaints_to_take,
    escalations,
    page_of,
    special_complaints,
    team_desks,
)
from propdesk.desk.services import WorkOrderDraft, work_order_create
from propdesk.followup.selectors import recovery_queue
from propdesk.policy.workflow import OPEN_STATES, State
from tests import factories as f
from tests.web.conftest import act

OPEN = {s.value for s in OPEN_STATES}


def _statements(read: Callable[[], object]) -> list[tuple[str, object]]:
    """The statements ``read`` runs, with their parameters."""
    seen: list[tuple[str, object]] = []

    def keep(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        read()
    return seen


def _oldest_first(orders: list[WorkOrder]) -> list[int]:
    return [o.pk for o in sorted(orders, key=lambda o: (o.created_at, o.pk))]


def _pages(ids: list[int], limit: int) -> list[list[int]]:
    return [ids[i : i + limit] for i in range(0, len(ids), limit)] or [[]]


@pytest.fixture
def to_assign(office, other_office, clock, open_order):  # type: ignore[no-untyped-def]
    """The repair team's morning: orders in its pool (two created at the same moment), held by
    the leader, given to the member, given back (退单) by the member, one returned still held
    by the member, one cancelled; the cleaning team's pool and the other community's beside
    them."""
    leader, member = office.repair_leader, office.repair_member
    pool = [open_order()]
    clock.advance(minutes=1)
    pool += [open_order(), open_order()]  # created at the same moment
    clock.advance(minutes=1)
    held = open_order()
    act(held, "assign", leader, clock, assignee=leader)
    clock.advance(minutes=1)
    given = open_order()
    act(given, "assign", leader, clock, assignee=member)
    back = open_order()
    act(back, "assign", leader, clock, assignee=member)
    act(back, "return", member, clock, note="缺配件")
    clock.advance(minutes=1)
    still_held = open_order()
    WorkOrder.objects.filter(pk=still_held.pk).update(state=State.RETURNED, assignee=member)
    gone = open_order()
    act(gone, "cancel", office.receptionist, clock, note="业主撤回")
    clock.advance(minutes=1)
    open_order("housekeeping", description="开荒保洁")  # the cleaning team's
    work_order_create(
        community=other_office.community,
        by=other_office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="漏水", household=other_office.household),
    )
    pool.append(open_order())
    return office


def _waiting(team: Team, leader: User) -> list[int]:
    """The reference: the team's orders returned, or dispatched and held by nobody or by
    ``leader`` (whoever reads the desk: a superuser reads every team's), oldest first."""
    return _oldest_first(
        [
            o
            for o in WorkOrder.objects.filter(community_id=team.community_id, team=team)
            if o.state == State.RETURNED
            or (o.state == State.DISPATCHED and o.assignee_id in (None, leader.pk))
        ]
    )


@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_a_teams_orders_to_assign_are_its_waiting_orders_oldest_first_page_by_page(
    to_assign, clock, limit
) -> None:
    office = to_assign
    for who in (office.repair_leader, f.UserFactory(username="root", is_superuser=True)):
        teams = (
            Team.objects.filter(community=office.community, leader=who)
            if not who.is_superuser
            else Team.objects.filter(community=office.community)
        )
        expected = {t.pk: _waiting(t, who) for t in teams}
        if who == office.repair_leader:  # 4 in the pool, held by them, given back, returned
            assert len(expected[office.repair.pk]) == 7
        last = max(len(_pages(ids, limit)) for ids in expected.values())
        for page in range(1, last + 2):  # and one past the last: each team's last again
            desks = team_desks(who, office.community.pk, now=clock.now(), page=page, limit=limit)
            assert [d.team.pk for d in desks] == sorted(
                expected, key=lambda pk: Team.objects.get(pk=pk).name
            )
            for desk in desks:
                pages = _pages(expected[desk.team.pk], limit)
                at = min(page, len(pages))
                assert (desk.total, desk.page) == (len(expected[desk.team.pk]), at), who
                assert [o.pk for o in desk.to_assign] == pages[at - 1], (who, page)
                for load in desk.members:
                    assert (
                        load.open_orders
                        == WorkOrder.objects.filter(
                            community=office.community, assignee=load.user, state__in=OPEN
                        ).count()
                    )


def test_the_orders_to_assign_and_the_members_loads_read_no_order_by_its_key(
    to_assign, clock
) -> None:
    """Scale (issue 15): at 1,000,000 orders the team's 5,607 orders dispatched or returned
    were each read by their key to keep the 2,538 waiting, their 2,538 times parsed in Python
    to sort them, and each member's 3,069 open orders read by their key to count them."""
    office = to_assign
    leader = User.objects.get(pk=office.repair_leader.pk)
    team_desks(leader, office.community.pk, now=clock.now())  # roles and teams cached
    seen = [
        sql
        for sql, _ in _statements(lambda: team_desks(leader, office.community.pk, now=clock.now()))
    ]
    (waiting,) = [s for s in seen if s.startswith('SELECT "desk_workorder"."team_id"')]
    (loads,) = [s for s in seen if "COUNT(" in s and "GROUP BY" in s]
    for sql in (waiting, loads):
        assert " IN (SELECT " not in sql, sql
    assert "created_at" not in waiting.split(" FROM ")[0], waiting
    assert "COUNT(*)" in loads


def test_the_heads_complaints_come_oldest_first_only_their_keys_read_back(
    office, clock, open_order, django_assert_num_queries
) -> None:
    """Scale (issue 15): the complaints to take were 1,665 at 1,000,000 orders, their times
    each parsed in Python to sort them; now the database sorts them and sends their keys. The
    sort key is one no index serves: ordered by created_at itself, SQLite walked the
    community's created_at index through every order it ever had. The special complaints are
    read through their own partial index (at 1,000,000 orders the community's 4,173 open
    complaints were read to keep 135: 12 ms of 36 on PostgreSQL)."""
    head = User.objects.get(pk=office.head.pk)
    made = []
    for i in range(5):
        made.append(open_order("complaint", description=f"噪音{i}"))
        if i != 2:  # the third and the fourth created at the same moment
            clock.advance(minutes=1)
    made.append(open_order("complaint", complaint_type=ComplaintType.WRITTEN, description="书面"))
    made.append(open_order("complaint", is_important=True, description="重要"))
    clock.advance(minutes=1)
    made.append(open_order("complaint", complaint_type=ComplaintType.ATTITUDE, description="态度"))
    # Taken by an administrator: no longer to take, still special if it is.
    WorkOrder.objects.filter(pk__in=[made[0].pk, made[5].pk]).update(state=State.ACCEPTED)
    open_order()  # a repair: in neither
    orders = list(WorkOrder.objects.filter(community=office.community, kind="complaint"))
    take = _oldest_first([o for o in orders if o.state in ("new", "returned", "reopened")])
    special = _oldest_first(
        [
            o
            for o in orders
            if o.state in OPEN and (o.complaint_type in ("written", "attitude") or o.is_important)
        ]
    )
    assert (len(take), len(special)) == (6, 3)
    complaint_pages(head, office.community.pk, special=True)  # roles cached
    for limit in (1, 2, 100):  # 我的待办's first pages: both, their rows read once
        with django_assert_num_queries(4):  # the keys of each, then their rows and clocks
            both = complaint_pages(head, office.community.pk, special=True, limit=limit)
        alone = complaint_pages(head, office.community.pk, special=False, limit=limit)
        assert alone[1] is None
        for got, expected in ((both[0], take), (both[1], special), (alone[0], take)):
            assert got is not None
            assert (got.total, got.page) == (len(expected), 1)
            assert [o.pk for o in got.rows] == expected[:limit]
            assert [o.state_label for o in got.rows] == [
                o.get_state_display()
                for o in WorkOrder.objects.filter(pk__in=expected[:limit]).order_by(
                    "created_at", "id"
                )
            ]
    for read, expected in ((complaints_to_take, take), (special_complaints, special)):
        for limit in (1, 2, 3, 100):
            pages = _pages(expected, limit)
            for page in range(1, len(pages) + 2):
                got = read(head, office.community.pk, page=page, limit=limit)
                at = min(page, len(pages))
                assert (got.total, got.page) == (len(expected), at)
                assert [o.pk for o in got.rows] == pages[at - 1]
        seen = _statements(lambda read=read: read(head, office.community.pk, limit=2))
        (keys, params) = next((s, p) for s, p in seen if '"kind" = ' in s)
        assert keys.split(" FROM ")[0] == 'SELECT "desk_workorder"."id" AS "pk"', keys
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + keys, params)
                plan = "\n".join(str(r[-1]) for r in cursor.fetchall())
                assert "wo_comm_time" not in plan, plan
                if read is special_complaints:  # the few such complaints, through their index
                    assert "USING INDEX wo_comm_special" in plan, plan


def test_an_empty_section_of_the_heads_queue_is_counted_and_not_read(
    office, django_assert_num_queries
) -> None:
    """The head's recoveries and escalations are mostly empty: their count says so, and the
    page's statement (five joined tables' columns, built and compiled) is not run for nothing."""
    head = User.objects.get(pk=office.head.pk)
    escalations(head, office.community.pk)  # roles cached
    with django_assert_num_queries(1):
        got = escalations(head, office.community.pk, limit=10)
    assert (got.rows, got.total, got.page) == ([], 0, 1)
    with django_assert_num_queries(1):
        got = page_of(recovery_queue(office.community), limit=10)
    assert (got.rows, got.total, got.page) == ([], 0, 1)
