"""The back office's lists (Django admin) on a big database: every registered list, as a
superuser and as the first community's office head with every back-office permission.

    bench/backoffice.py --url postgres://postgres@127.0.0.1:5432/propdesk_console_1m
        [--requests 5] [--only workorder,clock] [--app DIR] [--slow 100]

On bench/console.py's data (run it once on the database first; at 1,000,000 orders it holds
2.7 M clocks and 1 M events). Each list is opened once (warm-up), then ``--requests`` times:
the median wall ms, the median ms of its SQL, its statements; for a list of median over
``--slow`` ms, its three dearest statements. ``--app``: the code tree to run (a ``git archive``
of main, say), for an A/B of two trees on one database, alternated by the caller.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--requests", type=int, default=5)
    p.add_argument("--only", default="", help="comma-separated words of the lists' addresses")
    p.add_argument("--app", default=str(ROOT))
    p.add_argument("--slow", type=float, default=100.0)
    args = p.parse_args()
    sys.path.insert(0, args.app)
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    import django

    django.setup()
    from django.contrib import admin
    from django.contrib.auth.models import Permission
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from propdesk.community.models import Community, Role, User

    root = User.objects.filter(username="bench-root").first() or User.objects.create_superuser(
        "bench-root", "root@example.com", "bench-only-123!"
    )
    community = Community.objects.order_by("id").first()
    head = User.objects.filter(
        memberships__community=community, memberships__role=Role.OFFICE_HEAD
    ).first()
    assert head is not None, "bench/console.py's data has an office head"
    head.is_staff = True
    head.save(update_fields=["is_staff"])
    head.user_permissions.set(Permission.objects.all())
    words = [w for w in args.only.split(",") if w]
    urls = [
        f"/admin/{m._meta.app_label}/{m._meta.model_name}/"
        for m in admin.site._registry
        if not words or any(w in m._meta.model_name for w in words)
    ]
    print(f"app {args.app}; {connection.vendor}; load average {os.getloadavg()[0]:.2f}")
    print(f"{'who':6} {'list':44} {'median ms':>10} {'SQL ms':>7} {'queries':>8}")
    for who, user in (("root", root), ("head", head)):
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        for url in urls:
            client.get(url)
            walls, sqls, dear = [], [], []
            for _ in range(args.requests):
                with CaptureQueriesContext(connection) as q:
                    t = time.perf_counter()
                    status = client.get(url).status_code
                    walls.append((time.perf_counter() - t) * 1000)
                sqls.append(sum(float(x["time"]) for x in q.captured_queries) * 1000)
                dear = sorted(q.captured_queries, key=lambda x: -float(x["time"]))[:3]
            if status != 200:
                print(f"{who:6} {url:44} {status}")
                continue
            med = statistics.median(walls)
            line = f"{who:6} {url:44} {med:10.1f} {statistics.median(sqls):7.1f}"
            print(f"{line} {len(q.captured_queries):8d}")
            if med > args.slow:
                for x in dear:
                    print(f"{'':12}{float(x['time']) * 1000:8.1f} {x['sql'][:150]}")


if __name__ == "__main__":
    main()
