"""Issue 15: the staff hear of a work order's events from the worker, not in the request.

A create or an action writes one announcement in its transaction and asks nothing of rosters,
roles or caps; the worker's ``desk.tell`` job tells the same people, with the same links, as of
the event's time (the duty roster then, not when the job runs), once, even after a failure."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from propdesk.community.models import DutyShift
from propdesk.core.jobs import registered_jobs, run_tick
from propdesk.core.sqlite.stats import statistics_refresh
from propdesk.desk.models import Announcement
from propdesk.desk.services import attitude_account_record, telling
from propdesk.notify.models import Notification
from tests import factories as f
from tests.desk.test_dispatch import act, create, on_duty, told
from tests.notify.helpers import run_telling
from tests.writes import Statements

# Tables a request must no longer read to tell the staff: rosters, teams' members and the
# notifications (the cap); roles only the actor's own (may they create at all).
RESOLVING_TABLES = ("community_dutyshift", "community_teammember", "notify_notification")


def reads_of_resolving(queries: CaptureQueriesContext, actor_id: int) -> list[str]:
    read = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith("SELECT")]
    out = [sql for sql in read for table in RESOLVING_TABLES if f'"{table}"' in sql]
    own_roles = f'"community_membership"."user_id" = {actor_id}'
    out += [sql for sql in read if '"community_membership"' in sql and own_roles not in sql]
    return out


def test_a_create_writes_one_announcement_and_no_notification(office, clock) -> None:
    on_duty(office.service, office.administrator, clock)
    with CaptureQueriesContext(connection) as queries:
        order = create(office, clock, kind="complaint", complaint_type="written")
    assert not Notification.objects.exists()
    # CP-1 and CP-3: one pending row per event (the new complaint, the head's), nothing resolved.
    assert list(
        Announcement.objects.filter(done_at__isnull=True).values_list("event", "cause")
    ) == [
        ("complaint_created", f"complaint-new:{order.pk}"),
        ("complaint_to_head", f"complaint-to-head:{order.pk}"),
    ]
    assert reads_of_resolving(queries, office.receptionist.pk) == []


def test_a_repair_create_writes_exactly_one_pending_announcement(office, clock) -> None:
    with CaptureQueriesContext(connection) as queries:
        order = create(office, clock)
    a = Announcement.objects.get()
    assert (a.event, a.order_id, a.cause, a.done_at) == (
        "order_routed",
        order.pk,
        f"order-routed:{order.pk}",
        None,
    )
    assert a.created_at == clock.now() and a.exclude == [office.receptionist.pk]
    assert not Notification.objects.exists()
    assert not [q for q in queries.captured_queries if '"community_dutyshift"' in q["sql"]], (
        "the roster is the worker's to read"
    )


def test_cp1_the_worker_tells_the_administrator_on_duty_with_the_order_page(office, clock) -> None:
    on_duty(office.service, office.administrator, clock)
    order = create(office, clock, kind="complaint")
    assert run_telling(clock) == 1
    tell = told("complaint_created")
    assert tell == {
        office.administrator.pk: {
            "order": order.pk,
            "number": order.number,
            "url": f"/desk/orders/{order.pk}/",
        }
    }
    assert Announcement.objects.get().done_at == clock.now()
    assert run_telling(clock) == 0  # done rows are not taken again


def test_ds1_the_worker_tells_the_leader_and_members_on_duty_the_job_page(office, clock) -> None:
    on_duty(office.repair, office.repair_member, clock)
    order = create(office, clock)
    run_telling(clock)
    tell = told("order_routed")
    assert {uid: p["url"] for uid, p in tell.items()} == {
        office.repair_leader.pk: f"/desk/jobs/{order.pk}/",
        office.repair_member.pk: f"/desk/jobs/{order.pk}/",
    }
    note = Notification.objects.get(recipient=office.repair_member, kind="order_routed")
    assert order.number in note.title and note.cause == f"order-routed:{order.pk}"


@pytest.mark.parametrize("complaint_type", ["written", "attitude"])
def test_cp3_cp5_the_head_hears_of_written_and_attitude_complaints(
    office, clock, complaint_type
) -> None:
    order = create(office, clock, kind="complaint", complaint_type=complaint_type)
    run_telling(clock)
    assert told("complaint_to_head") == {
        office.head.pk: {
            "order": order.pk,
            "number": order.number,
            "url": f"/desk/orders/{order.pk}/",
        }
    }


def test_cp4_marked_important_later_the_head_is_told_by_the_worker(office, clock) -> None:
    order = create(office, clock, kind="complaint")
    act(order, "flag", office.administrator, clock, flags={"is_important": True})
    assert not told("complaint_to_head")
    run_telling(clock)
    assert set(told("complaint_to_head")) == {office.head.pk}


def test_cp1_who_is_told_is_the_roster_at_the_event_not_at_the_job(office, clock) -> None:
    """The administrator on duty when the complaint came in is told, though their shift ended
    before the worker ran and another administrator's began."""
    DutyShift.objects.create(
        team=office.service,
        user=office.administrator,
        starts_at=clock.now() - timedelta(hours=8),
        ends_at=clock.now() + timedelta(minutes=1),
    )
    relief = f.UserFactory(username="a-admin-2", roles=[(office.community, "administrator")])
    office.service.members.add(relief)
    DutyShift.objects.create(
        team=office.service,
        user=relief,
        starts_at=clock.now() + timedelta(minutes=1),
        ends_at=clock.now() + timedelta(hours=8),
    )
    event_time = clock.now()
    create(office, clock, kind="complaint")
    clock.advance(minutes=5)
    run_telling(clock)
    note = Notification.objects.get(kind="complaint_created")
    assert (note.recipient_id, note.created_at) == (office.administrator.pk, event_time)


def test_a_transfer_before_the_job_runs_still_tells_the_one_it_was_given_to(office, clock) -> None:
    second = f.UserFactory(username="a-repair-2", roles=[(office.community, "team_member")])
    office.repair.members.add(second)
    order = create(office, clock)
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    act(order, "accept", office.repair_member, clock)
    act(order, "transfer", office.repair_member, clock, assignee=second, note="我在外出")
    run_telling(clock)
    assigned = Notification.objects.filter(kind="order_assigned", channel="in_app")
    assert sorted(assigned.values_list("recipient_id", flat=True)) == sorted(
        [office.repair_member.pk, second.pk]
    )


def test_a_failed_row_is_rolled_back_tried_next_tick_and_told_once(
    office, clock, monkeypatch
) -> None:
    """A crash in the middle of telling (after some rows were written) leaves nothing of that
    announcement; the next tick tells it, once. The other announcements of the batch are not
    held back."""
    on_duty(office.service, office.administrator, clock)
    failing = create(office, clock, kind="complaint")
    fine = create(office, clock)
    real = telling.notifications_create
    crashes = {"left": 1}

    def crash_after_writing(**kw):
        written = real(**kw)
        if kw["cause"] == f"complaint-new:{failing.pk}" and crashes["left"]:
            crashes["left"] -= 1
            raise RuntimeError("the worker died here")
        return written

    monkeypatch.setattr(telling, "notifications_create", crash_after_writing)
    assert run_telling(clock) == 2
    assert not told("complaint_created")
    assert set(told("order_routed")) == {office.repair_leader.pk}
    row = Announcement.objects.get(order=failing)
    assert (row.done_at, row.attempts, row.last_error) == (None, 1, "the worker died here")
    clock.advance(seconds=1)  # the next tick
    assert run_telling(clock) == 1
    assert set(told("complaint_created")) == {office.administrator.pk}
    run_telling(clock)
    assert Notification.objects.filter(cause=f"complaint-new:{failing.pk}").count() == 1
    assert Notification.objects.filter(cause=f"order-routed:{fine.pk}").count() == 1


def test_a_row_that_keeps_failing_waits_for_the_next_tick_and_gives_up_in_the_end(
    office, clock, monkeypatch
) -> None:
    failing = create(office, clock, kind="complaint")
    fine = create(office, clock)
    real = telling.notifications_create

    def crash(**kw):
        if kw["cause"] == f"complaint-new:{failing.pk}":
            raise RuntimeError("always")
        return real(**kw)

    monkeypatch.setattr(telling, "notifications_create", crash)
    # A full batch with a failure ends the tick: the row is not tried again at once.
    assert telling.announcements_tell(now=clock.now(), batch_size=1) == 1
    assert Announcement.objects.get(order=failing).attempts == 1
    assert Announcement.objects.get(order=fine).done_at is None
    for _tick in range(telling.ANNOUNCE_MAX_ATTEMPTS + 2):
        clock.advance(seconds=1)
        telling.announcements_tell(now=clock.now(), batch_size=1)
    row = Announcement.objects.get(order=failing)
    assert (row.attempts, row.done_at) == (telling.ANNOUNCE_MAX_ATTEMPTS, None)
    assert Announcement.objects.get(order=fine).done_at is not None
    assert set(told("order_routed")) == {office.repair_leader.pk}
    assert run_telling(clock) == 0  # given up: its last_error kept, each failure logged


def test_the_tick_tells_before_it_delivers(office, clock) -> None:
    names = list(registered_jobs())
    assert names.index("desk.tell") < names.index("notify.deliver")
    create(office, clock, kind="complaint")
    run_tick(clock.now(), worker="test")
    # Told and taken by the delivery in the same tick (in-app rows are sent once expanded).
    assert set(
        Notification.objects.filter(kind="complaint_created").values_list("recipient_id", "state")
    ) == {(office.head.pk, "sent")}


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_tell_each_announcement_once(office, clock) -> None:
    """On PostgreSQL each batch claims its rows (SKIP LOCKED); on SQLite both workers may read
    the same pending rows before their write transactions, and the second finds them done."""
    office.community.policy = {"notify_cap": {"per_person": 1000}}  # each order its own row
    office.community.save()
    on_duty(office.repair, office.repair_member, clock)
    orders = [create(office, clock) for _ in range(60)]
    errors: list[BaseException] = []
    taken: list[int] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            while n := telling.announcements_tell(now=clock.now(), batch_size=5):
                taken.append(n)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert sum(taken) == len(orders)  # each row taken by one worker only
    assert not Announcement.objects.filter(done_at__isnull=True).exists()
    rows = list(Notification.objects.filter(kind="order_routed").values_list("cause", "recipient"))
    assert len(rows) == len(set(rows)) == 2 * len(orders)


def test_cp5_the_account_is_announced_and_the_worker_tells_every_office_head(office, clock) -> None:
    """CP-5: the staff member's account of a service-attitude complaint is in. The request
    writes one announcement and reads no one's roles but the actor's and the named staff
    member's; the worker tells each active office head (not the administrators, not a
    deactivated head), with the order page, the account's own title, as a complaint_to_head."""
    order = create(office, clock, kind="complaint", complaint_type="attitude")
    run_telling(clock)  # the complaint's own announcements
    second = f.UserFactory(username="a-head-2", roles=[(office.community, "office_head")])
    f.UserFactory(
        username="a-head-gone", roles=[(office.community, "office_head")], is_active=False
    )
    clock.advance(minutes=3)
    order.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        order = attitude_account_record(
            order_id=order.pk,
            by=office.administrator,
            now=clock.now(),
            version=order.version,
            staff_member=office.repair_member,
            account="当时业主车辆堵住消防通道，劝离时语气生硬",
        )
    allowed = {office.administrator.pk, office.repair_member.pk}
    others = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().startswith("SELECT")
        and '"community_membership"' in q["sql"]
        and not any(f'"community_membership"."user_id" = {uid}' in q["sql"] for uid in allowed)
    ]
    assert others == [], "the office heads are the worker's to find"
    cause = f"attitude:{order.pk}:{order.version}"
    assert not Notification.objects.filter(cause=cause).exists()
    a = Announcement.objects.get(cause=cause)
    assert (a.event, a.recipient_ids, a.done_at, a.created_at) == (
        "attitude_account",
        None,
        None,
        clock.now(),
    )
    event_time = clock.now()
    clock.advance(seconds=1)
    assert run_telling(clock) == 1
    who = office.repair_member.name or office.repair_member.username
    title = f"服务态度投诉 {order.number}（当事人 {who}）：当事人说明已记录"
    notes = Notification.objects.filter(cause=cause, channel="in_app")
    assert sorted(
        (n.recipient_id, n.kind, n.title, n.payload["url"], n.created_at) for n in notes
    ) == sorted(
        (uid, "complaint_to_head", title, f"/desk/orders/{order.pk}/", event_time)
        for uid in (office.head.pk, second.pk)
    )
    assert run_telling(clock) == 0
    assert Notification.objects.filter(cause=cause, channel="in_app").count() == 2


# --- one batch, many rows: each row as of its own time (what the worker reads once per batch) ---


@pytest.mark.parametrize("batch_size", [1, 2, 10])
def test_ds1_the_roster_is_each_rows_own_time_within_one_batch(office, clock, batch_size) -> None:
    """The member on duty until 10:05 hears of the repair logged at 10:04, not of the one at
    10:06; the member whose shift begins at 10:05 hears of the second only: whether the worker
    takes the rows one by one or together."""
    end = clock.now() + timedelta(minutes=5)
    relief = f.UserFactory(username="r-member-2", roles=[(office.community, "team_member")])
    office.repair.members.add(relief)
    DutyShift.objects.create(
        team=office.repair,
        user=office.repair_member,
        starts_at=end - timedelta(hours=8),
        ends_at=end,
    )
    DutyShift.objects.create(
        team=office.repair, user=relief, starts_at=end, ends_at=end + timedelta(hours=8)
    )
    clock.advance(minutes=4)
    before = create(office, clock)
    clock.advance(minutes=1)  # exactly the change of shift: the new one is on
    at_change = create(office, clock)
    clock.advance(minutes=30)
    while telling.announcements_tell(now=clock.now(), batch_size=batch_size):
        pass
    routed = Notification.objects.filter(kind="order_routed", channel="in_app")
    assert sorted(routed.values_list("cause", "recipient_id")) == sorted(
        [
            (f"order-routed:{before.pk}", office.repair_leader.pk),
            (f"order-routed:{before.pk}", office.repair_member.pk),
            (f"order-routed:{at_change.pk}", office.repair_leader.pk),
            (f"order-routed:{at_change.pk}", relief.pk),
        ]
    )


@pytest.mark.parametrize("batch_size", [1, 2, 10])
def test_the_cap_counts_row_by_row_within_one_batch(office, clock, batch_size) -> None:
    """Cap 2 in 10 minutes: repairs at 0, 1, 2, 3, 4 and 10 minutes. The leader is told of the
    first two; the next three are folded into one summary (count 3); at 10 minutes the one of
    minute 0 has left the window (its start excluded), so the leader is told again. The same
    whether the worker takes the rows one by one, two by two (the summary made in one batch and
    found again in the next), or all in one batch."""
    office.community.policy = {"notify_cap": {"per_person": 2, "window_minutes": 10}}
    office.community.save()
    orders = []
    start = clock.at
    for minute in (0, 1, 2, 3, 4, 10):
        clock.at = start + timedelta(minutes=minute)
        orders.append(create(office, clock))
    clock.advance(minutes=1)
    with translation.override("zh-hans"):
        while telling.announcements_tell(now=clock.now(), batch_size=batch_size):
            pass
    leader = office.repair_leader.pk
    routed = Notification.objects.filter(recipient_id=leader, kind="order_routed")
    assert sorted(routed.values_list("cause", flat=True)) == sorted(
        f"order-routed:{orders[i].pk}" for i in (0, 1, 5)
    )
    summary = Notification.objects.get(recipient_id=leader, kind="digest")
    assert summary.payload == {"count": 3}
    assert summary.title == "近10分钟内另有3条通知，已汇总于此"
    assert sorted(summary.digest_items.values_list("cause", flat=True)) == sorted(
        f"order-routed:{orders[i].pk}" for i in (2, 3, 4)
    )


@pytest.mark.parametrize("batch_size", [1, 2, 10])
def test_the_summary_gets_each_cause_once_within_and_across_batches(
    office, clock, batch_size
) -> None:
    """Cap 1 in 10 minutes. The leader is told of c:1; c:2 and c:3 are folded into the summary,
    c:2 once although announced three times (twice in the first run, once in the second), and
    c:1 again is not folded (the leader has it as a notification of its own): count 2, two
    items, one notification. The same whatever the batch, a repeat within it or after it; the
    summary's items are written once per batch, a repeat not tried."""
    office.community.policy = {"notify_cap": {"per_person": 1, "window_minutes": 10}}
    office.community.save()
    leader = office.repair_leader.pk

    def announce(cause: str) -> None:
        telling.tell_staff(
            "concierge_request",
            community_id=office.community.pk,
            now=clock.now(),
            cause=cause,
            title=f"标题 {cause}",
            payload={"url": "/concierge/"},
            recipient_ids=[leader],
        )

    for cause in ("c:1", "c:2", "c:2", "c:1"):
        announce(cause)
    while telling.announcements_tell(now=clock.now(), batch_size=batch_size):
        pass
    clock.advance(minutes=1)
    for cause in ("c:2", "c:3"):
        announce(cause)
    with CaptureQueriesContext(connection) as queries, translation.override("zh-hans"):
        while telling.announcements_tell(now=clock.now(), batch_size=batch_size):
            pass
    # The repeat is known from the summary's items read once, not from an INSERT that hits the
    # unique (summary, cause): one INSERT of one item, c:3's (one row is a plain statement; an
    # executemany would be captured as "N times: INSERT …").
    inserts = [q["sql"] for q in queries.captured_queries if "notify_digestitem" in q["sql"]]
    assert [s.split(" (")[0] for s in inserts if "INSERT" in s] == [
        'INSERT INTO "notify_digestitem"'
    ]
    own = Notification.objects.filter(recipient_id=leader, kind="concierge_request")
    assert list(own.values_list("cause", flat=True)) == ["c:1"]
    summary = Notification.objects.get(recipient_id=leader, kind="digest")
    assert summary.payload == {"count": 2}
    assert summary.title == "近10分钟内另有2条通知，已汇总于此"
    assert list(summary.digest_items.order_by("id").values_list("cause", "title")) == [
        ("c:2", "标题 c:2"),
        ("c:3", "标题 c:3"),
    ]
    assert not Announcement.objects.filter(done_at__isnull=True).exists()


def test_a_batchs_folds_are_one_read_of_who_was_told_and_one_insert_of_items(office, clock) -> None:
    """Cap 1: of 8 repairs in one batch, the leader is told of the first and 7 are folded into
    the summary. Who already has each cause is read once for the batch, and the 7 items go in
    with one INSERT (was: one read and one INSERT per folded notification)."""
    office.community.policy = {"notify_cap": {"per_person": 1, "window_minutes": 10}}
    office.community.save()
    orders = [create(office, clock) for _ in range(8)]
    with CaptureQueriesContext(connection) as queries, translation.override("zh-hans"):
        assert telling.announcements_tell(now=clock.now(), batch_size=10) == 8
    sqls = [q["sql"] for q in queries.captured_queries]
    # (an executemany is captured once, as "N times: INSERT …")
    item_inserts = [s for s in sqls if 'INSERT INTO "notify_digestitem"' in s]
    told_reads = [
        s
        for s in sqls
        if s.startswith("SELECT") and 'FROM "notify_notification"' in s and '"cause"' in s
    ]
    assert len(item_inserts) == 1, item_inserts
    assert len(told_reads) == 1, told_reads
    summary = Notification.objects.get(recipient_id=office.repair_leader.pk, kind="digest")
    assert summary.payload == {"count": 7}
    assert list(summary.digest_items.order_by("id").values_list("cause", flat=True)) == [
        f"order-routed:{o.pk}" for o in orders[1:]
    ]


# --- the pick: the pending rows through their own index, not every announcement -------------------


@pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="SQLite's planner (the PostgreSQL pass runs the rest)"
)
def test_the_batch_is_picked_from_the_pending_rows_index_not_the_community(office, clock) -> None:
    """A community's done announcements (every create leaves one) are not read again on every
    batch: as one query joined to the community, SQLite walked all of that community's rows and
    sorted them, holding the write lock, at every tick of a busy office. Planned with the
    statements and parameters the job runs."""
    told_before = create(office, clock)
    assert run_telling(clock) == 1
    # A season of the community's done announcements (one per create, kept until the purge).
    done = Announcement.objects.get()
    Announcement.objects.bulk_create(
        Announcement(
            community=office.community,
            event=done.event,
            order=told_before,
            cause=f"{done.cause}:{i}",
            title=done.title,
            created_at=done.created_at,
            done_at=done.done_at,
        )
        for i in range(2000)
    )
    statistics_refresh(connection)  # as the worker's core.optimize does at its first tick
    pending = [create(office, clock), create(office, clock)]
    with CaptureQueriesContext(connection) as queries:
        assert run_telling(clock) == 2
    picks = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "desk_announcement"' in q["sql"]
    ]
    assert picks, "the job read no announcement"
    for sql in picks:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " | ".join(row[3] for row in cursor.fetchall())
        assert "community" not in plan.split("|")[0], (sql, plan)  # not driven by the community
        assert "TEMP B-TREE" not in plan, (plan, sql)  # not sorted after reading
        assert "announce_pending" in plan or "PRIMARY KEY" in plan, (sql, plan)
    assert Announcement.objects.filter(done_at__isnull=True).count() == 0
    assert {a.order_id for a in Announcement.objects.order_by("-id")[:2]} == {o.pk for o in pending}


# --- the write lock: on SQLite a batch reads before it writes -------------------------------------


@pytest.mark.django_db(transaction=True)  # the job's own transactions, as the worker runs them
def test_a_batch_reads_who_to_tell_before_its_write_transaction_on_sqlite(office, clock) -> None:
    """SQLite has one write lock, taken at BEGIN, and every web create waits for it: the
    worker's batch reads its rows, the roster, the teams, the roles and the users before its
    transaction, which holds the writes, the cap's reads (which must see what it writes) and a
    re-read of which rows are still pending. On PostgreSQL the batch claims its rows first,
    inside (FOR UPDATE SKIP LOCKED), so that two workers take different rows."""
    on_duty(office.repair, office.repair_member, clock)
    on_duty(office.service, office.administrator, clock)
    orders = [create(office, clock), create(office, clock, kind="complaint")]
    statements = Statements()
    with connection.execute_wrapper(statements):
        assert telling.announcements_tell(now=clock.now(), batch_size=10) == 2
    planning = ("community_dutyshift", "community_teammember", "community_membership")
    inside = statements.reads(inside=True)
    if connection.vendor == "sqlite":
        outside = " ".join(statements.reads(inside=False))
        for table in planning:
            assert f'"{table}"' in outside, table
        assert not [sql for sql in inside for table in planning if f'"{table}"' in sql], inside
        assert all('"desk_announcement"' in sql or '"notify_' in sql for sql in inside), inside
    else:
        assert "FOR UPDATE" in inside[0] and "SKIP LOCKED" in inside[0], inside[0]
    # Told as before: the leader and the member on duty, the administrator on duty.
    assert set(told("order_routed")) == {office.repair_leader.pk, office.repair_member.pk}
    assert set(told("complaint_created")) == {office.administrator.pk}
    assert not Announcement.objects.filter(order__in=orders, done_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_rows_told_by_another_worker_meanwhile_are_not_told_again(
    office, clock, monkeypatch
) -> None:
    """Another worker runs its whole telling just after this batch has read its rows. On SQLite
    the batch read them before its transaction, so the other worker tells them and the batch
    finds them done inside; on PostgreSQL the batch claimed them (FOR UPDATE SKIP LOCKED), so
    the other worker finds none. Either way each row is told once."""
    orders = [create(office, clock), create(office, clock)]
    real = telling._plan_rows
    theirs: list[int] = []
    main = threading.current_thread()

    def then_another_worker(*args, **kwargs):  # type: ignore[no-untyped-def]
        plan = real(*args, **kwargs)
        if threading.current_thread() is main and not theirs:  # once, and not the other's own

            def other() -> None:
                try:
                    theirs.append(telling.announcements_tell(now=clock.now(), batch_size=10))
                finally:
                    connections.close_all()

            thread = threading.Thread(target=other)
            thread.start()
            thread.join(timeout=60)
            assert theirs, "the other worker did not finish"
        return plan

    monkeypatch.setattr(telling, "_plan_rows", then_another_worker)
    mine = telling.announcements_tell(now=clock.now(), batch_size=10)
    assert (mine, theirs[0]) == ((0, 2) if connection.vendor == "sqlite" else (2, 0))
    assert set(told("order_routed")) == {office.repair_leader.pk}
    causes = list(
        Notification.objects.filter(kind="order_routed", channel="in_app").values_list(
            "cause", flat=True
        )
    )
    assert sorted(causes) == sorted(f"order-routed:{o.pk}" for o in orders)  # once each
    assert not Announcement.objects.filter(done_at__isnull=True).exists()
