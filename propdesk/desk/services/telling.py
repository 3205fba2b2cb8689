"""Who is told of what happens to work orders and contacts, and with which link.

The policy's ``notify`` section names, for each event of the desk (policy.rules.NOTIFY_EVENTS),
the recipients (administrator_on_duty, team_leader, assignee …) and who is told instead when they
find nobody. Each notification carries the link its recipient opens: the order page for office
staff, the phone job page for team members, the contact page for an agitated visitor; a
recipient who could not open it is not sent a broken link (logged instead).

Issue 15: the request that causes an event writes one ``Announcement`` row in its transaction
(``tell_about_order``, ``tell_about_contact``) and resolves nobody. The worker's ``desk.tell``
job (``announcements_tell``) takes pending rows in batches, resolves the recipients as of the
row's ``created_at`` (the duty roster and the cap window of the event, not of the processing),
and writes the notifications (notify.services.notifications_create) in one transaction with
marking the row done. A row whose processing fails is rolled back alone and tried again on the
next tick; the notifications' dedupe keys (cause, recipient) keep a re-run from telling twice.
Emergencies call their own people inline (incidents) and never come here.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from propdesk.community.access import preload_access
from propdesk.community.models import Community, DutyShift, TeamMember, User
from propdesk.community.selectors import members_with_role, on_duty, user_roles
from propdesk.core.bulk import insert_many
from propdesk.desk.models import Announcement, ComplaintType, Contact, OrderKind, WorkOrder
from propdesk.desk.rating_links import rating_link
from propdesk.desk.selectors import contacts_visible, order_visible_to, staff_title
from propdesk.notify.cap import CapTally
from propdesk.notify.residents import resident_message_queue
from propdesk.notify.services import notifications_create
from propdesk.policy.rules import Policy, load_policy
from propdesk.policy.workflow import OFFICE_ROLES, TEAM_WORK_KINDS, Role

log = logging.getLogger(__name__)

# One batch is one write transaction. On SQLite it holds the database's one write lock, which
# every web create waits for: the batch reads before it (_tell_rows), and a batch of 50 holds the
# lock ~10 ms (10: ~5.5 ms, for 2.7 times the worker's CPU per row; bench/RESULTS.md, "The
# worker's batch reads before it writes"). PostgreSQL locks rows only.
ANNOUNCE_BATCH_SIZE = 50
ANNOUNCE_TICK_BUDGET_SECONDS = 2.0
ANNOUNCE_MAX_ATTEMPTS = 10  # then the row stays undone with its last_error (each failure logged)
MAX_ERROR = 2000
_PENDING = {"done_at__isnull": True, "attempts__lt": ANNOUNCE_MAX_ATTEMPTS}

# Announcements the policy's ``notify`` does not decide: the event written by the request, who
# the worker tells (every active holder of the role in the community), and the kind of their
# notification. CP-5: the named staff member's account is in → every office head, as a
# complaint for the head. RV-4: an owner not satisfied on a return visit or a rating → every
# office head. CS-2: a concierge request with nobody on duty → every concierge.
ATTITUDE_ACCOUNT = "attitude_account"
DISSATISFIED = "dissatisfied"
CONCIERGE_REQUEST = "concierge_request"  # to the concierge on duty (recipient_ids)
CONCIERGE_REQUEST_OPEN = "concierge_request_open"
FIXED_RECIPIENTS: dict[str, tuple[Role, str]] = {
    ATTITUDE_ACCOUNT: (Role.OFFICE_HEAD, "complaint_to_head"),
    DISSATISFIED: (Role.OFFICE_HEAD, "dissatisfied"),
    CONCIERGE_REQUEST_OPEN: (Role.CONCIERGE, CONCIERGE_REQUEST),
}


@dataclass
class _Batch:
    """What one batch of the worker reads once: each community's policy and role holders, the
    users it names (active or not), and (when ``span`` is set: the earliest and latest time the
    batch resolves at) each community's duty shifts running at some moment of the span and each
    team's members."""

    policies: dict[int, Policy] = field(default_factory=dict)
    roles: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    active: dict[int, bool] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    span: tuple[datetime, datetime] | None = None
    shifts: dict[int, list[tuple[datetime, int, datetime, int, int]]] = field(default_factory=dict)
    team_members: dict[int, set[int]] = field(default_factory=dict)

    def on_duty(
        self, community_id: int, at: datetime, team_id: int | None = None
    ) -> list[tuple[int, int]]:
        """community.selectors.on_duty(community_id, at) — or, with ``team_id``, of that team and
        its members only — answered from one read per community for the whole batch: the same
        (team id, user id) pairs in the same order (starts_at, id)."""
        if self.span is None or not self.span[0] <= at <= self.span[1]:
            if team_id is None:
                return list(on_duty(community_id, at))
            return list(on_duty(community_id, at, [team_id], members_of=team_id))
        if community_id not in self.shifts:
            first, last = self.span
            self.shifts[community_id] = sorted(
                (starts, sid, ends, tid, uid)
                for sid, tid, uid, starts, ends in DutyShift.objects.filter(
                    team__community_id=community_id,
                    starts_at__lte=last,
                    ends_at__gt=first,
                    user__is_active=True,
                ).values_list("id", "team_id", "user_id", "starts_at", "ends_at")
            )
        members: set[int] | None = None
        if team_id is not None:
            if team_id not in self.team_members:
                self.team_members[team_id] = set(
                    TeamMember.objects.filter(team_id=team_id).values_list("user_id", flat=True)
                )
            members = self.team_members[team_id]
        return [
            (tid, uid)
            for starts, _sid, ends, tid, uid in self.shifts[community_id]
            if starts <= at < ends
            and (team_id is None or (tid == team_id and members is not None and uid in members))
        ]

    def policy(self, community: Community) -> Policy:
        if community.pk not in self.policies:
            self.policies[community.pk] = load_policy(community.policy)
        return self.policies[community.pk]

    def members(self, community_id: int, role: Role) -> list[int]:
        key = (community_id, str(role))
        if key not in self.roles:
            self.roles[key] = members_with_role(community_id, role)
        return self.roles[key]

    def keep_active(self, ids: Iterable[int]) -> set[int]:
        return set(self.active_users(ids))

    def active_users(self, ids: Iterable[int]) -> dict[int, User]:
        """The active users of ``ids``, each read once for the batch (whom a policy names, then
        the same people told)."""
        ids = list(ids)
        missing = [uid for uid in ids if uid not in self.active]
        if missing:
            for user in User.objects.filter(pk__in=missing, is_active=True):
                self.users[user.pk] = user
            for uid in missing:
                self.active[uid] = uid in self.users
        return {uid: self.users[uid] for uid in ids if self.active[uid]}


def recipients(
    event: str,
    *,
    community: Community,
    now: datetime,
    order: WorkOrder | None = None,
    batch: _Batch | None = None,
) -> list[int]:
    """The ids of the active staff the policy tells of ``event`` at ``now`` (in policy order,
    each once)."""
    batch = batch or _Batch()
    rule = batch.policy(community).notify.get(event)
    if rule is None:
        return []
    found = _resolve(rule.to, community=community, now=now, order=order, batch=batch)
    if not found:
        found = _resolve(rule.otherwise, community=community, now=now, order=order, batch=batch)
    return found


def _resolve(
    names: Iterable[str],
    *,
    community: Community,
    now: datetime,
    order: WorkOrder | None,
    batch: _Batch,
) -> list[int]:
    out: dict[int, None] = {}
    for name in names:
        for uid in _one(name, community=community, now=now, order=order, batch=batch):
            out.setdefault(uid, None)
    if not out:
        return []
    active = batch.keep_active(out)
    return [uid for uid in out if uid in active]


def _one(
    name: str, *, community: Community, now: datetime, order: WorkOrder | None, batch: _Batch
) -> list[int]:
    cid = community.pk
    if name == "office_head":
        return batch.members(cid, Role.OFFICE_HEAD)
    if name == "administrator":
        return batch.members(cid, Role.ADMINISTRATOR)
    if name == "administrator_on_duty":
        admins = set(batch.members(cid, Role.ADMINISTRATOR))
        return [uid for _tid, uid in batch.on_duty(cid, now) if uid in admins]
    if order is None:
        return []
    if name == "assignee":
        return [order.assignee_id] if order.assignee_id else []
    if order.team_id is None:
        return []
    if name == "team_leader":
        leader = order.team.leader_id if order.team else None
        return [leader] if leader else []
    if name == "team_on_duty":
        return [uid for _tid, uid in batch.on_duty(cid, now, order.team_id)]
    raise ValueError(f"unknown recipient {name}")


def order_link(user: User, order: WorkOrder) -> str:
    """Where ``user`` acts on ``order``: the phone job page for team staff, else the order page."""
    roles = user_roles(user, order.community_id)
    if roles & OFFICE_ROLES or not roles & {Role.TEAM_LEADER, Role.TEAM_MEMBER}:
        return reverse("desk-order", args=[order.pk])
    return reverse("desk-job", args=[order.pk])


def tell_about_order(
    event: str,
    *,
    order: WorkOrder,
    now: datetime,
    cause: str,
    title: str,
    recipient_ids: Iterable[int] | None = None,
    exclude: Iterable[int] = (),
    payload: dict[str, Any] | None = None,
) -> None:
    """Announce ``event`` of ``order`` at ``now``: the worker tells the policy's recipients (or
    ``recipient_ids``, or FIXED_RECIPIENTS' role), but never those in ``exclude``, each with the
    link they can open; ``payload``: more for the notification to carry. Call it in the
    transaction of the change; it writes one row and reads nothing. Nothing reads the row back
    in the transaction (the worker reads it after the commit), so on PostgreSQL it rides with the
    transaction's next write, or with its COMMIT (``insert_many(…, defer=True)``)."""
    insert_many(
        Announcement,
        _ANNOUNCE_FIELDS,
        [
            (
                order.community_id,
                event,
                order.pk,
                order.team_id,
                order.assignee_id,
                cause,
                title,
                sorted(set(exclude)),
                None if recipient_ids is None else list(recipient_ids),
                payload,
                now,
            )
        ],
        defer=True,
    )


_ANNOUNCE_FIELDS = (
    "community",
    "event",
    "order",
    "team_id_then",
    "assignee_id_then",
    "cause",
    "title",
    "exclude",
    "recipient_ids",
    "payload",
    "created_at",
)


def tell_staff(
    event: str,
    *,
    community_id: int,
    now: datetime,
    cause: str,
    title: str,
    payload: dict[str, Any],
    recipient_ids: Iterable[int] | None = None,
) -> Announcement:
    """Announce ``event`` of something neither an order nor a contact (a concierge request):
    the worker tells ``recipient_ids``, or every active holder of FIXED_RECIPIENTS' role, with
    ``payload`` (its link in ``url``). Call it in the transaction of the change; it writes one
    row and reads nothing."""
    if recipient_ids is None and event not in FIXED_RECIPIENTS:
        raise ValueError(f"{event}: whom to tell is neither given nor fixed")
    return Announcement.objects.create(
        community_id=community_id,
        event=event,
        cause=cause,
        title=title,
        recipient_ids=None if recipient_ids is None else list(recipient_ids),
        payload=payload,
        created_at=now,
    )


def tell_about_contact(
    event: str, *, contact: Contact, now: datetime, cause: str, title: str
) -> Announcement:
    """Announce ``event`` of a front-desk contact (FD-4): the worker tells the policy's
    recipients, linked to the contact's page."""
    return Announcement.objects.create(
        community_id=contact.community_id,
        event=event,
        contact=contact,
        cause=cause,
        title=title,
        created_at=now,
    )


# --- the worker's side ---------------------------------------------------------------------------


def _order_recipients(a: Announcement, order: WorkOrder, batch: _Batch) -> list[int]:
    if a.recipient_ids is not None:
        ids = list(a.recipient_ids)
    elif a.event in FIXED_RECIPIENTS:
        ids = batch.members(order.community_id, FIXED_RECIPIENTS[a.event][0])
    else:
        ids = recipients(
            a.event, community=order.community, now=a.created_at, order=order, batch=batch
        )
    skip = set(a.exclude or ())
    if a.event == "complaint_created" and for_the_head(order):
        # The head hears of a written, important or attitude complaint as that (complaint_to_head,
        # the more specific), not also as a new complaint when no administrator is on duty.
        skip.update(batch.members(order.community_id, Role.OFFICE_HEAD))
    return [uid for uid in ids if uid not in skip]


def for_the_head(order: WorkOrder) -> bool:
    """CP-3, CP-4, CP-5: the complaints the head is told of themselves (tell_head)."""
    return order.kind == OrderKind.COMPLAINT and (
        order.is_important
        or order.complaint_type in (ComplaintType.WRITTEN, ComplaintType.ATTITUDE)
    )


def _tell_order(
    a: Announcement,
    order: WorkOrder,
    ids: list[int],
    users: dict[int, User],
    batch: _Batch,
    tally: CapTally | None,
) -> list[int]:
    by_link: dict[str, list[int]] = {}
    for uid in ids:
        user = users.get(uid)
        if user is None:
            continue
        if not order_visible_to(user, order):
            log.warning("not telling %s of %s: they cannot open order %s", uid, a.event, order.pk)
            continue
        by_link.setdefault(order_link(user, order), []).append(uid)
    told: list[int] = []
    for url, group in by_link.items():
        payload = {"order": order.pk, "number": order.number, "url": url, **(a.payload or {})}
        _notify(a, order.community, group, payload, batch, tally)
        told += group
    return told


def _notify(
    a: Announcement,
    community: Community,
    recipient_ids: list[int],
    payload: dict[str, Any],
    batch: _Batch,
    tally: CapTally | None,
) -> None:
    """The announcement's in-app notification to ``recipient_ids``, in its words, at its time,
    under the community's cap: the kind is the event's, or a fixed recipient's own kind."""
    notifications_create(
        community_id=community.pk,
        recipient_ids=recipient_ids,
        cause=a.cause,
        kind=FIXED_RECIPIENTS[a.event][1] if a.event in FIXED_RECIPIENTS else a.event,
        title=a.title,
        payload=payload,
        now=a.created_at,
        cap=batch.policy(community).notify_cap,
        tally=tally,
    )


def _tell_given(a: Announcement, batch: _Batch, tally: CapTally | None) -> list[int]:
    """An announcement of neither an order nor a contact: its given recipients, or its fixed
    role's active holders, each told with the announcement's own payload."""
    if a.recipient_ids is not None:
        ids = list(a.recipient_ids)
    else:
        ids = batch.members(a.community_id, FIXED_RECIPIENTS[a.event][0])
    skip = set(a.exclude or ())
    active = batch.keep_active([uid for uid in ids if uid not in skip])
    told = [uid for uid in dict.fromkeys(ids) if uid in active]
    if told:
        _notify(a, a.community, told, dict(a.payload or {}), batch, tally)
    return told


def _tell_contact(
    a: Announcement, contact: Contact, batch: _Batch, tally: CapTally | None
) -> list[int]:
    ids = recipients(a.event, community=contact.community, now=a.created_at, batch=batch)
    url = reverse("desk-contact", args=[contact.pk])
    allowed = [
        u.pk
        for u in User.objects.filter(pk__in=ids, is_active=True)
        if contacts_visible(u).filter(pk=contact.pk).exists()
    ]
    if allowed:
        _notify(a, contact.community, allowed, {"contact": contact.pk, "url": url}, batch, tally)
    return allowed


# What telling reads of an order (who is told, and the link and words they get): the rest of
# its columns are left unread by the batch's rows (a row's order is never saved here).
_ORDER_READ = {"id", "community", "number", "team", "assignee"}
_ORDER_DEFERRED = [
    f"order__{f.name}" for f in WorkOrder._meta.concrete_fields if f.name not in _ORDER_READ
]


def _locked(qs: Any) -> Any:
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs  # SQLite: the transaction holds the one write lock from BEGIN (IMMEDIATE)


def _pending_ids(limit: int, *, lock: bool = True) -> list[int]:
    """The oldest pending rows' ids, at most ``limit``; with ``lock``, locked for this
    transaction on PostgreSQL (``FOR UPDATE SKIP LOCKED``). On SQLite read through
    ``announce_pending`` by name: its planner, with a small table's statistics, otherwise walks
    another index and sorts; an index renamed or dropped is then an error, not a slow job."""
    if connection.vendor == "sqlite":
        table = connection.ops.quote_name(Announcement._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {table} INDEXED BY announce_pending"  # noqa: S608 (a model's table)
                " WHERE done_at IS NULL AND attempts < %s ORDER BY id LIMIT %s",
                [ANNOUNCE_MAX_ATTEMPTS, limit],
            )
            return [row[0] for row in cursor.fetchall()]
    pending = Announcement.objects.filter(**_PENDING).order_by("id")
    if lock:
        pending = _locked(pending)
    return list(pending.values_list("id", flat=True)[:limit])


def _failed(a: Announcement, exc: Exception) -> None:
    log.exception("telling %s (announcement %s) failed; tried again next tick", a.cause, a.pk)
    Announcement.objects.filter(pk=a.pk).update(
        attempts=F("attempts") + 1, last_error=(str(exc) or type(exc).__name__)[:MAX_ERROR]
    )


class _RowFailed(Exception):
    """A row failed in a batch run without savepoints: the batch is rolled back and run again
    with one savepoint per row, this row counted as failed (``known``)."""

    def __init__(self, pk: int, exc: Exception) -> None:
        super().__init__(pk)
        self.pk, self.exc = pk, exc


def _tell_batch(now: datetime, batch_size: int) -> tuple[int, int]:
    """One batch in one transaction: each row's notifications and its ``done_at`` together; a
    row that fails is rolled back alone and counted as an attempt. Returns how many rows were
    taken and how many of them failed.

    First without a savepoint per row (two statements less per row and phase); when a row
    fails, that transaction is rolled back whole and the batch is run again with a savepoint
    per row, the failed row counted as failed without being tried again in this tick (and the
    rows after it told), as if every row had had its savepoint from the start."""
    known: dict[int, Exception] = {}
    while True:
        try:
            return _tell_rows(now, batch_size, known, savepoints=bool(known))
        except _RowFailed as failed:
            known[failed.pk] = failed.exc


@dataclass
class _Plan:
    """What a batch read before it writes: its rows (with their orders and communities), what
    it read once (``batch``), each order row's recipients (``wanted``) and those users."""

    rows: list[Announcement]
    batch: _Batch
    wanted: dict[int, list[int]]
    users: dict[int, User]


def _plan_rows(
    ids: list[int], known: dict[int, Exception], row_failed: Any, each_row: Any
) -> _Plan:
    """The batch's reads: the rows of ``ids``, their communities, who each order row tells as
    of its event, and those users with their roles. Writes nothing."""
    # Only outer joins, which SQLite plans from the announcement; the rows' own communities
    # (a handful) read apart: as an inner join it could drive the plan again. So are their
    # orders' (the same ones: read once, not once per row), and of an order only what
    # telling reads (_ORDER_READ).
    rows = list(
        Announcement.objects.filter(pk__in=ids)
        .select_related("order__team", "contact__community")
        .defer(*_ORDER_DEFERRED)
        .order_by("id")
    )
    communities = Community.objects.in_bulk(
        {a.community_id for a in rows} | {a.order.community_id for a in rows if a.order}
    )
    for a in rows:
        a.community = communities[a.community_id]
        if a.order is not None:
            a.order.community = communities[a.order.community_id]
    times = [a.created_at for a in rows]
    batch = _Batch(span=(min(times), max(times)) if times else None)
    wanted: dict[int, list[int]] = {}
    for a in rows:
        if a.order is None:
            continue
        order = a.order
        # Who is told is decided by the order as it was at the event.
        order.team_id = a.team_id_then
        order.assignee_id = a.assignee_id_then
        try:
            if a.pk in known:
                raise known[a.pk]
            with each_row():
                wanted[a.pk] = _order_recipients(a, order, batch)
        except Exception as exc:
            row_failed(a, exc)
    users = batch.active_users({uid for ids in wanted.values() for uid in ids})
    preload_access(users.values())
    return _Plan(rows, batch, wanted, users)


def _still_pending(ids: list[int]) -> set[int]:
    """Those of ``ids`` not yet done, read inside the write transaction: on SQLite the batch's
    rows were read before it, and another worker may have told them meanwhile."""
    return set(
        Announcement.objects.filter(pk__in=ids, done_at__isnull=True).values_list("id", flat=True)
    )


def _tell_rows(
    now: datetime, batch_size: int, known: dict[int, Exception], *, savepoints: bool
) -> tuple[int, int]:
    def row_failed(a: Announcement, exc: Exception) -> None:
        if not savepoints:
            raise _RowFailed(a.pk, exc) from exc
        _failed(a, exc)

    def each_row() -> Any:
        # A savepoint only inside the transaction (SQLite's reads before it have none to undo).
        in_transaction = connection.in_atomic_block
        return transaction.atomic() if savepoints and in_transaction else contextlib.nullcontext()

    plan: _Plan | None = None
    if connection.vendor == "sqlite":
        # SQLite has one write lock, taken at BEGIN: the batch reads and decides before it, and
        # the transaction holds the lock for the writes (and the cap's reads, which must see
        # what the batch writes). Each web create waits for this lock (bench/RESULTS.md, "The
        # worker's batch holds the write lock for its writes").
        ids = _pending_ids(batch_size)
        if not ids:
            return 0, 0
        plan = _plan_rows(ids, known, row_failed, each_row)
    with transaction.atomic():
        if plan is None:
            # PostgreSQL: the batch's rows are claimed first (FOR UPDATE SKIP LOCKED), so that
            # another worker takes others; it locks those rows only.
            ids = _pending_ids(batch_size)
            if not ids:
                return 0, 0
            plan = _plan_rows(ids, known, row_failed, each_row)
        else:
            pending = _still_pending(ids)
            plan.rows = [a for a in plan.rows if a.pk in pending]
        rows, batch, wanted, users = plan.rows, plan.batch, plan.wanted, plan.users
        # The cap's counts and summaries read once for the batch; not with savepoints, which
        # would undo rows the tally still counts.
        tally = (
            None
            if savepoints
            else CapTally(batch.span or (now, now), causes=[a.cause for a in rows])
        )
        if tally is not None:
            tally.recipient_ids = {uid for a in rows for uid in wanted.get(a.pk, ())}
        done: list[int] = []
        for a in rows:
            try:
                if a.pk in known and a.order is None:
                    raise known[a.pk]
                with each_row():
                    if a.order is not None:
                        if a.pk not in wanted:
                            continue  # failed above
                        _tell_order(a, a.order, wanted[a.pk], users, batch, tally)
                    elif a.contact is not None:
                        _tell_contact(a, a.contact, batch, tally)
                    else:
                        _tell_given(a, batch, tally)
            except Exception as exc:
                row_failed(a, exc)
                continue
            done.append(a.pk)
        if tally is not None:
            tally.flush()
        Announcement.objects.filter(pk__in=done).update(done_at=now)
    return len(rows), len(rows) - len(done)


def announcements_tell(
    *,
    now: datetime,
    batch_size: int | None = None,
    budget_seconds: float = ANNOUNCE_TICK_BUDGET_SECONDS,
) -> int:
    """Tell the staff of the pending announcements, batch by batch, until none is left or
    ``budget_seconds`` of real time have gone. ``now`` (aware) is only when a row was done; who
    is told, and the notifications' time, are each row's own ``created_at``. Safe with any
    number of workers at once (``FOR UPDATE SKIP LOCKED`` on PostgreSQL). A row that failed is
    tried again on the next call (the next tick), not in this one. Returns how many rows were
    taken."""
    size = batch_size or ANNOUNCE_BATCH_SIZE
    if not _pending_ids(1, lock=False):
        return 0  # nothing pending: one read, no transaction (on SQLite no write lock)
    started = time.monotonic()
    taken = 0
    sqlite = connection.vendor == "sqlite"
    while time.monotonic() - started < budget_seconds:
        began = time.monotonic()
        n, failed = _tell_batch(now, size)
        taken += n
        if n < size or failed:
            break
        if sqlite:
            # Leave the one write lock free as long as the batch held it: web requests waiting
            # on it (SQLite's busy wait polls) get in instead of starving behind a backlog.
            time.sleep(time.monotonic() - began)
    return taken


# --- retention --------------------------------------------------------------------------------

# One batch is one short write transaction (a DELETE by primary key). On SQLite it holds the one
# write lock: a batch of 200 done rows holds it ~2 ms (median; 1000 rows 14–35 ms, bench/purge.py),
# and the job leaves it free as long again between batches. PostgreSQL locks only those rows.
PURGE_BATCH_SIZE = 1000
PURGE_BATCH_SIZE_SQLITE = 200
PURGE_TICK_BUDGET_SECONDS = 1.0


def announcements_purge(
    *,
    now: datetime,
    batch_size: int | None = None,
    budget_seconds: float = PURGE_TICK_BUDGET_SECONDS,
) -> int:
    """Delete the announcements done longer ago than settings.ANNOUNCEMENT_RETENTION_DAYS
    before ``now`` (one done exactly that long ago is kept), oldest first, batch by batch, until
    none is left or ``budget_seconds`` of real time have gone. Pending rows and rows given up on
    (``done_at`` empty, their ``last_error`` kept) are never deleted: nothing else records that
    the staff were not told. The notifications the rows wrote stay. Returns how many rows were
    deleted."""
    size = batch_size or (
        PURGE_BATCH_SIZE_SQLITE if connection.vendor == "sqlite" else PURGE_BATCH_SIZE
    )
    cutoff = now - timedelta(days=settings.ANNOUNCEMENT_RETENTION_DAYS)
    old = Announcement.objects.filter(done_at__isnull=False, done_at__lt=cutoff)
    started = time.monotonic()
    deleted = 0
    sqlite = connection.vendor == "sqlite"
    while time.monotonic() - started < budget_seconds:
        # Read first (no write lock): a tick with nothing old enough is one index probe.
        ids = list(old.order_by("done_at", "id").values_list("id", flat=True)[:size])
        if not ids:
            break
        began = time.monotonic()
        with transaction.atomic():
            n, _rows = Announcement.objects.filter(pk__in=ids, done_at__lt=cutoff).delete()
        deleted += n
        if len(ids) < size:
            break
        if sqlite:
            time.sleep(time.monotonic() - began)  # leave the write lock free as long again
    return deleted


def tell_after_action(
    order: WorkOrder,
    action: str,
    *,
    by: User,
    now: datetime,
    note: str,
    flags: dict[str, bool],
    was: int | None,
) -> None:
    """Tell the people who must act now (the policy's ``notify``); never the actor. An
    emergency calls its own people on every channel (incidents), so nothing more here."""
    if order.complaint_type == ComplaintType.EMERGENCY:
        return
    who = by.name or by.username
    cause = f"order:{order.pk}:v{order.version}:{action}"
    text = order.description[:60]
    if action in ("dispatch", "assign", "transfer") and order.assignee_id:
        title = (
            _("%(who)s transferred %(number)s to you: %(reason)s")
            if action == "transfer"
            else _("%(who)s dispatched %(number)s to you: %(text)s")
        )
        tell_about_order(
            "order_assigned",
            order=order,
            now=now,
            cause=cause,
            title=title % {"who": who, "number": order.number, "text": text, "reason": note},
            exclude=[by.pk],
        )
    elif action == "dispatch" and order.team_id:
        tell_routed(order, now=now, cause=cause, exclude=[by.pk])
    elif action == "return":
        tell_about_order(
            "order_returned",
            order=order,
            now=now,
            cause=cause,
            title=_("%(who)s gave back %(number)s: %(reason)s")
            % {"who": who, "number": order.number, "reason": note},
            exclude=[by.pk],
        )
    elif action == "cancel" and was:
        tell_about_order(
            "order_cancelled",
            order=order,
            now=now,
            cause=cause,
            title=_("%(number)s was cancelled: %(reason)s")
            % {"number": order.number, "reason": note},
            recipient_ids=[was],
            exclude=[by.pk],
        )
    elif action == "flag" and flags.get("is_important") and order.kind == OrderKind.COMPLAINT:
        tell_head(order, now=now, exclude=[by.pk])
    elif action == "mark_urgent":
        # 急修 marked later: whoever has it (and the leader) must hurry (DS-1-arrival, when on).
        tell_about_order(
            "order_urgent",
            order=order,
            now=now,
            cause=cause,
            title=_("%(who)s marked %(number)s as an urgent repair: %(text)s")
            % {"who": who, "number": order.number, "text": note or text},
            exclude=[by.pk],
        )


def kind_display(kind: str) -> str:
    """What ``WorkOrder.get_kind_display()`` gives (the kind's label in the active language, the
    stored value itself when it is no kind), from the enum: get_FOO_display() rebuilds and
    hashes every lazy choice label on each call, and every routed order's announcement asks."""
    return str(OrderKind(kind).label) if kind in _KIND_VALUES else kind


_KIND_VALUES = frozenset(OrderKind.values)


def tell_routed(order: WorkOrder, *, now: datetime, cause: str, exclude: list[int]) -> None:
    """A repair or housekeeping order reached its team's pool: the leader and the members on
    duty hear of it."""
    tell_about_order(
        "order_routed",
        order=order,
        now=now,
        cause=cause,
        title=_("New %(kind)s %(number)s for %(team)s: %(text)s")
        % {
            "kind": kind_display(order.kind),
            "number": order.number,
            "team": order.team.name if order.team else "",
            "text": order.description[:60],
        },
        exclude=exclude,
    )


def tell_head(order: WorkOrder, *, now: datetime, exclude: list[int] | None = None) -> None:
    """CP-3, CP-4, CP-5: a written, important or service-attitude complaint goes to the head,
    at creation or when it is marked important later."""
    what = (
        _("Important complaint")
        if order.is_important
        else ComplaintType(order.complaint_type).label
    )
    tell_about_order(
        "complaint_to_head",
        order=order,
        now=now,
        cause=f"complaint-to-head:{order.pk}" + (":important" if order.is_important else ""),
        title=_("%(what)s %(number)s: %(text)s")
        % {"what": what, "number": order.number, "text": order.description[:60]},
        exclude=exclude or [],
    )


# --- the resident (issue 13) ---------------------------------------------------------------------

# The actions a resident hears of by text message, by what the message says.
RESIDENT_MESSAGE_ACTIONS = {
    "dispatch": "dispatched",  # 派单 (to a person; to a team's pool it waits for one)
    "assign": "dispatched",
    "claim": "dispatched",
    "take": "dispatched",
    "transfer": "dispatched",
    "check_in": "arrived",  # 到场
    "resolve": "completed",  # 完工 (a complaint: 办结)
}
_MOBILE = re.compile(r"^1\d{10}$")
# The office's own kinds, handled to the end (办结) at the desk: no one comes to the door.
OFFICE_KINDS = frozenset({OrderKind.SUGGESTION.value, OrderKind.CONSULTATION.value})


def portal_link(path: str) -> str:
    """An address a resident can open from a text message: settings.PORTAL_BASE_URL + path."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _resident_kind(order: WorkOrder) -> str:
    """The order's kind in a sentence to the resident: 报修, or 投诉（一般投诉） (the console's
    "投诉 · 一般投诉" is a list's cell, not words in a sentence)."""
    if order.kind == OrderKind.COMPLAINT and order.complaint_type in ComplaintType.values:
        return _("%(kind)s (%(type)s)") % {
            "kind": kind_display(order.kind),
            "type": ComplaintType(order.complaint_type).label,
        }
    return order.kind_label


def tell_resident(order: WorkOrder, action: str, *, now: datetime) -> bool:
    """派单, 到场 and 完工 of ``order``: a text message to its reporter's mobile with the link to
    the order in the portal (the 完工 message links the rating page), written to the outbox in
    this transaction, once per event (the cause is the order's version and the action). Returns
    whether a message was written. An emergency, a landline or no number: nothing."""
    kind = RESIDENT_MESSAGE_ACTIONS.get(action)
    if kind is None or order.is_emergency or not _MOBILE.match(order.reporter_phone or ""):
        return False
    if kind == "arrived" and order.kind in OFFICE_KINDS:
        return False  # a suggestion or a consultation is answered, nobody comes to the door
    if kind == "dispatched" and order.assignee is None:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "community": order.community.name,
            "number": order.number,
            "kind": _resident_kind(order),
            "who": "",
            "url": portal_link(reverse("portal:order", args=[order.pk])),
        }
        if order.assignee is not None:
            person = order.assignee
            values["who"] = f"{staff_title(person, order)} {person.name or person.username}"
        if kind == "dispatched":
            text = _(
                "[%(community)s] Your %(kind)s %(number)s was dispatched: %(who)s will handle "
                "it. Follow it: %(url)s"
            )
        elif kind == "arrived":
            text = _("[%(community)s] %(who)s has arrived for your %(kind)s %(number)s: %(url)s")
        else:
            if order.kind == OrderKind.COMPLAINT:
                text = _(
                    "[%(community)s] Your complaint %(number)s was handled to the end: %(url)s"
                )
            elif order.kind in OFFICE_KINDS:
                # 办结, as its page says; no rating: only a repair or a housekeeping job is
                # rated (RV-6, RV-2); a suggestion is answered in writing (RV-5).
                text = _("[%(community)s] Your %(kind)s %(number)s was handled to the end: %(url)s")
            elif order.kind not in TEAM_WORK_KINDS:
                text = _("[%(community)s] Your %(kind)s %(number)s is completed: %(url)s")
            else:
                # The one-tap rating link: it opens the rating page before sign-in.
                path = rating_link(order, order.reporter_phone, now)
                values["url"] = portal_link(path)
                text = _(
                    "[%(community)s] Your %(kind)s %(number)s is completed. Please rate our "
                    "service: %(url)s"
                )
        message = text % values
    return resident_message_queue(
        community_id=order.community_id,
        phone=order.reporter_phone,
        cause=f"order:{order.pk}:v{order.version}:{action}",
        kind=kind,
        text=message,
        now=now,
        order_id=order.pk,
    )
