"""How long a create holds SQLite's one write lock: the API's POST /api/work-orders/ and the
console's intake submit, through Django's whole stack in this one process.

Every transaction takes the write lock at its BEGIN (``transaction_mode`` IMMEDIATE) and gives
it back at its COMMIT, and while one create holds it every other writer (the other web
processes, the worker's telling) waits. This times, per request, the wall time from BEGIN to the
end of COMMIT against the request's whole wall time (medians), and counts the transactions.

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench LOG_LEVEL=WARNING \\
        DATABASE_URL=sqlite:///COPY.sqlite3 .venv/bin/python bench/lock_hold.py \\
        --meta META.json [--requests 200]

META.json is what bench/setup_data.py writes; use a copy of the bench database (each run adds
orders). BENCH_APP_DIR=<another checkout> measures that tree's code with this script.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
APP = Path(os.environ.get("BENCH_APP_DIR") or ROOT)
sys.path.insert(0, str(APP))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--meta", type=Path, required=True)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    args = p.parse_args()
    meta = json.loads(args.meta.read_text())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from propdesk.community.models import Household, User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    conn = connections["default"]
    if conn.vendor != "sqlite":
        raise SystemExit("lock_hold: SQLite only (PostgreSQL locks rows, not the database)")
    community = meta["community"]
    hmin, hmax = meta["households"]
    headers = {"HTTP_AUTHORIZATION": f"Token {meta['token']}", "HTTP_ACCEPT": "application/json"}
    api, console = Client(), Client()
    console.force_login(User.objects.get(pk=meta["reception"]))
    rooms = dict(
        Household.objects.filter(community_id=community, pk__range=(hmin, hmax)).values_list(
            "pk", "code"
        )
    )

    # BEGIN IMMEDIATE to the end of COMMIT, summed per request.
    held = {"since": None, "total": 0.0, "count": 0}
    wrapper = type(conn)
    start, commit = wrapper._start_transaction_under_autocommit, wrapper._commit

    def timed_start(self: Any) -> None:
        held["since"] = time.perf_counter()
        held["count"] += 1
        start(self)

    def timed_commit(self: Any) -> None:
        commit(self)
        if held["since"] is not None:
            held["total"] += time.perf_counter() - held["since"]
            held["since"] = None

    wrapper._start_transaction_under_autocommit = timed_start  # type: ignore[method-assign]
    wrapper._commit = timed_commit  # type: ignore[method-assign]

    def household(i: int) -> int:
        return hmin + (i * 7919) % (hmax - hmin + 1)

    def create(i: int) -> Callable[[], Any]:
        body = json.dumps(
            {
                "community": community,
                "kind": "repair",
                "description": "厨房水龙头漏水，请尽快派人维修",
                "household": household(i),
            }
        )
        return lambda: api.post(
            "/api/work-orders/", body, content_type="application/json", **headers
        )

    def intake(i: int) -> Callable[[], Any]:
        body = urlencode(
            {
                "channel": "phone",
                "room": rooms[household(i)],
                "caller_phone": "13812345678",
                "caller_name": "张伟",
                "intent": "repair",
                "content": "厨房水龙头漏水，请尽快派人维修",
                "outcome": "work_order",
                "once": secrets.token_urlsafe(24),  # the form's one-time token (core.once)
            }
        )

        def send() -> Any:
            r = console.post(
                f"/desk/{community}/intake/", body, content_type="application/x-www-form-urlencoded"
            )
            console.cookies.pop("messages", None)  # as the redirect's GET would
            return r

        return send

    expected = {"create": 201, "intake": 302}
    i = 0
    for name, make in (("create", create), ("intake", intake)):
        for _ in range(args.warmup):
            make(i)()
            i += 1
        walls, holds, counts = [], [], []
        for _ in range(args.requests):
            send = make(i)
            i += 1
            held["total"], held["count"] = 0.0, 0
            t = time.perf_counter()
            r = send()
            walls.append(time.perf_counter() - t)
            if r.status_code != expected[name]:
                raise SystemExit(f"{name}: HTTP {r.status_code}: {r.content[:300]!r}")
            holds.append(held["total"])
            counts.append(held["count"])
        wall, hold = statistics.median(walls) * 1000, statistics.median(holds) * 1000
        print(
            f"{name}: wall {wall:.2f} ms, write lock held {hold:.2f} ms ({hold / wall:.0%}), "
            f"transactions {statistics.median(counts):g} (medians of {args.requests})"
        )


if __name__ == "__main__":
    main()
