"""The overdue-only board, the boards narrowed by kind, the team pool and my jobs read the same
rows, in the same order, with the same counts, for every role, as a reference written from the
access module's own rule for one order (``order_visible_to``) and the clocks read in Python.

The reads were reshaped for speed at 1,000,000 orders (the board's total read with its page,
the pool's "nobody's yet" asked inside the team index's subquery): these tests hold them to
what a person of each role may see and in what order."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from propdesk.clocks.models import Clock, ClockState
from propdesk.community.access import user_team_ids
from propdesk.community.models import User
from propdesk.desk.models import ComplaintType, WorkOrder
from propdesk.desk.queues import JOBS_WALK_FROM, BoardFilters, board, my_jobs, team_pool
from propdesk.desk.selectors import order_visible_to
from propdesk.desk.services import WorkOrderDraft, work_order_create
from propdesk.incidents.services import emergency_log
from propdesk.policy.workflow import OPEN_STATES
from tests import factories as f
from tests.web.conftest import act

OPEN = {s.value for s in OPEN_STATES}
LIVE = {ClockState.RUNNING, ClockState.BREACHED}


def _next_due(order: WorkOrder) -> datetime | None:
    dues = [c.due_at for c in order.clocks.all() if c.state in LIVE and c.paused_at is None]
    return min(dues, default=None)


def _is_overdue(order: WorkOrder, now: datetime) -> bool:
    return any(
        c.state == ClockState.BREACHED
        or (c.state == ClockState.RUNNING and c.paused_at is None and c.due_at <= now)
        for c in order.clocks.all()
        if c.community_id == order.community_id
    )


def _sorted(orders: list[WorkOrder], *, newest_first: bool) -> list[int]:
    """Emergencies first, nearest live deadline next (none after all), then by creation
    (newest first on the board, oldest first in the jobs lists), then by id the same way."""
    rows = sorted(orders, key=lambda o: o.pk, reverse=newest_first)
    rows.sort(key=lambda o: o.created_at, reverse=newest_first)
    rows.sort(
        key=lambda o: (
            0 if o.complaint_type == ComplaintType.EMERGENCY else 1,
            _next_due(o) is None,
            _next_due(o) or datetime.min.replace(tzinfo=o.created_at.tzinfo),
        )
    )
    return [o.pk for o in rows]


def _seen(user: User, community_id: int) -> list[WorkOrder]:
    return [
        o
        for o in WorkOrder.objects.filter(community_id=community_id).prefetch_related("clocks")
        if order_visible_to(user, o)
    ]


def _fresh(user: User) -> User:
    """The user read again: nothing the access module cached on an earlier object."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def desk_day(office, other_office, company, clock):  # type: ignore[no-untyped-def]
    """A morning at the office: orders in the pools, with members and the leader, done or
    cancelled, complaints past their 10 minutes, an emergency, a paused clock; the other
    community's orders beside them. Returns every user whose reads are compared."""

    def open_order(kind: str = "repair", description: str = "厨房水龙头漏水") -> WorkOrder:
        return _open_in(office, clock, kind, description)

    pool = [open_order() for _ in range(3)]  # repairs straight to the repair team's pool
    clock.advance(minutes=1)
    cleaning_pool = open_order("housekeeping", description="开荒保洁")
    claimed = open_order()
    act(claimed, "claim", office.repair_member, clock)
    given = open_order()
    act(given, "assign", office.repair_leader, clock, assignee=office.repair_member)
    held = open_order()
    act(held, "assign", office.repair_leader, clock, assignee=office.repair_leader)
    done = open_order()
    act(done, "cancel", office.receptionist, clock, note="业主撤回")
    complaints = [open_order("complaint", description=f"噪音{i}") for i in range(3)]
    clock.advance(minutes=5)
    late = open_order("complaint", description="电梯")
    emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋地下车库",
        description="冒烟",
    )
    for order in [open_order() for _ in range(2)]:
        pool.append(order)
    # Elsewhere: the other community's pool, complaints and a member's job.
    other = [
        WorkOrder.objects.get(pk=o.pk)
        for o in [
            _open_in(other_office, clock, "repair"),
            _open_in(other_office, clock, "complaint"),
        ]
    ]
    act(other[0], "claim", other_office.repair_member, clock)
    clock.advance(minutes=6)  # the first complaints are past CP-1's 10 minutes, `late` is not
    # A breached clock, and a running past-due clock paused by a wait (not overdue by it).
    Clock.objects.filter(order=complaints[0], rule_id="CP-1").update(state=ClockState.BREACHED)
    Clock.objects.filter(order=complaints[1], rule_id="CP-1").update(paused_at=clock.now())
    # Someone on both communities' repair teams, leadership, a superuser.
    both = f.UserFactory(
        username="both",
        roles=[(office.community, "team_member"), (other_office.community, "team_member")],
    )
    for team in (office.repair, other_office.repair):
        team.members.add(both)
    boss = f.UserFactory(username="boss", is_leadership=True, company=company)
    root = f.UserFactory(username="root", is_superuser=True)
    stranger = f.UserFactory(username="stranger", roles=[(other_office.community, "receptionist")])
    users = [
        office.receptionist,
        office.administrator,
        office.head,
        office.repair_leader,
        office.repair_member,
        office.cleaning_leader,
        other_office.repair_member,
        other_office.administrator,
        both,
        boss,
        root,
        stranger,
    ]
    assert cleaning_pool.team_id == office.cleaning.pk and late.kind == "complaint"
    return users


def _open_in(office, clock, kind, description="漏水"):  # type: ignore[no-untyped-def]
    draft = WorkOrderDraft(kind=kind, description=description, household=office.household)
    return work_order_create(
        community=office.community, by=office.receptionist, now=clock.now(), draft=draft
    )


@pytest.mark.parametrize("limit", [2, 100])
def test_the_boards_read_what_each_role_sees_in_order_with_their_counts(
    desk_day, office, other_office, clock, limit
) -> None:
    now = clock.now()
    for community in (office.community, other_office.community):
        for who in desk_day:
            seen = [o for o in _seen(who, community.pk) if o.state in OPEN]
            overdue = [o for o in seen if _is_overdue(o, now)]
            cases = {
                BoardFilters(overdue=True): overdue,
                BoardFilters(kind="complaint"): [o for o in seen if o.kind == "complaint"],
                BoardFilters(kind="repair", overdue=True): [
                    o for o in overdue if o.kind == "repair"
                ],
                BoardFilters(): seen,
            }
            for filters, expected in cases.items():
                want = _sorted(expected, newest_first=True)
                pages = -(-len(want) // limit) or 1
                for page in range(1, pages + 2):  # and one past the last: the last again
                    got = board(
                        _fresh(who), community.pk, now=now, filters=filters, limit=limit, page=page
                    )
                    at = min(page, pages)
                    context = (who.username, community.code, filters, page)
                    assert [o.pk for o in got.orders] == want[(at - 1) * limit : at * limit], (
                        context
                    )
                    assert (got.total, got.page) == (len(want), at), context
                    ours = [o for o in seen if o in expected] if filters.overdue else expected
                    assert got.overdue == len([o for o in ours if _is_overdue(o, now)]), context


# My jobs read both ways: sorted by the database (a few held) and by walking the clocks (many).
ROUTES = [pytest.param(JOBS_WALK_FROM, id="sorted"), pytest.param(0, id="walked")]


@pytest.mark.parametrize("walk_from", ROUTES)
def test_the_pool_and_my_jobs_read_what_each_role_sees_in_order_with_their_counts(
    desk_day, office, other_office, walk_from
) -> None:
    for community in (office.community, other_office.community):
        for who in desk_day:
            user = _fresh(who)
            seen = [o for o in _seen(user, community.pk) if o.state in OPEN]
            teams = user_team_ids(user)
            pooled = [
                o
                for o in seen
                if o.state == "dispatched" and o.assignee_id is None and o.team_id in teams
            ]
            mine = [o for o in seen if o.assignee_id == user.pk]
            for page in (1, 2, 3):
                pool = team_pool(_fresh(who), community.pk, page=page, limit=2)
                want = _sorted(pooled, newest_first=False)
                at = min(page, -(-len(want) // 2) or 1)
                context = (who.username, community.code, page)
                assert [o.pk for o in pool.rows] == want[(at - 1) * 2 : at * 2], context
                assert pool.total == len(want), context
                jobs = my_jobs(_fresh(who), community.pk, page=page, limit=2, walk_from=walk_from)
                want = _sorted(mine, newest_first=False)
                at = min(page, -(-len(want) // 2) or 1)
                assert [o.pk for o in jobs.rows] == want[(at - 1) * 2 : at * 2], context
                assert jobs.total == len(want), context


def test_the_reference_sees_a_pool_and_overdue_orders(desk_day, office, clock) -> None:
    """The comparisons above compare something: the repair team's pool holds orders, some
    complaints are overdue, the member holds jobs."""
    member = _fresh(office.repair_member)
    assert team_pool(member, office.community.pk).total == 5
    assert my_jobs(member, office.community.pk).total == 2
    admin = _fresh(office.administrator)
    got = board(admin, office.community.pk, now=clock.now(), filters=BoardFilters(overdue=True))
    # The breached complaint, the one past CP-1's 10 minutes and the emergency (EM-2's five);
    # not the complaint whose past-due clock a wait paused.
    assert got.total == got.overdue == 3
    assert [o.kind for o in got.orders] == ["complaint", "complaint", "complaint"]
    assert got.orders[0].complaint_type == ComplaintType.EMERGENCY


def test_the_overdue_board_counts_its_orders_with_its_page(desk_day, office, clock) -> None:
    """Scale (issue 15): the overdue alone are counted in the statement that reads their page,
    not by counting every open order and then the overdue apart (at 1,000,000 orders: 41,000
    open read for a number the page does not show, then each overdue order found twice)."""
    admin = _fresh(office.administrator)
    board(admin, office.community.pk, now=clock.now(), filters=BoardFilters())  # roles cached
    with CaptureQueriesContext(connection) as q:
        got = board(admin, office.community.pk, now=clock.now(), filters=BoardFilters(overdue=True))
    assert got.total == 3
    assert [s["sql"] for s in q.captured_queries if "COUNT(*)" in s["sql"]] == []
    assert len([s for s in q.captured_queries if " OVER ()" in s["sql"]]) == 1


def test_the_pool_asks_for_nobodys_orders_inside_the_teams_index(desk_day, office) -> None:
    """Scale (issue 15): "nobody holds it yet" is asked where the team's dispatched orders are
    found (the subquery the (team, state) and (assignee, state) indexes answer), not of each
    of them afterwards: at 1,000,000 orders the team's 9,181 dispatched were read to keep 0."""
    member = _fresh(office.repair_member)
    team_pool(member, office.community.pk)  # roles and teams cached
    with CaptureQueriesContext(connection) as q:
        assert team_pool(member, office.community.pk).total == 5
    (count,) = [s["sql"] for s in q.captured_queries if "COUNT(*)" in s["sql"]]
    outer, inner = count.split(" IN (SELECT ", 1)
    assert '"assignee_id" IS NULL' in inner and '"assignee_id" IS NULL' not in outer


def test_my_jobs_are_counted_with_their_page(desk_day, office) -> None:
    """Scale (issue 15): a person's few jobs are counted in the statement that reads their page
    (a leader held 9,851 at 1,000,000 orders, each found twice when counted apart)."""
    member = _fresh(office.repair_member)
    my_jobs(member, office.community.pk)  # roles and teams cached
    with CaptureQueriesContext(connection) as q:
        assert my_jobs(member, office.community.pk).total == 2
    # The only count apart is the route's, of the (assignee, state) index alone.
    (count,) = [s["sql"] for s in q.captured_queries if "COUNT(*)" in s["sql"]]
    assert " IN (SELECT " not in count and '"community_id"' not in count
    assert len([s for s in q.captured_queries if " OVER ()" in s["sql"]]) == 1


@pytest.fixture
def leaders_jobs(office, other_office, clock):  # type: ignore[no-untyped-def]
    """The repair leader holding many jobs among others' orders: two due at the same moment,
    created apart and at the same moment, one whose clock a wait paused, one whose clock was
    met, one with two clocks, an emergency, one done; the member's and the other community's
    orders due sooner. Returns the leader's open orders."""
    leader = office.repair_leader

    def held(when: int, *, by=leader) -> WorkOrder:  # type: ignore[no-untyped-def]
        order = _open_in(office, clock, "repair")
        act(order, "assign", leader, clock, assignee=by)
        Clock.objects.filter(order=order).update(due_at=clock.now() + timedelta(minutes=when))
        return order

    mine = [held(90), held(30)]
    clock.advance(minutes=1)
    tied = [held(60), held(60)]  # created at the same moment, due at the same moment
    clock.advance(minutes=1)
    tied.append(held(60))  # due with them, created later
    theirs = [held(m, by=office.repair_member) for m in (10, 20, 60, 70)]
    elsewhere = _open_in(other_office, clock, "repair")
    Clock.objects.filter(order=elsewhere).update(due_at=clock.now())
    paused, met, two, emergency, done = (held(m) for m in (5, 5, 120, 45, 15))
    Clock.objects.filter(order=paused).update(paused_at=clock.now())
    Clock.objects.filter(order=met).update(state=ClockState.MET)
    first = Clock.objects.filter(order=two).order_by("id")[0]
    first.pk = None
    first.due_at = clock.now() + timedelta(minutes=25)  # its nearer one
    first.save()
    WorkOrder.objects.filter(pk=emergency.pk).update(complaint_type=ComplaintType.EMERGENCY)
    act(done, "cancel", office.receptionist, clock, note="业主撤回")
    assert all(o.assignee_id != leader.pk for o in theirs)
    # Jobs left with someone of the other community, who has no role here: none of theirs.
    left = held(40)
    WorkOrder.objects.filter(pk=left.pk).update(assignee=other_office.repair_member)
    return [*mine, *tied, paused, met, two, emergency]


@pytest.mark.parametrize("walk_from", ROUTES)
@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_my_jobs_read_ties_clockless_orders_and_every_page_in_order(
    leaders_jobs, office, other_office, walk_from, limit
) -> None:
    """Both routes of my jobs read, page by page (and one past the last: the last again), the
    leader's open orders in the reference's order: the emergency first, ties on the deadline
    oldest first, orders without a running deadline (paused, met) after all, oldest first. And
    a job held in a community where its holder has no role is not theirs to see there."""
    leader = _fresh(office.repair_leader)
    for who in (leader, _fresh(other_office.repair_member)):
        seen = [o for o in _seen(who, office.community.pk) if o.state in OPEN]
        want = _sorted([o for o in seen if o.assignee_id == who.pk], newest_first=False)
        pages = -(-len(want) // limit) or 1
        for page in range(1, pages + 2):
            got = my_jobs(who, office.community.pk, page=page, limit=limit, walk_from=walk_from)
            at = min(page, pages)
            context = (who.username, page)
            assert [o.pk for o in got.rows] == want[(at - 1) * limit : at * limit], context
            assert (got.total, got.page) == (len(want), at), context
    mine = _sorted(
        [
            o
            for o in _seen(leader, office.community.pk)
            if o.state in OPEN and o.assignee_id == leader.pk
        ],
        newest_first=False,
    )
    assert sorted(mine) == sorted(o.pk for o in leaders_jobs)


def test_the_reference_orders_the_leaders_jobs_as_described(
    leaders_jobs, office, other_office
) -> None:
    """The comparison above compares something: the reference puts the emergency first, the
    tie in creation order, the clockless after all; the other community's member holds a job
    here that they do not see."""
    outsider = _fresh(other_office.repair_member)
    assert WorkOrder.objects.filter(community=office.community, assignee=outsider).exists()
    assert not [o for o in _seen(outsider, office.community.pk) if o.assignee_id == outsider.pk]
    far, near, tied_a, tied_b, tied_later, paused, met, two, emergency = (
        o.pk for o in leaders_jobs
    )
    order = _sorted([WorkOrder.objects.get(pk=o.pk) for o in leaders_jobs], newest_first=False)
    assert order == [emergency, two, near, tied_a, tied_b, tied_later, far, paused, met]
