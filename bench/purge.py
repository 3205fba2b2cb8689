"""Retention of done announcements (``desk.purge``): how long one batch holds the write lock, how
fast a backlog goes, and what a tick with nothing old enough costs.

    .venv/bin/python bench/purge.py [--path bench/out/purge.sqlite3] [--old 200000] [--young 50000]
        [--sizes 200,1000] [--rounds 30]

On one fresh SQLite database (WAL, as the app sets it): ``--old`` done announcements older than
the retention and ``--young`` done ones inside it (and a few pending). Printed: for each batch
size, the median / p95 / max of one batch's DELETE transaction (the write lock held), over
``--rounds`` batches; the whole backlog's purge by ``announcements_purge`` as the job runs it
(its sleeps between batches included), rows per second; and the idle tick (nothing old enough
left), median of 200 calls. With the load average before and after (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"median {statistics.median(values):.2f} ms, p95 {p95:.2f} ms, max {max(values):.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", type=Path, default=ROOT / "bench" / "out" / "purge.sqlite3")
    parser.add_argument("--old", type=int, default=200_000)
    parser.add_argument("--young", type=int, default=50_000)
    parser.add_argument("--sizes", default="200,1000")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    setup_django(args.path)

    from django.conf import settings
    from django.db import transaction

    from propdesk.community.models import Community, Company
    from propdesk.desk.models import Announcement
    from propdesk.desk.services.telling import announcements_purge

    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    keep = timedelta(days=settings.ANNOUNCEMENT_RETENTION_DAYS)
    community = Community.objects.create(
        company=Company.objects.create(name="bench"), name="bench", code="bench"
    )

    def rows(n: int, done: datetime | None, tag: str) -> None:
        batch = [
            Announcement(
                community=community,
                event="order_routed",
                cause=f"{tag}:{i}",
                title="新维修 GD-20261101-0001：厨房水龙头漏水",
                created_at=done or now,
                done_at=done,
            )
            for i in range(n)
        ]
        Announcement.objects.bulk_create(batch, batch_size=5000)

    rows(args.old, now - keep - timedelta(days=5), "old")
    rows(args.young, now - keep + timedelta(days=5), "young")
    rows(20, None, "pending")
    print(f"rows: {args.old} old, {args.young} young, 20 pending; load {os.getloadavg()[0]:.2f}")

    old = Announcement.objects.filter(done_at__isnull=False, done_at__lt=now - keep)
    for size in [int(s) for s in args.sizes.split(",")]:
        held = []
        for _ in range(args.rounds):
            ids = list(old.order_by("done_at", "id").values_list("id", flat=True)[:size])
            began = time.perf_counter()
            with transaction.atomic():
                Announcement.objects.filter(pk__in=ids).delete()
            held.append((time.perf_counter() - began) * 1000)
        print(f"one batch of {size}: {ms(held)}")

    left = old.count()
    began = time.perf_counter()
    deleted = 0
    while n := announcements_purge(now=now):
        deleted += n
    spent = time.perf_counter() - began
    print(f"the job purges the rest ({deleted} of {left}): {deleted / spent:,.0f} rows/s")
    assert Announcement.objects.count() == args.young + 20

    idle = []
    for _ in range(200):
        began = time.perf_counter()
        announcements_purge(now=now)
        idle.append((time.perf_counter() - began) * 1000)
    print(f"an idle tick: {ms(idle)}; load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
