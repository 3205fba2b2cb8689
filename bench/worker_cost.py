"""The background worker's cost per created order (issue 15): CPU and SQL statements of each
periodic job, per order created through the API as the load test creates them.

    .venv/bin/python bench/worker_cost.py --template /tmp/x-20000.sqlite3 \
        --meta /tmp/x-meta-20000.json [--orders 400] [--per-tick 25] [--idle-ticks 40] [--email]

The template is a database built by bench/setup_data.py, SQLite or PostgreSQL
(``postgres://…/NAME``); it is copied to a scratch file (or database, ``CREATE DATABASE …
TEMPLATE``) first, so every run starts from the same rows. On PostgreSQL the server's own CPU
is not counted. Then, as under bench/loadtest/run.py at 50
creates/s with the worker's 0.5 s tick: ``--per-tick`` repair orders are created through
``POST /api/work-orders/`` (django.test.Client, the bench token; not timed), then the worker's
tick runs as the embedded worker runs it (each registered job once, in order, then the main
loop's job ticks and heartbeat), timed per job (this process's CPU time, and the statements
through an execute wrapper). After the last orders, ticks run until nothing is left to tell or
deliver. Then ``--idle-ticks`` ticks with nothing to do: what the polling costs, per tick and
per idle minute of the embedded worker (each job's runs a minute at its own interval).

``--email``: every staff member gets an e-mail address (the locmem backend), so each in-app
notification is also an e-mail row claimed and sent by ``notify.deliver``.

Prints one JSON line: per job, CPU ms and statements per created order (busy part) and per idle
tick; the counts of what was written, and a digest of every notification's recipient, channel,
kind, title, payload and state (main and a branch must print the same digest). BENCH_APP_DIR
runs another copy of the app (``git archive main``) on the same data.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = Path(os.environ.get("BENCH_APP_DIR") or ROOT)
sys.path.insert(0, str(APP))


class Counter:
    def __init__(self, keep: bool = False) -> None:
        self.n = 0
        self.sql: list[str] | None = [] if keep else None

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any):
        self.n += 1
        if self.sql is not None:
            self.sql.append(sql[:300])
        return execute(sql, params, many, ctx)


def idle_minute(
    jobs: list[str], cpu: dict[str, float], stmts: dict[str, int], ticks: int
) -> dict[str, float]:
    """CPU ms and statements of one idle minute of the embedded worker, from the idle ticks:
    each job runs 60 / job_interval(name) times a minute (every WORKER_INTERVAL_SECONDS before
    per-job intervals), the main loop writes the ticks and heartbeat 60 / record_interval()
    times (every WORKER_INTERVAL_SECONDS before). The main loop's write is counted at its idle
    tick's cost here (every job's row), an upper bound once it writes only the jobs run since."""
    from django.conf import settings

    from propdesk.core import jobs as registry

    base = float(settings.WORKER_INTERVAL_SECONDS)
    every = getattr(registry, "job_interval", lambda name: base)
    try:
        from propdesk.core.management.commands.worker import record_interval

        writes = 60 / record_interval()
    except ImportError:
        writes = 60 / base
    runs = {name: 60 / every(name) for name in jobs}
    main_loop = "(job ticks + heartbeat)"
    return {
        "cpu_ms": round(
            (sum(cpu[n] * runs[n] for n in jobs) + cpu[main_loop] * writes) * 1000 / ticks, 1
        ),
        "stmts": round((sum(stmts[n] * runs[n] for n in jobs) + stmts[main_loop] * writes) / ticks),
        "job_runs": round(sum(runs.values())),
        "main_loop_writes": round(writes),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--template", required=True, help="an SQLite file, or postgres://…/NAME")
    p.add_argument("--meta", type=Path, required=True)
    p.add_argument("--orders", type=int, default=400)
    p.add_argument("--per-tick", type=int, default=25)
    p.add_argument("--idle-ticks", type=int, default=40)
    p.add_argument("--email", action="store_true")
    p.add_argument("--per-person", type=int, help="the communities' notify_cap per_person")
    p.add_argument("--roster", action="store_true", help="every team member on duty all day")
    p.add_argument("--show-sql", metavar="JOB", help="print the job's statements of one tick")
    p.add_argument("--profile", metavar="JOB", help="cProfile the job's busy ticks (stderr)")
    p.add_argument("--profile-out", type=Path, help="with --profile: also dump the stats here")
    scratch = ROOT / "bench" / "out" / f"worker_cost-{os.getpid()}.sqlite3"
    p.add_argument("--scratch", type=Path, default=scratch)
    args = p.parse_args()
    meta = json.loads(args.meta.read_text())

    pg = str(args.template).startswith("postgres")
    if pg:
        # postgres://…/NAME: a scratch copy NAME_run<pid> made with CREATE DATABASE … TEMPLATE.
        import psycopg

        base, name = args.template.rsplit("/", 1)
        scratch_name = f"{name}_run{os.getpid()}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch_name}" TEMPLATE "{name}"')
        os.environ["DATABASE_URL"] = f"{base}/{scratch_name}"
    else:
        shutil.copyfile(Path(args.template), args.scratch)
        os.environ["DATABASE_URL"] = f"sqlite:///{args.scratch}"
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from propdesk.community.models import User
    from propdesk.core.jobs import heartbeat, job_ticks, registered_jobs, run_job
    from propdesk.desk.models import Announcement
    from propdesk.notify.models import DigestItem, Notification

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.per_person:
        from propdesk.community.models import Community

        for c in Community.objects.all():
            c.policy = {**(c.policy or {}), "notify_cap": {"per_person": args.per_person}}
            c.save(update_fields=["policy"])
    if args.roster:
        from datetime import timedelta

        from propdesk.community.models import DutyShift, TeamMember

        start = timezone.now() - timedelta(hours=1)
        DutyShift.objects.bulk_create(
            DutyShift(
                team_id=m.team_id,
                user_id=m.user_id,
                starts_at=start,
                ends_at=start + timedelta(hours=12),
            )
            for m in TeamMember.objects.all()
        )
    if args.email:
        for u in User.objects.all():
            u.email = f"{u.username}@bench.invalid"
            u.save(update_fields=["email"])
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {meta['token']}", "HTTP_ACCEPT": "application/json"}
    hmin, hmax = meta["households"]
    texts = ["厨房水龙头漏水，请尽快派人维修", "楼道灯不亮，已经三天了", "卫生间下水道堵塞"]
    jobs = list(registered_jobs())
    cpu: dict[str, float] = defaultdict(float)
    stmts: dict[str, int] = defaultdict(int)
    idle_cpu: dict[str, float] = defaultdict(float)
    idle_stmts: dict[str, int] = defaultdict(int)
    shown: list[str] = []
    profile = cProfile.Profile()

    def tick(cpu: dict[str, float], stmts: dict[str, int]) -> dict[str, object]:
        out = {}
        now = timezone.now()
        for name in [*jobs, "(job ticks + heartbeat)"]:
            counter = Counter(keep=name == args.show_sql and not shown)
            prof = profile if name == args.profile and cpu is not idle_cpu else None
            with connection.execute_wrapper(counter):
                c = time.process_time()
                if prof:
                    prof.enable()
                if name in jobs:
                    out[name] = run_job(name, now)
                else:
                    job_ticks(dict.fromkeys(jobs, now))
                    heartbeat(now, "bench")
                if prof:
                    prof.disable()
                cpu[name] += time.process_time() - c
            stmts[name] += counter.n
            if counter.sql and counter.n > 3:
                shown.append(name)
                print("\n".join(counter.sql), file=sys.stderr)
        return out

    tick(defaultdict(float), defaultdict(int))  # warm up: imports, the calendar check
    # A running worker fills the URL resolver's reverse table once (per language) in its life;
    # the first link reversed here would pay it inside a busy tick (~0.4 ms per order of 400).
    from django.urls import reverse
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("desk-order", args=[1])
    created = 0
    i = 0
    busy_ticks = 0
    while created < args.orders:
        for _ in range(min(args.per_tick, args.orders - created)):
            body = {
                "community": meta["community"],
                "kind": "repair",
                "description": texts[i % len(texts)],
                "household": hmin + (i * 7919) % (hmax - hmin + 1),
            }
            r = client.post("/api/work-orders/", body, content_type="application/json", **headers)
            if r.status_code != 201:
                raise SystemExit(f"HTTP {r.status_code}: {r.content[:300]!r}")
            created += 1
            i += 1
        tick(cpu, stmts)
        busy_ticks += 1
    for _ in range(50):  # drain
        busy_ticks += 1
        tick(cpu, stmts)
        if not (
            Announcement.objects.filter(done_at__isnull=True).exists()
            or Notification.objects.filter(state__in=("pending", "sending")).exists()
        ):
            break
    for _ in range(args.idle_ticks):
        tick(idle_cpu, idle_stmts)

    rows = []
    for r in Notification.objects.values(
        "recipient_id",
        "endpoint_id",
        "channel",
        "kind",
        "title",
        "payload",
        "cause",
        "dedupe_key",
        "state",
        "attempts",
    ):
        if r["kind"] == "digest":  # its cause and key carry the wall clock's milliseconds
            r["cause"] = r["dedupe_key"] = ""
        rows.append(json.dumps(r, sort_keys=True, ensure_ascii=False, default=str))
    rows.extend(
        json.dumps(r, sort_keys=True, ensure_ascii=False, default=str)
        for r in DigestItem.objects.values(
            "digest__recipient_id", "cause", "kind", "title", "payload"
        )
    )
    rows.sort()
    digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
    from django.core import mail

    names = [*jobs, "(job ticks + heartbeat)"]
    result = {
        "app": str(APP),
        "orders": created,
        "per_tick": args.per_tick,
        "busy_ticks": busy_ticks,
        "email": args.email,
        "per_person": args.per_person,
        "roster": args.roster,
        "cpu_ms_per_order": round(sum(cpu.values()) * 1000 / created, 3),
        "stmts_per_order": round(sum(stmts.values()) / created, 2),
        "by_job_cpu_ms_per_order": {n: round(cpu[n] * 1000 / created, 3) for n in names},
        "by_job_stmts_per_order": {n: round(stmts[n] / created, 2) for n in names},
        "idle_tick_cpu_ms": {n: round(idle_cpu[n] * 1000 / args.idle_ticks, 3) for n in names},
        "idle_tick_stmts": {n: idle_stmts[n] / args.idle_ticks for n in names},
        # An idle minute of the embedded worker: each job's idle run times its runs a minute
        # (60 / job_interval), the main loop's write times its writes a minute.
        "idle_minute": idle_minute(jobs, idle_cpu, idle_stmts, args.idle_ticks),
        "announcements": Announcement.objects.count(),
        "announcements_pending": Announcement.objects.filter(done_at__isnull=True).count(),
        "notifications": Notification.objects.count(),
        "digest_items": DigestItem.objects.count(),
        "emails_sent": len(getattr(mail, "outbox", [])),
        "digest": digest,
        "load": os.getloadavg()[0],
    }
    print(json.dumps(result))
    if args.profile:
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
        pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        if args.profile_out:
            profile.dump_stats(str(args.profile_out))
    connection.close()
    if pg:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{scratch_name}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.scratch}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
