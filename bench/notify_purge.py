"""Retention of read notifications (``notify.purge``): how long one batch holds SQLite's write
lock, how fast a backlog goes, and what a tick with nothing old enough costs.

    DATABASE_URL=sqlite:////path/copy.sqlite3 SECRET_KEY=x DEBUG=1 \\
        .venv/bin/python bench/notify_purge.py [--old 100000] [--young 20000]

On a migrated database (a copy: it writes): ``--old`` read, sent in-app notifications read 400
days ago and ``--young`` read 10 days ago, to 50 staff members. Printed: the backlog's purge by
``notifications_purge`` as the job runs it (its sleeps included), rows per second and CPU; each
batch's transaction (the write lock held) median / p95 / max; then the idle tick (only young rows
left), median of 200 calls; with the load average. The rows it wrote are deleted at the end.
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
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from propdesk.community.models import Community, User
    from propdesk.core import housekeeping
    from propdesk.core.clock import SystemClock
    from propdesk.notify import services
    from propdesk.notify.models import Notification

    now = SystemClock().now()
    cid = Community.objects.values_list("id", flat=True).first()
    uids = list(User.objects.values_list("id", flat=True)[:50])
    Notification.objects.filter(cause__startswith="bench-purge:").delete()
    rows = []
    for i in range(args.old + args.young):
        at = now - timedelta(days=400 if i < args.old else 10)
        rows.append(
            Notification(
                community_id=cid,
                recipient_id=uids[i % len(uids)],
                channel="in_app",
                cause=f"bench-purge:{i}",
                kind="order_routed",
                title="新维修单 GD-20261126-0001：卫生间漏水" * 2,
                payload={"order": i, "number": "GD-20261126-0001", "url": "/desk/orders/1/"},
                dedupe_key=f"bench-purge:{i}",
                state="sent",
                created_at=at,
                read_at=at,
                sent_at=at,
            )
        )
    with transaction.atomic():
        Notification.objects.bulk_create(rows, batch_size=2000)
    print(f"{connection.vendor}: {args.old} old, {args.young} young; load {os.getloadavg()}")

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

    housekeeping.transaction.atomic = Timed  # type: ignore[assignment]
    began, cpu, deleted = time.perf_counter(), time.process_time(), 0
    while n := services.notifications_purge(now=now):
        deleted += n
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    housekeeping.transaction.atomic = original  # type: ignore[assignment]
    held.sort()
    print(
        f"backlog: {deleted} rows, {deleted / wall:.0f} rows/s (sleeps included), CPU {cpu:.1f} s;"
        f" one batch {statistics.median(held) * 1000:.2f} ms median,"
        f" p95 {held[int(len(held) * 0.95)] * 1000:.2f}, max {held[-1] * 1000:.1f}"
    )
    idle = []
    for _ in range(200):
        t = time.perf_counter()
        services.notifications_purge(now=now)
        idle.append(time.perf_counter() - t)
    print(f"idle tick median {statistics.median(idle) * 1000:.2f} ms; load {os.getloadavg()}")
    Notification.objects.filter(cause__startswith="bench-purge:").delete()


if __name__ == "__main__":
    main()
