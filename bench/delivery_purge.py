"""Retention of the delivery records and the rate limit's keys (``notify.purge``,
``portal.codes``): how long one batch holds SQLite's write lock, how fast a backlog goes, and
what a tick with nothing old enough costs beside many in-app rows never read.

    DATABASE_URL=sqlite:////path/copy.sqlite3 SECRET_KEY=x DEBUG=1 \\
        .venv/bin/python bench/delivery_purge.py [--old 100000] [--young 20000] [--keys 100000]

On a migrated database with a community and staff (a copy: it writes): ``--old`` sent e-mail
and webhook rows written 400 days ago, ``--young`` written 10 days ago, as many unread in-app
rows 400 days old (the pick must not walk them), ``--old`` // 10 residents' text messages 400
days old; and ``--keys`` rate-limit keys untouched for two days. Printed: each backlog's purge
as the job runs it (its sleeps included), rows per second and CPU; each batch's transaction
(the write lock held) median / p95 / max; then the idle tick of each, median of 200 calls; with
the load average. On PostgreSQL the tables are analyzed after the inserts and vacuumed and
analyzed before the idle ticks, as autovacuum would (``--no-analyze``: neither). The rows it
wrote are deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", type=int, default=100_000)
    parser.add_argument("--young", type=int, default=20_000)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--no-analyze", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from propdesk.community.models import Community, User
    from propdesk.core import housekeeping
    from propdesk.core.clock import SystemClock
    from propdesk.notify import services
    from propdesk.notify.models import Notification, ResidentMessage
    from propdesk.portal.jobs import throttle_keys_purge
    from propdesk.portal.models import ThrottleKey

    now = SystemClock().now()
    cid = Community.objects.values_list("id", flat=True).first()
    uids = list(User.objects.values_list("id", flat=True)[:50])

    def clean() -> None:
        Notification.objects.filter(cause__startswith="bench-dpurge:").delete()
        ResidentMessage.objects.filter(cause__startswith="bench-dpurge:").delete()
        ThrottleKey.objects.filter(key__startswith="bench:").delete()

    clean()
    rows = []
    title = "新维修单 GD-20261126-0001：卫生间漏水" * 2
    payload = {"order": 1, "number": "GD-20261126-0001", "url": "/desk/orders/1/"}
    for i in range(args.old + args.young):
        at = now - timedelta(days=400 if i < args.old else 10)
        for channel in ("in_app", "email") if i < args.old else ("email",):
            rows.append(
                Notification(
                    community_id=cid,
                    recipient_id=uids[i % len(uids)],
                    channel=channel,
                    cause=f"bench-dpurge:{i}",
                    kind="order_routed",
                    title=title,
                    payload=payload,
                    dedupe_key=f"bench-dpurge:{i}:{channel}",
                    state="sent",
                    created_at=at,
                    sent_at=at,
                )
            )
    messages = [
        ResidentMessage(
            community_id=cid,
            phone=f"138{i:08d}",
            cause=f"bench-dpurge:{i}",
            kind="dispatched",
            text="【锦绣花园】您的报修 GD-20261126-0001 已派单：维修工 王师傅 将为您处理。" * 2,
            order_id=i,
            dedupe_key=f"bench-dpurge:{i}",
            state="sent",
            created_at=now - timedelta(days=400),
            sent_at=now - timedelta(days=400),
        )
        for i in range(args.old // 10)
    ]
    keys = [
        ThrottleKey(key=f"bench:{i}", touched_at=now - timedelta(days=2)) for i in range(args.keys)
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, batch_size=2000)
        ResidentMessage.objects.bulk_create(messages, batch_size=2000)
        ThrottleKey.objects.bulk_create(keys, batch_size=2000)
    analyze = connection.vendor == "postgresql" and not args.no_analyze
    if analyze:
        # As autovacuum would within a minute of so many inserts (the backlog of a real office
        # grows over months, its statistics current); --no-analyze measures without.
        with connection.cursor() as cursor:
            for table in ("notify_notification", "notify_residentmessage", "portal_throttlekey"):
                cursor.execute(f"ANALYZE {table}")
    print(
        f"{connection.vendor}: {args.old} old e-mail rows (+ as many unread in-app), {args.young}"
        f" young, {len(messages)} text messages, {args.keys} keys; analyzed {analyze};"
        f" load {os.getloadavg()}"
    )

    held: list[float] = []
    original = housekeeping.transaction.atomic

    class Timed:
        def __init__(self, *a: Any, **kw: Any) -> None:
            self.cm = original(*a, **kw)

        def __enter__(self) -> Any:
            self.began = time.perf_counter()
            return self.cm.__enter__()

        def __exit__(self, *exc: Any) -> Any:
            out = self.cm.__exit__(*exc)
            held.append(time.perf_counter() - self.began)
            return out

    def backlog(name: str, purge: Any) -> None:
        held.clear()
        housekeeping.transaction.atomic = Timed  # type: ignore[assignment]
        began, cpu, deleted = time.perf_counter(), time.process_time(), 0
        while n := purge():
            deleted += n
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        housekeeping.transaction.atomic = original  # type: ignore[assignment]
        held.sort()
        print(
            f"{name}: {deleted} rows, {deleted / wall:.0f} rows/s (sleeps included),"
            f" CPU {cpu:.1f} s; one batch {statistics.median(held) * 1000:.2f} ms median,"
            f" p95 {held[int(len(held) * 0.95)] * 1000:.2f}, max {held[-1] * 1000:.1f}"
        )

    backlog("delivery records", lambda: sum(services.delivery_records_purge(now=now).values()))
    backlog("rate-limit keys", lambda: throttle_keys_purge(now=now))
    if analyze:
        # What autovacuum does after so many deletes: without it the planner still counts the
        # dead rows and walks them (resmsg: a sequential scan of 10,000 dead rows, ~3 ms).
        with connection.cursor() as cursor:
            for table in ("notify_notification", "notify_residentmessage", "portal_throttlekey"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    for name, purge in (
        ("delivery records", lambda: services.delivery_records_purge(now=now)),
        ("rate-limit keys", lambda: throttle_keys_purge(now=now)),
    ):
        idle = []
        for _ in range(200):
            t = time.perf_counter()
            purge()
            idle.append(time.perf_counter() - t)
        print(f"idle tick, {name}: median {statistics.median(idle) * 1000:.2f} ms")
    print(f"load {os.getloadavg()}")
    clean()


if __name__ == "__main__":
    main()
