"""What drawing the bell on the server costs a console page (branch officepolish): every page
now counts the user's unread notifications while it renders (``notify.selectors.bell_count``,
one statement), so that a page without JavaScript shows the bell and its number.

    DATABASE_URL=sqlite:////tmp/x/bench.sqlite3 SECRET_KEY=x DEBUG=1 \\
        .venv/bin/python bench/bell.py [--mine 20000] [--others 100000] [--rounds 200]

On a migrated database holding the bench data (bench/setup_data.py; a copy: it writes), adds
``--mine`` in-app notifications to the first community's office head (one in 20 unread) and
``--others`` to the other staff, then, in-process (django.test.Client, no HTTP):

1. the head's queue page, ``--rounds`` times A/B interleaved (the order alternating each round):
   A as shipped, B with ``bell_count`` replaced by a constant (no statement): medians, their
   ratio, and the difference;
2. ``bell_count`` alone, median of 500, its SQL and query plan;
3. the Python calls one bell costs (cProfile: exact, not timed);
4. the statements of the live poll's changed answer with and without ``e=`` (the emergencies a
   page's alerts are about), counted.

The rows it wrote are deleted at the end. The machine is shared: read the ratio and the medians.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mine", type=int, default=20_000)
    parser.add_argument("--others", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from propdesk.community.models import Community, Membership, User
    from propdesk.core.clock import SystemClock
    from propdesk.notify.models import Notification
    from propdesk.notify.selectors import bell_count
    from propdesk.web import live
    from propdesk.web.templatetags import console

    now = SystemClock().now()
    community = Community.objects.order_by("id").first()
    assert community is not None, "no bench data: run bench/setup_data.py first"
    head = User.objects.get(
        pk=Membership.objects.filter(community=community, role="office_head")
        .values_list("user_id", flat=True)
        .first()
    )
    others = list(
        User.objects.exclude(pk=head.pk).filter(is_active=True).values_list("id", flat=True)[:50]
    )
    Notification.objects.filter(cause__startswith="bench-bell:").delete()
    rows = []
    for i in range(args.mine + args.others):
        mine = i < args.mine
        unread = i % 20 == 0
        rows.append(
            Notification(
                community_id=community.pk,
                recipient_id=head.pk if mine else others[i % len(others)],
                channel="in_app",
                cause=f"bench-bell:{i}",
                kind="order_routed",
                title="新维修单 GD-20261126-0001：卫生间漏水",
                payload={"order": i},
                dedupe_key=f"bench-bell:{i}",
                state="sent",
                created_at=now,
                sent_at=now,
                read_at=None if unread else now,
            )
        )
    with transaction.atomic():
        Notification.objects.bulk_create(rows, batch_size=2000)
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    print(
        f"{connection.vendor}: {args.mine} notifications of the head ({bell_count(head)} unread),"
        f" {args.others} of {len(others)} others; load {os.getloadavg()}"
    )

    client = Client()
    client.force_login(head)
    url = f"/desk/{community.pk}/queue/"
    shipped = console.bell_count

    def page(with_bell: bool) -> float:
        console.bell_count = shipped if with_bell else (lambda user: 0)  # type: ignore[assignment]
        t = time.perf_counter()
        r = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        took = time.perf_counter() - t
        assert r.status_code == 200 and b'id="notification-bell"' in r.content
        return took

    for _ in range(10):  # warm-up
        page(True)
        page(False)
    a: list[float] = []
    b: list[float] = []
    for i in range(args.rounds):
        if i % 2:
            a.append(page(True))
            b.append(page(False))
        else:
            b.append(page(False))
            a.append(page(True))
    console.bell_count = shipped  # type: ignore[assignment]
    ma, mb = statistics.median(a) * 1000, statistics.median(b) * 1000
    print(
        f"queue page: with the bell {ma:.2f} ms, without {mb:.2f} ms (medians of {args.rounds},"
        f" interleaved): x{ma / mb:.3f}, +{ma - mb:.2f} ms; load {os.getloadavg()}"
    )

    alone = []
    for _ in range(500):
        t = time.perf_counter()
        bell_count(head)
        alone.append(time.perf_counter() - t)
    with CaptureQueriesContext(connection) as q:
        bell_count(head)
    (sql,) = [s["sql"] for s in q.captured_queries]
    print(f"bell_count alone: {statistics.median(alone) * 1000:.3f} ms median of 500")
    print(f"  SQL: {sql}")
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            c.execute("EXPLAIN QUERY PLAN " + sql)
            print("  plan:", " | ".join(str(r[-1]) for r in c.fetchall()))
        else:
            c.execute("EXPLAIN " + sql)
            print("  plan:", " | ".join(r[0] for r in c.fetchall()))

    class Request:
        user = head

    profile = cProfile.Profile()
    profile.enable()
    console.notification_bell({"request": Request()})
    profile.disable()
    stats = pstats.Stats(profile)
    print(f"one bell: {stats.total_calls} Python calls ({stats.prim_calls} primitive)")  # type: ignore[attr-defined]

    live.live_answer(head, seen_cursor=None, seen_notification=None)  # the user's caches filled
    for e in ([], [10**8]):
        with CaptureQueriesContext(connection) as q:
            live.live_answer(head, seen_cursor=None, seen_notification=None, alert_emergencies=e)
        print(f"live poll, changed, e={e or '(none)'}: {len(q.captured_queries)} statements")
    Notification.objects.filter(cause__startswith="bench-bell:").delete()


if __name__ == "__main__":
    main()
