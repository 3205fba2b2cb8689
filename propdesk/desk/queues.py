"""Reads for the staff console: the live board and each role's queue.

Every function takes the user and the community and reads through ``work_orders_visible``, so a
team member sees only the team's orders. Each list is a bounded number of queries whatever the
number of rows (the running clocks come in one prefetch), and reads open orders only through the
(community, state) index, so its cost grows with the open orders, not with all orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Generic, TypeVar

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce

from propdesk.clocks.models import LIVE, Clock, ClockState
from propdesk.clocks.selectors import calendar_fallback
from propdesk.community.access import has_role, staff_with_roles, user_team_ids
from propdesk.community.models import Community, DutyShift, Team, TeamMember, User
from propdesk.core.literal import Constant
from propdesk.desk.models import (
    ComplaintType,
    OrderKind,
    Rectification,
    WorkOrder,
    state_label,
)
from propdesk.desk.selectors import work_orders_visible
from propdesk.policy.rules import load_policy
from propdesk.policy.workflow import FINAL_STATES, OFFICE_ROLES, OPEN_STATES, Role, State

OPEN = [s.value for s in OPEN_STATES]
FINAL = [s.value for s in FINAL_STATES]
# An order's clocks worth showing: still running, or breached and not yet met (a clock met late
# stays "breached" for the figures, with its met_at: done, not work; _live()).
LIVE_CLOCK_STATES = [ClockState.RUNNING, ClockState.BREACHED]


def _live() -> Q:
    """A clock still running, or breached and neither met nor cancelled since: the live clocks'
    partial indexes' own condition (``clocks.models.LIVE``) and the states, so the database can
    use those indexes."""
    return Q(state__in=[Constant(s.value) for s in LIVE_CLOCK_STATES]) & LIVE


def clock_is_live(clock: Clock) -> bool:
    """``_live()`` for a clock already read: still to be met, on time or overdue."""
    return clock.state in LIVE_CLOCK_STATES and clock.met_at is None and clock.cancelled_at is None


def _next_due() -> Subquery:
    return Subquery(
        # A clock a waiting state paused has no deadline until the wait ends (issue 16).
        Clock.objects.filter(_live(), order_id=OuterRef("pk"), paused_at__isnull=True)
        .order_by("due_at")
        .values("due_at")[:1]
    )


def _by_deadline() -> OrderBy:
    """Nearest deadline first, orders without a live clock after all the others. Explicit: SQLite
    sorts NULLs first and PostgreSQL last, and a list must read the same on both."""
    return F("next_due").asc(nulls_last=True)


def _emergency_first() -> Case:
    """0 for an emergency, 1 for the rest: emergencies always on top."""
    return Case(
        When(complaint_type=ComplaintType.EMERGENCY, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


# What a row of the console's lists shows (the board, the queues' sections, a team's orders to
# assign, my jobs, the team's pool, the return visits' complaints): read alone, not the order's
# thirty-odd columns and its five related rows whole, most of them dates each converted on
# reading (a hundred rows a page); and read as values, not model instances (``OrderRow``).
ROW_FIELDS = (
    "id",
    "community_id",
    "number",
    "kind",
    "complaint_type",
    "is_important",
    "is_long_running",
    "is_construction_legacy",
    "is_urgent",
    "location",
    "description",
    "appointment_at",
    "state",
    "version",
    "waiting",
    "created_at",
    "household_id",
    "household__code",
    "team_id",
    "team__name",
    "assignee_id",
    "assignee__name",
    "assignee__username",
    "service_item_id",
    "service_item__name",
    "contact_id",
    "contact__owner_agitated",
)
# A row's live clocks, as a clock chip draws them (running and breached, not met: _live()).
CLOCK_FIELDS = (
    "id",
    "order_id",
    "rule_id",
    "title",
    "state",
    "due_at",
    "warn_at",
    "subject",
    "paused_at",
)


class ClockRow:
    """A live clock of a console row: the columns ``CLOCK_FIELDS``, as ``clock_chip`` reads them
    from a ``Clock`` (the same values, converted by the ORM as for an instance)."""

    __slots__ = CLOCK_FIELDS

    id: int
    order_id: int
    rule_id: str
    title: str
    state: str
    due_at: datetime
    warn_at: datetime | None
    subject: str
    paused_at: datetime | None

    def __init__(self, values: tuple[Any, ...]) -> None:
        for name, value in zip(CLOCK_FIELDS, values, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id


class OrderRow:
    """A work order as a console list draws it: ``ROW_FIELDS`` read as values (the ORM's
    converters, as for an instance), the related rows as small objects with the columns shown
    (``household.code``, ``team.name``, ``assignee.name``/``username``, ``service_item.name``,
    ``contact.owner_agitated``; None where the key is empty, as ``select_related`` gives them),
    ``live_clocks`` and ``state_label``. ``is_emergency`` and ``kind_label`` are WorkOrder's own.
    A hundred model instances a page and their four hundred related ones cost more than the rest
    of the page's reading (``bench/console_profile.py``)."""

    __slots__ = (
        "appointment_at",
        "assignee",
        "assignee_id",
        "community_id",
        "complaint_type",
        "contact",
        "contact_id",
        "created_at",
        "description",
        "household",
        "household_id",
        "id",
        "is_construction_legacy",
        "is_important",
        "is_long_running",
        "is_urgent",
        "kind",
        "live_clocks",
        "location",
        "number",
        "service_item",
        "service_item_id",
        "state",
        "state_label",
        "team",
        "team_id",
        "version",
        "waiting",
    )

    id: int
    community_id: int
    number: str
    kind: str
    complaint_type: str
    is_important: bool
    is_long_running: bool
    is_construction_legacy: bool
    is_urgent: bool
    location: str
    description: str
    appointment_at: datetime | None
    state: str
    version: int
    waiting: str
    created_at: datetime
    household_id: int | None
    household: SimpleNamespace | None
    team_id: int | None
    team: SimpleNamespace | None
    assignee_id: int | None
    assignee: SimpleNamespace | None
    service_item_id: int | None
    service_item: SimpleNamespace | None
    contact_id: int | None
    contact: SimpleNamespace | None
    live_clocks: list[ClockRow]
    state_label: str

    def __init__(self, v: tuple[Any, ...]) -> None:
        (
            self.id,
            self.community_id,
            self.number,
            self.kind,
            self.complaint_type,
            self.is_important,
            self.is_long_running,
            self.is_construction_legacy,
            self.is_urgent,
            self.location,
            self.description,
            self.appointment_at,
            self.state,
            self.version,
            self.waiting,
            self.created_at,
            self.household_id,
            code,
            self.team_id,
            team_name,
            self.assignee_id,
            name,
            username,
            self.service_item_id,
            item_name,
            self.contact_id,
            agitated,
        ) = v
        self.household = None if self.household_id is None else SimpleNamespace(code=code)
        self.team = None if self.team_id is None else SimpleNamespace(name=team_name)
        self.assignee = (
            None if self.assignee_id is None else SimpleNamespace(name=name, username=username)
        )
        self.service_item = (
            None if self.service_item_id is None else SimpleNamespace(name=item_name)
        )
        self.contact = None if self.contact_id is None else SimpleNamespace(owner_agitated=agitated)
        self.live_clocks = []

    @property
    def pk(self) -> int:
        return self.id

    def __str__(self) -> str:
        return self.number

    is_emergency = WorkOrder.is_emergency
    kind_label = WorkOrder.kind_label


def _read_rows(qs: QuerySet[WorkOrder]) -> list[OrderRow]:
    """The rows of ``qs`` (a page of orders, in its order) with what a row shows and each one's
    live clocks, nearest first: two queries (none for the clocks of no rows), the statements a
    ``select_related`` of the five relations and a prefetch of the live clocks made."""
    rows = [OrderRow(v) for v in qs.values_list(*ROW_FIELDS)]
    if rows:
        by_id = {row.id: row for row in rows}
        clocks = (
            Clock.objects.filter(_live(), order_id__in=list(by_id))
            .order_by("due_at", "id")
            .values_list(*CLOCK_FIELDS)
        )
        for values in clocks:
            by_id[values[1]].live_clocks.append(ClockRow(values))
    return rows


@dataclass(frozen=True)
class BoardFilters:
    kind: str = ""
    team_id: int | None = None
    state: str = ""
    building_id: int | None = None
    overdue: bool = False


# The rows a console list draws at once: the board, a team leader's orders to assign, a queue
# section's own page (查看全部) and a team member's jobs show this many per page, the count of
# all that match above them and a link to the next page.
PAGE_SIZE = 100
# The rows each section of 我的待办 shows before its 查看全部 link: the most urgent ten of each
# (nearest deadline or oldest first) fit on one screen beside the other sections, and the page
# draws at most ten per section whatever the backlog (it drew up to a hundred).
SECTION_ROWS = 10

T = TypeVar("T")


class _Paged:
    """Where a page stands among all the rows: ``page`` (1-based), ``limit`` rows a page,
    ``total`` in all, and ``shown`` rows on this one."""

    page: int
    limit: int
    total: int

    @property
    def shown(self) -> int:
        raise NotImplementedError

    @property
    def first(self) -> int:
        """The position of the page's first row among all (1-based; 0 when none)."""
        return (self.page - 1) * self.limit + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.limit + self.shown

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass
class Page(_Paged, Generic[T]):
    """One page of a list: its rows, how many there are in all, and where the page stands."""

    rows: list[T]
    total: int
    page: int = 1  # 1-based; a page past the last reads as the last
    limit: int = PAGE_SIZE

    @property
    def shown(self) -> int:
        return len(self.rows)

    @property
    def more(self) -> bool:
        """More rows than this page shows: worth a link to all of them."""
        return self.total > len(self.rows)


def _clamp(total: int, page: int, limit: int) -> tuple[int, int]:
    """The page (1 to the last) and the offset of its first row."""
    page = min(max(1, page), max(1, -(-total // limit)))
    return page, (page - 1) * limit


def page_of(qs: QuerySet[Any], *, page: int = 1, limit: int = PAGE_SIZE) -> Page[Any]:
    """One page of an ordered queryset (a short list: its count, then its slice; no slice to
    read when the count is 0, as the head's recoveries and escalations mostly are: each is a
    statement of five joined tables' columns, built and compiled for nothing)."""
    total = qs.count()
    page, start = _clamp(total, page, limit)
    return Page(list(qs[start : start + limit]) if total else [], total, page, limit)


@dataclass
class Board(_Paged):
    orders: list[OrderRow]
    total: int  # open orders matching the filters (the page may show fewer)
    overdue: int  # of those, with a breached or past-due clock
    limit: int
    # Orders whose live clocks count working days Monday–Friday (no statutory data): id → years.
    calendar_fallback: dict[int, list[int]] = field(default_factory=dict)
    page: int = 1  # 1-based; a page past the last reads as the last

    @property
    def shown(self) -> int:
        return len(self.orders)


def label_rows(orders: list[OrderRow]) -> list[OrderRow]:
    """Set ``state_label`` on each order once, from one lookup table per call: the console's
    lists draw a hundred rows, and ``get_state_display()`` rebuilds every lazy choice label on
    each call."""
    states: dict[tuple[str, str, bool], str] = {}
    for order in orders:
        key = (order.state, order.kind, order.is_emergency)  # type: ignore[misc]  # WorkOrder's
        label = states.get(key)
        if label is None:
            label = states[key] = state_label(order.state, order.kind, emergency=key[2])
        order.state_label = label
    return orders


def _overdue(community_id: int, now: datetime) -> Q:
    """Work orders made overdue by a clock of the community: breached (and not met since), or
    running past due.
    One list in two parts (UNION ALL), each read through its own index: the breached through
    ``clock_live_rule``, the running past due through ``clock_live_due`` up to ``now``. Written
    as one condition with an OR, SQLite read every clock the community ever had (met and
    cancelled ones included); as two IN lists, PostgreSQL expected most open orders to pass
    and sorted them in parallel workers."""
    clocks = Clock.objects.filter(community_id=community_id, order__isnull=False).order_by()
    breached = clocks.filter(LIVE, state=ClockState.BREACHED)
    past_due = clocks.filter(_live(), paused_at__isnull=True, due_at__lte=now).filter(
        state=ClockState.RUNNING
    )
    return Q(pk__in=breached.values("order_id").union(past_due.values("order_id"), all=True))


def _open_and_overdue(qs: QuerySet[WorkOrder], overdue_orders: Q) -> tuple[int, int]:
    """How many orders ``qs`` holds, and how many of them ``overdue_orders`` (``_overdue``)
    names: one read of the orders (index ``wo_comm_state_time`` holds each one's id), each
    looked up in the overdue list read once. Counted apart, the overdue list's orders were each
    read again by their key to learn whether ``qs`` holds them (at 1,000,000 orders: 2,444
    lookups, 10,618 buffers, as many as the count of all 41,479 open orders)."""
    counts = qs.order_by().aggregate(total=Count("pk"), overdue=Count("pk", filter=overdue_orders))
    return counts["total"], counts["overdue"]


def _board_ids(
    qs: QuerySet[WorkOrder],
    community_id: int,
    start: int,
    end: int,
    *,
    newest_first: bool = True,
    sparse: bool = False,
) -> list[int]:
    """The ids at positions [start, end) of ``qs`` (open orders) in the console's order:
    emergencies (E), then the orders with a live unpaused clock by their nearest deadline (C),
    then those with none (N); ties newest first (the board) or oldest first (a person's jobs:
    ``newest_first=False``). E is small (its own query); C is read by walking the community's
    live clocks nearest first (index ``clock_live_due``) and stops once it has enough orders;
    N only when a page reaches past C."""
    emergency = Q(complaint_type=ComplaintType.EMERGENCY)
    ties = ("-created_at", "-id") if newest_first else ("created_at", "id")
    e_ids = list(
        qs.filter(emergency)
        .annotate(next_due=_next_due())
        .order_by(_by_deadline(), *ties)
        .values_list("pk", flat=True)[:end]
    )
    if len(e_ids) >= end:
        return e_ids[start:end]
    rest = qs.exclude(emergency)
    need = end - len(e_ids)
    c_ids = _by_next_deadline(rest, community_id, need, newest_first=newest_first, sparse=sparse)
    ids = e_ids + c_ids
    if len(c_ids) < need:  # C is exhausted: the orders with no live deadline
        live = Clock.objects.filter(_live(), order_id=OuterRef("pk"), paused_at__isnull=True)
        ids += list(
            rest.filter(~Exists(live))
            .order_by(*ties)
            .values_list("pk", flat=True)[: end - len(ids)]
        )
    return ids[start:end]


def _by_next_deadline(
    orders: QuerySet[WorkOrder],
    community_id: int,
    n: int,
    *,
    newest_first: bool = True,
    sparse: bool = False,
) -> list[int]:
    """The first ``n`` of ``orders`` that have a live unpaused clock, by the nearest such clock,
    ties newest first (or oldest first); fewer when fewer have one. An order's nearest clock is
    the first of its clocks met walking the clocks nearest first; once n orders are found, the
    walk goes on through the clocks due at the same moment as the n-th (a tie may put one of
    them first). ``sparse``: ``orders`` are a share of the clocks' orders (a person's jobs), the
    first chunk read is four times ``n`` (twice for the board), and only the clocks kept come
    back."""
    # The walk reads the live clocks a chunk at a time in the index's order (``clock_live_due``),
    # each chunk's clocks then kept if their order is one of ``orders``, by its key. Asked
    # as one filtered query, PostgreSQL (which expects few clocks to pass the filter) joined
    # every open order of the community to every live clock and sorted them to keep 200.
    # Sparse, only the kept clocks come back: each time read costs a parse (psycopg reads them
    # as text), and a leader's orders are under half the clocks walked (1,200 parses a page).
    live = Clock.objects.filter(_live(), community_id=community_id, paused_at__isnull=True)
    live = live.order_by("due_at", "id")
    wanted = Exists(orders.filter(pk=OuterRef("order_id")))
    found: dict[int, tuple[Any, Any]] = {}
    boundary = None
    chunk = max((4 if sparse else 2) * n, 200)
    offset = 0
    while True:
        in_chunk = Clock.objects.filter(pk__in=live.values("pk")[offset : offset + chunk])
        in_chunk = in_chunk.order_by("due_at", "id")
        if sparse:
            # How many clocks the chunk held (kept or not), in each row: fewer than asked for,
            # the walk has met the last clock; asked apart only when none is kept.
            size = in_chunk.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
            kept = list(
                in_chunk.filter(wanted)
                .annotate(chunk_size=Subquery(size, output_field=IntegerField()))
                .values_list("order_id", "due_at", "order__created_at", "chunk_size")
            )
            full = (
                kept[0][3] == chunk if kept else live[offset + chunk : offset + chunk + 1].exists()
            )
        else:  # the board: nearly every clock's order is wanted
            rows = list(
                in_chunk.annotate(wanted=wanted).values_list(
                    "order_id", "due_at", "order__created_at", "wanted"
                )
            )
            kept = [row for row in rows if row[3]]
            full = len(rows) == chunk
        past = False
        for order_id, due_at, created_at, _ in kept:
            if boundary is not None and due_at > boundary:
                past = True
                break
            if order_id not in found:
                found[order_id] = (due_at, created_at)
                if len(found) == n:
                    boundary = due_at
        if past or not full:
            break
        # Orders of a few (a team leader's board) are sparse among the clocks: the next chunk
        # twice as long, so the walk takes a few steps, not hundreds.
        offset += chunk
        chunk *= 2
    if newest_first:
        ranked = sorted(found, key=lambda pk: (found[pk][0], _desc(found[pk][1]), -pk))
    else:
        ranked = sorted(found, key=lambda pk: (found[pk][0], found[pk][1], pk))
    return ranked[:n]


def _counted_page(
    ordered: QuerySet[WorkOrder], page: int, limit: int
) -> tuple[list[int], int, int]:
    """The ids of one page of ``ordered`` (1 to the last), how many rows there are in all, and
    the page: the count read in the page's own query (COUNT(*) OVER ()), and apart only for a
    page past the last, which reads the last page instead."""
    page = max(1, page)
    start = (page - 1) * limit
    counted = ordered.annotate(total_rows=Window(Count("pk")))
    rows = list(counted.values_list("pk", "total_rows")[start : start + limit])
    if rows:
        return [pk for pk, _n in rows], rows[0][1], page
    total = ordered.count() if page > 1 else 0
    page, start = _clamp(total, page, limit)
    if not total:
        return [], 0, page
    return list(ordered.values_list("pk", flat=True)[start : start + limit]), total, page


def _desc(when: datetime) -> float:
    """A sort key that puts later times first."""
    return -when.timestamp()


def board(
    user: User,
    community_id: int,
    *,
    now: datetime,
    filters: BoardFilters,
    limit: int = PAGE_SIZE,
    page: int = 1,
) -> Board:
    """Open work orders of a community for the live board, one page of ``limit``: emergencies
    first, then by the nearest deadline of a running or breached clock, then newest. Each order
    carries ``live_clocks`` (running and breached clocks, nearest first) and ``state_label``."""
    qs = work_orders_visible(user).filter(community_id=community_id, state__in=OPEN)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.team_id is not None:
        qs = qs.filter(team_id=filters.team_id)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.building_id is not None:
        qs = qs.filter(household__unit__building_id=filters.building_id)
    # The counts and the page are read from the clocks where they can be (the overdue clocks
    # are few; the nearest deadlines come first in an index), not by asking every open order
    # of the community for its clocks: at 1,000,000 orders a community has 41,000 open.
    overdue_orders = _overdue(community_id, now)
    # The page's ids first, then their rows with what a row shows: joining the rows before the
    # sort made the database join every open order to keep a hundred.
    narrowed = filters.kind or filters.state or filters.team_id or filters.building_id
    if filters.overdue or narrowed:
        # A part of the open orders (the overdue, one kind, team, state or building): sorted by
        # the database, each asking for its nearest deadline (index clock_live_order_due),
        # cheaper than walking all the community's clocks to find a page of the few.
        if filters.overdue:
            qs = qs.filter(overdue_orders)
        ordered = qs.annotate(emergency_first=_emergency_first(), next_due=_next_due())
        ordered = ordered.order_by("emergency_first", _by_deadline(), "-created_at", "-id")
        if filters.overdue:
            # The overdue alone: counted with their page, not by counting every open order (a
            # number this page does not show: 41,000 at 1,000,000 orders) and then the overdue
            # apart (each found twice, its clock's order read by its key).
            ids, total, page = _counted_page(ordered, page, limit)
            overdue = total
        else:
            # One kind, team, state or building: an index counts these cheaper than the page's
            # sort (with the count in the page's statement SQLite read the community's every
            # order through wo_comm_time, 64 ms at 100,000), the overdue among them in the same
            # read. Apart, the overdue count read each overdue clock's order by its key (at
            # 1,000,000 orders: 2,444 lookups to find the 239 complaints among them).
            total, overdue = _open_and_overdue(qs, overdue_orders)
            page, start = _clamp(total, page, limit)
            ids = list(ordered.values_list("pk", flat=True)[start : start + limit])
    else:
        total, overdue = _open_and_overdue(qs, overdue_orders)
        page, start = _clamp(total, page, limit)
        ids = _board_ids(qs, community_id, start, start + limit)
    by_id = {o.pk: o for o in _read_rows(WorkOrder.objects.filter(pk__in=ids).order_by())}
    orders = label_rows([by_id[pk] for pk in ids if pk in by_id])
    return Board(
        orders=orders,
        total=total,
        overdue=overdue,
        limit=limit,
        calendar_fallback=calendar_fallback([o.pk for o in orders], live_only=True),
        page=page,
    )


def orders_with_running_clock(
    user: User, community_id: int, rule_ids: list[str], *, limit: int = 100
) -> list[OrderRow]:
    """The first ``limit`` of ``running_clock_orders`` (the return visits' screen)."""
    return running_clock_orders(user, community_id, rule_ids, limit=limit).rows


def running_clock_orders(
    user: User, community_id: int, rule_ids: list[str], *, page: int = 1, limit: int = PAGE_SIZE
) -> Page[OrderRow]:
    """Orders of the community with a running (or breached, unmet) clock of one of
    ``rule_ids``, nearest deadline first (the overdue on top), one page of ``limit`` and how
    many in all (see ``running_clock_pages``)."""
    return running_clock_pages(user, community_id, {"": rule_ids}, page=page, limit=limit)[""]


def running_clock_pages(
    user: User,
    community_id: int,
    groups: dict[str, list[str]],
    *,
    page: int = 1,
    limit: int = PAGE_SIZE,
) -> dict[str, Page[OrderRow]]:
    """For each group of rules (a queue's section: replies due, follow-ups, weekly calls …),
    the orders of the community with a running (or breached, unmet) clock of one of its rules,
    nearest deadline first (the overdue on top), one page of ``limit`` and how many in all; a
    closed or cancelled order is nobody's work any more, whatever its clocks say. Read from the
    clocks (an index on community, state, rule and deadline: the live clocks of a few rules,
    hundreds at most) in one query for all the groups, then the shown orders in one more, so
    the cost follows the live clocks, not the orders."""
    visible = work_orders_visible(user)
    rules = sorted({r for rule_ids in groups.values() for r in rule_ids})
    clocks = (
        Clock.objects.filter(
            _live(),
            community_id=community_id,
            rule_id__in=rules,
            order__isnull=False,
        )
        .exclude(order__state__in=FINAL)
        .order_by("due_at", "id")
    )
    if visible.query.has_filters():  # a user who sees some orders: each clock's order checked
        clocks = clocks.filter(Exists(visible.filter(pk=OuterRef("order_id"))))
    in_groups = {r: [k for k, rule_ids in groups.items() if r in rule_ids] for r in rules}
    # Each group's orders at their nearest deadline (the clocks come nearest first).
    due: dict[str, dict[int, datetime]] = {k: {} for k in groups}
    for rule_id, order_id, due_at in clocks.values_list("rule_id", "order_id", "due_at"):
        for k in in_groups[rule_id]:
            due[k].setdefault(order_id, due_at)
    shown: dict[str, tuple[int, list[int]]] = {}
    for k, orders in due.items():
        at, start = _clamp(len(orders), page, limit)
        shown[k] = (at, list(orders)[start : start + limit])
    ids = {pk for _at, pks in shown.values() for pk in pks}
    rows = {o.pk: o for o in label_rows(_read_rows(visible.filter(pk__in=ids)))} if ids else {}
    pages: dict[str, Page[OrderRow]] = {}
    for k, (at, pks) in shown.items():
        dues = due[k]
        page_rows = sorted((rows[pk] for pk in pks if pk in rows), key=lambda o: (dues[o.pk], o.pk))
        pages[k] = Page(page_rows, len(dues), at, limit)
    return pages


def _sorted_here(name: str) -> Coalesce:
    """The column ``name`` as a sort key no index serves: the same values in the same order,
    sorted after the rows are found. Ordered by the column itself, SQLite (whose sampled
    statistics, ``core.optimize``, take a community for a few hundred orders) walked the
    community's created_at index through every order it ever had, to keep a few hundred open
    ones; PostgreSQL sorts the rows it found either way."""
    return Coalesce(name, name)


def _oldest_ids(qs: QuerySet[WorkOrder], page: int, limit: int) -> tuple[list[int], int, int]:
    """The ids of one page of ``qs`` (a community's open orders of some kind: hundreds to a few
    thousand), oldest first, how many in all, and the page (1 to the last). All their keys,
    sorted by the database, and only the keys: each time read back costs a parse in Python
    (~10 µs; the head's complaints to take are 1,665 at 1,000,000 orders), by a sort key no
    index serves (``_sorted_here``)."""
    keys = list(qs.order_by(_sorted_here("created_at"), "id").values_list("pk", flat=True))
    page, start = _clamp(len(keys), page, limit)
    return keys[start : start + limit], len(keys), page


def _oldest(qs: QuerySet[WorkOrder], page: int, limit: int) -> Page[OrderRow]:
    """One page of ``qs`` (``_oldest_ids``), with what a row shows, and how many in all."""
    ids, total, page = _oldest_ids(qs, page, limit)
    by_id = {o.pk: o for o in _read_rows(WorkOrder.objects.filter(pk__in=ids).order_by())}
    return Page(label_rows([by_id[pk] for pk in ids]), total, page, limit)


def _to_take(user: User, community_id: int) -> QuerySet[WorkOrder]:
    return work_orders_visible(user).filter(
        community_id=community_id,
        kind=OrderKind.COMPLAINT,
        state__in=[State.NEW, State.RETURNED, State.REOPENED],
    )


def _suggestions_to_take(user: User, community_id: int) -> QuerySet[WorkOrder]:
    return work_orders_visible(user).filter(
        community_id=community_id,
        kind=OrderKind.SUGGESTION,
        state__in=[State.NEW, State.RETURNED, State.REOPENED],
    )


def suggestions_to_take(
    user: User, community_id: int, *, page: int = 1, limit: int = PAGE_SIZE
) -> Page[OrderRow]:
    """Suggestions (建议) nobody has yet (new, returned or reopened), oldest first: a
    resident's from the portal waits here for an administrator to take it."""
    return _oldest(_suggestions_to_take(user, community_id), page, limit)


def _special(user: User, community_id: int) -> QuerySet[WorkOrder]:
    # The words written into the SQL, as the partial index ``wo_comm_special`` says them: SQLite
    # uses it only for a condition it sees to be the index's own (``core.literal``).
    return (
        work_orders_visible(user)
        .filter(community_id=community_id, kind=Constant(OrderKind.COMPLAINT), state__in=OPEN)
        .filter(
            Q(
                complaint_type__in=[
                    Constant(ComplaintType.WRITTEN),
                    Constant(ComplaintType.ATTITUDE),
                ]
            )
            | Q(is_important=True)
        )
    )


def complaints_to_take(
    user: User, community_id: int, *, page: int = 1, limit: int = PAGE_SIZE
) -> Page[OrderRow]:
    """CP-1: complaints nobody has taken yet (new, returned or reopened), oldest first."""
    return _oldest(_to_take(user, community_id), page, limit)


def special_complaints(
    user: User, community_id: int, *, page: int = 1, limit: int = PAGE_SIZE
) -> Page[OrderRow]:
    """For the office head: open written, important and service-attitude complaints."""
    return _oldest(_special(user, community_id), page, limit)


def complaint_pages(
    user: User, community_id: int, *, special: bool, limit: int = PAGE_SIZE
) -> tuple[Page[OrderRow], Page[OrderRow] | None]:
    """The first page of ``complaints_to_take`` and (``special``: the head's) of
    ``special_complaints``, the same rows, their rows and clocks read in one pair of statements
    for both (the head's 我的待办 built and compiled a pair for each)."""
    take_ids, take_total, _ = _oldest_ids(_to_take(user, community_id), 1, limit)
    special_ids: list[int] = []
    special_total = 0
    if special:
        special_ids, special_total, _ = _oldest_ids(_special(user, community_id), 1, limit)
    wanted = set(take_ids) | set(special_ids)
    by_id = (
        {
            o.pk: o
            for o in label_rows(_read_rows(WorkOrder.objects.filter(pk__in=wanted).order_by()))
        }
        if wanted
        else {}
    )
    take = Page([by_id[pk] for pk in take_ids], take_total, 1, limit)
    if not special:
        return take, None
    return take, Page([by_id[pk] for pk in special_ids], special_total, 1, limit)


def escalations(
    user: User, community_id: int, *, page: int = 1, limit: int = PAGE_SIZE
) -> Page[Clock]:
    """Breached clocks of the community not met or cancelled since, most recent breach first:
    for the office roles and leadership, who see every order of the community (others get
    none). A breach met late (a responder who arrived, a complaint taken, a call returned) or
    cancelled since stays on record (its clock, the order's timeline, the monthly report) but
    is no longer an escalation to act on: listed, it counted its overdue time on for ever. An
    order closed or cancelled since is history too."""
    if not has_role(user, community_id, OFFICE_ROLES | {Role.LEADERSHIP}):
        return Page([], 0, 1, limit)
    return page_of(
        Clock.objects.filter(LIVE, community_id=community_id, state=ClockState.BREACHED)
        .exclude(order__state__in=FINAL)
        .select_related("order", "contact")
        .order_by("-breached_at", "-id"),
        page=page,
        limit=limit,
    )


def open_rectifications(community_id: int) -> list[Rectification]:
    return list(
        Rectification.objects.filter(community_id=community_id, done_at__isnull=True)
        .select_related("order", "staff_member")
        .order_by("deadline", "id")
    )


def staff_record(community_id: int, staff_member_id: int) -> list[Rectification]:
    """CP-5: the rectifications on a staff member's record in a community, newest first."""
    return list(
        Rectification.objects.filter(community_id=community_id, staff_member_id=staff_member_id)
        .select_related("order", "set_by")
        .order_by("-set_at", "-id")
    )


def _through(qs: QuerySet[WorkOrder], **by: Any) -> QuerySet[WorkOrder]:
    """``qs`` kept to the orders that match ``by`` (a person's or a team's, in some states),
    found through the index on those columns. Written into ``qs`` directly, the community's
    (community, state) index looks as good to SQLite (no table statistics) as the
    (assignee, state) or (team, state) one, and it read every open order of the community to
    keep one member's: 4,000 rows at 100,000 orders, 41,000 at 1,000,000."""
    return qs.filter(pk__in=WorkOrder.objects.filter(**by).values("pk"))


def _urgent_page(
    qs: QuerySet[WorkOrder], page: int, limit: int, *, count_apart: bool = False
) -> Page[OrderRow]:
    """One page of ``qs`` (a person's or a team's open orders), emergencies first, nearest
    deadline next, oldest next, and how many in all. The page's ids first, then their rows:
    joining the rows before the sort made the database join every order to keep a page. How
    many in all comes with the page's ids (``_counted_page``): counted apart, each order was
    found twice through the index's subquery (a leader holding 9,851 at 1,000,000 orders).
    ``count_apart`` for a list empty most of the time (the team's pool): a count first, and
    no ordered read when it is 0 (PostgreSQL, expecting more, starts a parallel worker for it:
    5 ms for nothing)."""
    ordered = qs.annotate(emergency_first=_emergency_first(), next_due=_next_due()).order_by(
        "emergency_first", _by_deadline(), "created_at", "id"
    )
    if count_apart:
        total = qs.count()
        page, start = _clamp(total, page, limit)
        ids = list(ordered.values_list("pk", flat=True)[start : start + limit]) if total else []
    else:
        ids, total, page = _counted_page(ordered, page, limit)
    if not ids:
        return Page([], total, page, limit)
    by_id = {o.pk: o for o in _read_rows(WorkOrder.objects.filter(pk__in=ids).order_by())}
    return Page(label_rows([by_id[pk] for pk in ids if pk in by_id]), total, page, limit)


# A person's jobs are sorted by the database, each order asked for its nearest deadline, while
# they are few (tens in an office). Past this many open orders held (anywhere) they are found by
# walking the community's live clocks nearest first, as the board does: the repair leader of
# the bench holds 9,851 at 1,000,000 orders, and each was read by its key and asked for its
# deadline to keep 100 (45-53 ms of SQL). The walk reads about limit x (the community's live
# clocks / the person's jobs) clocks, so it wins only where the jobs are a good share of them,
# and only near the top: the clocks walked grow with the page, the database's sort does not
# (at 1,000,000 the leader's page 2 already took longer walked than sorted, page 10 4 times).
JOBS_WALK_FROM = 2000
JOBS_WALK_PAGES = 1


def my_jobs(
    user: User,
    community_id: int,
    *,
    page: int = 1,
    limit: int = PAGE_SIZE,
    walk_from: int = JOBS_WALK_FROM,
) -> Page[OrderRow]:
    """A team member's open jobs: assigned to them, emergencies first, nearest deadline next,
    oldest next. ``walk_from``: how many open orders held make the first page be found by
    walking the clocks (``JOBS_WALK_FROM``); both ways read the same rows in the same order."""
    qs = _through(
        work_orders_visible(user).filter(community_id=community_id),
        assignee_id=user.pk,
        state__in=OPEN,
    )
    # Which way to read, from the (assignee, state) index alone: a number that chooses the
    # route, never one shown (the scope is the visible orders' own count below).
    held = WorkOrder.objects.filter(assignee_id=user.pk, state__in=OPEN).order_by()
    if page > JOBS_WALK_PAGES or held[:walk_from].count() < walk_from:
        return _urgent_page(qs, page, limit)
    # Counted flat, the scope's columns and the person's in one WHERE: the (assignee, state,
    # community, team) index holds them all, so the count reads the index alone (through the
    # subquery each order was read by its key: 39,415 buffers at 1,000,000 orders).
    total = (
        work_orders_visible(user)
        .filter(community_id=community_id, assignee_id=user.pk, state__in=OPEN)
        .count()
    )
    page, start = _clamp(total, page, limit)
    # A person's jobs are a share of the community's clocks (the bench's leader: under half of
    # those walked): the first chunk four times the page, so that one read finds it.
    ids = (
        _board_ids(qs, community_id, start, start + limit, newest_first=False, sparse=True)
        if total
        else []
    )
    if not ids:
        return Page([], total, page, limit)
    by_id = {o.pk: o for o in _read_rows(WorkOrder.objects.filter(pk__in=ids).order_by())}
    return Page(label_rows([by_id[pk] for pk in ids if pk in by_id]), total, page, limit)


@dataclass
class MemberLoad:
    user: User
    open_orders: int
    on_duty: bool
    # Called to an emergency still open (EM-2: they are on their way or on site): not free to
    # take an order, so never the one recommended; a handled emergency no longer counts.
    on_emergency: bool = False


@dataclass
class TeamDesk:
    team: Team
    to_assign: list[OrderRow]  # one page of them, oldest first
    members: list[MemberLoad] = field(default_factory=list)
    suggested: MemberLoad | None = None
    total: int = 0  # all the team's orders to assign (the page may show fewer)
    page: int = 1
    limit: int = PAGE_SIZE

    @property
    def first(self) -> int:
        return (self.page - 1) * self.limit + 1 if self.to_assign else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.limit + len(self.to_assign)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def has_next(self) -> bool:
        return self.page * self.limit < self.total

    @property
    def more(self) -> bool:
        """More orders to assign than shown: worth a link to all of them."""
        return self.total > len(self.to_assign)


def team_desks(
    user: User, community_id: int, *, now: datetime, page: int = 1, limit: int = PAGE_SIZE
) -> list[TeamDesk]:
    """For a team leader: per team they lead, the orders waiting to be handed to someone
    (dispatched to the team, held by the leader or nobody; one page of ``limit``, oldest first,
    and how many in all), each member's open load and whether they are on duty now; the
    least-loaded member on duty is suggested."""
    teams = list(
        Team.objects.filter(community_id=community_id, leader=user).order_by("name")
        if not user.is_superuser
        else Team.objects.filter(community_id=community_id).order_by("name")
    )
    if not teams:
        return []
    team_ids = [t.pk for t in teams]
    # Waiting: returned, or dispatched and held by nobody or the leader. Asked as three
    # disjoint parts, each whole in one index ((team, state); (assignee, state, community,
    # team) twice), so both databases read the three and nothing else (PostgreSQL a BitmapOr,
    # SQLite a multi-index OR). Asked as "dispatched or returned" with the holder checked on
    # each row, the 5,607 orders dispatched to the bench's repair team at 1,000,000 orders
    # were each read by their key to keep 2,538 (35-45 ms).
    teams_orders = Q(community_id=community_id, team_id__in=team_ids)
    waiting = WorkOrder.objects.filter(
        (teams_orders & Q(state=State.RETURNED))
        | (teams_orders & Q(state=State.DISPATCHED, assignee__isnull=True))
        | (teams_orders & Q(state=State.DISPATCHED, assignee_id=user.pk))
    )
    # The keys of all waiting orders, oldest first, sorted by the database and only the keys
    # read back (a time read back costs a parse in Python: 2,538 of them, 13 ms, at 1,000,000).
    keys: dict[int, list[int]] = {t.pk: [] for t in teams}
    for team_id, pk in waiting.order_by(_sorted_here("created_at"), "id").values_list(
        "team_id", "pk"
    ):
        keys[team_id].append(pk)
    totals = {t.pk: len(keys[t.pk]) for t in teams}
    pages: dict[int, int] = {
        t.pk: min(max(1, page), max(1, -(-totals[t.pk] // limit))) for t in teams
    }
    shown: list[int] = []
    for team in teams:
        start = (pages[team.pk] - 1) * limit
        shown += keys[team.pk][start : start + limit]
    by_team: dict[int, list[OrderRow]] = {t.pk: [] for t in teams}
    for order in label_rows(
        _read_rows(WorkOrder.objects.filter(pk__in=shown).order_by("created_at", "id"))
    ):
        assert order.team_id is not None
        by_team[order.team_id].append(order)
    members: dict[int, list[User]] = {t.pk: [] for t in teams}
    for tm in (
        TeamMember.objects.filter(team_id__in=team_ids, user__is_active=True)
        .select_related("user")
        .order_by("user__name", "user_id")
    ):
        members[tm.team_id].append(tm.user)
    everyone = {u.pk for ms in members.values() for u in ms}
    # Counted flat, every column in the (assignee, state, community, team) index: it counts
    # them alone (through a subquery of keys, each order was read by its key: 3,069 at
    # 1,000,000 orders, 12-20 ms).
    loads = dict(
        WorkOrder.objects.filter(
            community_id=community_id, assignee_id__in=everyone, state__in=OPEN
        )
        .values("assignee_id")
        .annotate(n=Count("*"))
        .values_list("assignee_id", "n")
    )
    on_duty = set(
        DutyShift.objects.filter(
            team_id__in=team_ids, starts_at__lte=now, ends_at__gt=now
        ).values_list("team_id", "user_id")
    )
    busy = _on_open_emergency(everyone)
    desks = []
    for team in teams:
        rows = [
            MemberLoad(u, loads.get(u.pk, 0), (team.pk, u.pk) in on_duty, u.pk in busy)
            for u in members[team.pk]
        ]
        desks.append(
            TeamDesk(
                team,
                by_team[team.pk],
                rows,
                _least_loaded(rows),
                total=totals.get(team.pk, 0),
                page=pages[team.pk],
                limit=limit,
            )
        )
    return desks


def _on_open_emergency(user_ids: set[int] | list[int]) -> set[int]:
    """Which of ``user_ids`` are called to an emergency still open (incidents' Responder, read
    through the user's reverse relation: desk does not import incidents)."""
    if not user_ids:
        return set()
    return set(
        User.objects.filter(
            pk__in=list(user_ids), emergency_calls__emergency__state="open"
        ).values_list("pk", flat=True)
    )


def _least_loaded(rows: list[MemberLoad]) -> MemberLoad | None:
    """The member on duty with the fewest open orders (the lowest id on a tie), never one called
    to an open emergency."""
    candidates = [m for m in rows if m.on_duty and not m.on_emergency]
    return min(candidates, key=lambda m: (m.open_orders, m.user.pk), default=None)


def suggested_assignee(order: WorkOrder, now: datetime) -> int | None:
    """Whom the console preselects when an order is handed to a member: the least-loaded member
    of its team on duty now (None for a complaint, or when nobody of the team is on duty)."""
    if order.kind == OrderKind.COMPLAINT or order.team_id is None:
        return None
    members = list(
        TeamMember.objects.filter(team_id=order.team_id, user__is_active=True).select_related(
            "user"
        )
    )
    ids = [tm.user_id for tm in members]
    loads = dict(
        WorkOrder.objects.filter(assignee_id__in=ids, state__in=OPEN)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    duty = set(
        DutyShift.objects.filter(
            team_id=order.team_id, starts_at__lte=now, ends_at__gt=now
        ).values_list("user_id", flat=True)
    )
    busy = _on_open_emergency(ids)
    best = _least_loaded(
        [
            MemberLoad(tm.user, loads.get(tm.user_id, 0), tm.user_id in duty, tm.user_id in busy)
            for tm in members
        ]
    )
    return best.user.pk if best else None


def team_pool(
    user: User, community_id: int, *, page: int = 1, limit: int = PAGE_SIZE
) -> Page[OrderRow]:
    """Orders waiting in the pools of the user's teams (a team, nobody yet), emergencies first,
    nearest deadline next, for members to take (抢单) where the community's policy lets them."""
    if not load_policy(Community.objects.get(pk=community_id).policy).dispatch.pool:
        return Page([], 0, 1, limit)
    # Nobody's, asked inside the index's subquery: outside it, the database read every order
    # dispatched to the team (9,181 at 1,000,000 orders) to keep the few nobody holds yet.
    qs = _through(
        work_orders_visible(user).filter(community_id=community_id),
        team_id__in=list(user_team_ids(user)),
        state=State.DISPATCHED,
        assignee__isnull=True,
    )
    return _urgent_page(qs, page, limit, count_apart=True)


def assignee_candidates(order: WorkOrder) -> list[User]:
    """Who may take ``order``, as the desk's dispatch and assign accept them: an administrator
    or the office head for a complaint (CP-1), else the team's leader and its members."""
    if order.kind == OrderKind.COMPLAINT:
        return list(
            staff_with_roles(order.community_id, [Role.ADMINISTRATOR, Role.OFFICE_HEAD]).order_by(
                "name", "id"
            )
        )
    if order.team is None:
        return []
    people = list(order.team.members.filter(is_active=True).order_by("name", "id"))
    if order.team.leader is not None and order.team.leader not in people:
        people.insert(0, order.team.leader)
    return people
