"""Server-side time of the benchmarked requests, without HTTP, gunicorn or the load generator.

Runs each request through Django's full stack (middleware, token auth, DRF view, serializer) with
django.test.Client in this one process, and times every SQL statement with an execute wrapper, so
the median request splits into database time and Python time. Also counts the queries per request,
writes the query plans of the list and detail SQL, and (with --profile) a cProfile of each.

The requests: floor (a community), list, detail and create through the API with the bench
token, and contact (a call logged through the API, opening an order: what the intake does);
intake, the console's front-desk submit (web desk-intake) that opens the same kind of order,
signed in with a session as the bench receptionist, answered with a redirect to the form; and
intake_page, that submit and the redirect's GET (the form again, with the success message), as
the receptionist lives it. Each also gives its median CPU time, steadier than the wall's on a
busy machine.

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench DATABASE_URL=... \
        .venv/bin/python bench/inprocess.py --meta bench/out/meta-sqlite-100000.json \
        --out bench/out/inproc-sqlite-100000.json [--requests 200] [--profile DIR] \
        [--only create,intake]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The app under test: the work tree, or a snapshot of a commit that bench/run-all unpacked.
APP = Path(os.environ.get("BENCH_APP_DIR") or ROOT)
sys.path.insert(0, str(APP))


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


class SqlTimer:
    """An execute wrapper: the time and text of every statement of the current request."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any
    ) -> Any:
        t = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            self.calls.append((time.perf_counter() - t, sql))


def label(sql: str) -> str:
    """A short name for a statement: its verb and main table."""
    s = sql.strip()
    verb = s.split(None, 1)[0].upper()
    if verb == "SELECT":
        m = re.search(r'FROM\s+"?(\w+)"?', s)
        if "COUNT(" in s.upper()[:60]:
            return f"COUNT {m.group(1) if m else '?'}"
        return f"SELECT {m.group(1) if m else '?'}"
    if verb in ("INSERT", "UPDATE"):
        m = re.search(r'(?:INTO|UPDATE)\s+"?(\w+)"?', s)
        return f"{verb} {m.group(1) if m else '?'}"
    return verb


def measure(
    name: str,
    do: Callable[[int], Any],
    n: int,
    warmup: int,
    profile_dir: Path | None,
) -> dict[str, Any]:
    from django.db import connection

    for i in range(warmup):
        do(i)
    totals: list[float] = []
    cpus: list[float] = []  # this process's CPU time: less swayed by a busy machine than the wall
    dbs: list[float] = []
    nq: list[int] = []
    per_label: dict[str, list[float]] = {}
    slowest: tuple[float, str] = (0.0, "")
    for i in range(n):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            t, c = time.perf_counter(), time.process_time()
            do(warmup + i)
            totals.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        dbs.append(sum(d for d, _ in timer.calls))
        nq.append(len(timer.calls))
        seen: dict[str, float] = {}
        for d, sql in timer.calls:
            seen[label(sql)] = seen.get(label(sql), 0.0) + d
            if d > slowest[0]:
                slowest = (d, sql)
        for k, v in seen.items():
            per_label.setdefault(k, []).append(v)
    out = {
        "name": name,
        "n": n,
        "median_ms": statistics.median(totals) * 1000,
        "p99_ms": pct(totals, 99) * 1000,
        "cpu_median_ms": statistics.median(cpus) * 1000,
        "db_median_ms": statistics.median(dbs) * 1000,
        "python_median_ms": statistics.median([t - d for t, d in zip(totals, dbs, strict=True)])
        * 1000,
        "queries": statistics.median(nq),
        "queries_max": max(nq),
        "sql_median_ms": {
            k: round(statistics.median(v) * 1000, 3)
            for k, v in sorted(per_label.items(), key=lambda kv: -statistics.median(kv[1]))
        },
        "slowest_sql_ms": round(slowest[0] * 1000, 2),
        "slowest_sql": slowest[1][:600],
    }
    if profile_dir:
        prof = cProfile.Profile()
        prof.enable()
        for i in range(min(n, 100)):
            do(warmup + n + i)
        prof.disable()
        buf = io.StringIO()
        st = pstats.Stats(prof, stream=buf)
        st.sort_stats("cumulative").print_stats(45)
        st.sort_stats("tottime").print_stats(30)
        profile_dir.mkdir(parents=True, exist_ok=True)
        (profile_dir / f"{name}.txt").write_text(buf.getvalue())
    return out


def plans(meta: dict[str, Any], client: Any, headers: dict[str, str]) -> str:
    """The SQL of the list and detail requests with the database's plan for each SELECT."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = io.StringIO()
    for title, url in [
        ("list", f"/api/work-orders/?open=1&community={meta['community']}"),
        ("detail", f"/api/work-orders/{meta['detail_ids'][0]}/"),
    ]:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url, **headers)
        out.write(f"===== {title}: {url} ({len(ctx.captured_queries)} queries)\n")
        for q in ctx.captured_queries:
            sql = q["sql"]
            out.write(f"\n-- {q['time']}s\n{sql}\n")
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cur:
                if connection.vendor == "sqlite":
                    cur.execute("EXPLAIN QUERY PLAN " + sql)
                    for row in cur.fetchall():
                        out.write(f"   plan: {row[-1]}\n")
                else:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    for row in cur.fetchall():
                        out.write(f"   {row[0]}\n")
        out.write("\n")
    return out.getvalue()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--meta", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--profile", type=Path, help="write cProfile reports into this folder")
    p.add_argument("--plans", type=Path, help="write the SQL and query plans here")
    p.add_argument("--no-create", action="store_true")
    p.add_argument(
        "--only",
        help="comma-separated names of the requests to time (floor, list, detail, create, "
        "contact, intake, intake_page); all of them when not given",
    )
    args = p.parse_args()
    meta = json.loads(args.meta.read_text())

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {meta['token']}", "HTTP_ACCEPT": "application/json"}
    community = meta["community"]
    ids = meta["detail_ids"]
    hmin, hmax = meta["households"]

    def check(r: Any, code: int = 200) -> None:
        if r.status_code != code:
            raise SystemExit(f"HTTP {r.status_code}: {r.content[:300]!r}")

    def do_list(i: int) -> None:
        check(client.get(f"/api/work-orders/?open=1&community={community}", **headers))

    def do_detail(i: int) -> None:
        check(client.get(f"/api/work-orders/{ids[i % len(ids)]}/", **headers))

    def do_floor(i: int) -> None:
        check(client.get(f"/api/communities/{community}/", **headers))

    def do_create(i: int) -> None:
        body = {
            "community": community,
            "kind": "repair",
            "description": "厨房水龙头漏水，请尽快派人维修",
            "household": hmin + (i * 7919) % (hmax - hmin + 1),
        }
        check(
            client.post("/api/work-orders/", body, content_type="application/json", **headers), 201
        )

    def do_contact(i: int) -> None:
        """What the console's intake does, through the API: a call logged with its number and
        room, opening a repair order (POST /api/contacts/)."""
        household = hmin + (i * 7919) % (hmax - hmin + 1)
        body = {
            "community": community,
            "channel": "phone",
            "caller_phone": "13812345678",
            "caller_name": "张伟",
            "household": household,
            "intent": "repair",
            "content": "厨房水龙头漏水，请尽快派人维修",
            "outcome": "work_order",
            "work_orders": [
                {
                    "kind": "repair",
                    "description": "厨房水龙头漏水，请尽快派人维修",
                    "household": household,
                }
            ],
        }
        check(client.post("/api/contacts/", body, content_type="application/json", **headers), 201)

    # The console's front desk (web desk-intake): the receptionist, signed in with a session,
    # logs a call that opens a repair order for a room, the way the API create above does.
    from propdesk.community.models import Household, User

    console = Client()
    console.force_login(User.objects.get(pk=meta["reception"]))
    rooms = dict(
        Household.objects.filter(community_id=community, pk__range=(hmin, hmax)).values_list(
            "pk", "code"
        )
    )
    intake_url = f"/desk/{community}/intake/"

    def intake_body(i: int) -> dict[str, str]:
        return {
            "channel": "phone",
            "room": rooms[hmin + (i * 7919) % (hmax - hmin + 1)],
            "caller_phone": "13812345678",
            "caller_name": "张伟",
            "intent": "repair",
            "content": "厨房水龙头漏水，请尽快派人维修",
            "outcome": "work_order",
            "once": secrets.token_urlsafe(24),  # the form's one-time token (core.once)
        }

    def submit(i: int) -> None:
        r = console.post(intake_url, intake_body(i))
        if r.status_code != 302 or r["Location"] != intake_url:
            raise SystemExit(f"intake: HTTP {r.status_code}: {r.content[:300]!r}")

    def do_intake(i: int) -> None:
        """The submit alone: the form's POST, answered with a redirect."""
        submit(i)
        # The success message waits in its cookie for the redirect's GET, which shows it and
        # drops it. Without that GET drop it here: left to pile up, each submit re-encoded
        # every earlier message to fit the cookie (a tenth of its time).
        console.cookies.pop("messages", None)

    def do_intake_page(i: int) -> None:
        """The submit as the receptionist lives it: the POST, then the form again with the
        success message (the redirect's GET)."""
        submit(i)
        r = console.get(intake_url)
        check(r)
        if '<ul class="messages"><li class="success">已登记，已开工单' not in r.content.decode():
            raise SystemExit("intake: the landing page shows no success message")

    results = {"vendor": meta["vendor"], "orders": meta["orders"], "requests": []}
    todo = [("floor", do_floor), ("list", do_list), ("detail", do_detail)]
    if not args.no_create:
        todo += [
            ("create", do_create),
            ("contact", do_contact),
            ("intake", do_intake),
            ("intake_page", do_intake_page),
        ]
    if args.only:
        wanted = args.only.split(",")
        todo = [(n, fn) for n, fn in todo if n in wanted]
    if any(n.startswith("intake") for n, _fn in todo):
        from django.core.management import call_command

        # The console's pages name their static files through the manifest (as make run does).
        call_command("collectstatic", interactive=False, verbosity=0)
    for name, fn in todo:
        r = measure(name, fn, args.requests, args.warmup, args.profile)
        results["requests"].append(r)
        print(
            f"inprocess {meta['vendor']} {meta['orders']} {name}: median {r['median_ms']:.2f} ms"
            f" (db {r['db_median_ms']:.2f}, python {r['python_median_ms']:.2f},"
            f" cpu {r['cpu_median_ms']:.2f}),"
            f" p99 {r['p99_ms']:.2f} ms, {r['queries']:.0f} queries",
            file=sys.stderr,
        )
    if args.plans:
        args.plans.write_text(plans(meta, client, headers))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
