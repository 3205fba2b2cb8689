"""Clock sweeper and compliance benchmark (issue: the office's time rules as clocks).

    bench/sweep.py --db sqlite --sizes 10000,1000000
    bench/sweep.py --db postgres --sizes 10000,1000000

For each size N: a fresh database with N open work orders and N running clocks (started over
three years, deadlines days away, so nothing is due), then, side by side in one run:
  - a sweep that finds nothing due (median of 20);
  - a sweep that finds 1,000 due clocks and breaches and escalates them (median of 5 rounds,
    each with 1,000 fresh due clocks): ms per sweep and per clock;
  - a sweep of 10,000 due clocks at once;
  - the compliance query for one community-month (median of 10).
And once, with the embedded worker running: how long after its deadline each breach's escalation
is written (200 clocks falling due over a few seconds).

Data goes in with the app's own lean insert (bench data, not the write path). Results print as a
table; bench/RESULTS.md records them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PG = "postgres://postgres@127.0.0.1:5432/propdesk_bench_sweep"


def database_url(db: str) -> str:
    return PG if db == "postgres" else f"sqlite:///{OUT / 'sweep-bench.sqlite3'}"


def fresh_database(db: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    if db == "postgres":
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS propdesk_bench_sweep")
            c.execute("CREATE DATABASE propdesk_bench_sweep")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{OUT / 'sweep-bench.sqlite3'}{suffix}").unlink(missing_ok=True)


def setup_django(db: str) -> None:
    os.environ["DATABASE_URL"] = database_url(db)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(n: int, now: datetime):  # type: ignore[no-untyped-def]
    from django.db import transaction

    from propdesk.clocks.models import Clock
    from propdesk.clocks.services import policy_for
    from propdesk.community.models import (
        Building,
        Community,
        Company,
        Household,
        Membership,
        Team,
        Unit,
        User,
    )
    from propdesk.core.bulk import insert_many
    from propdesk.desk.models import WorkOrder

    company = Company.objects.create(name="锦绣物业(bench)")
    community = Community.objects.create(company=company, name="锦绣花园", code="jxhy")
    staff = {}
    for role in ("receptionist", "administrator", "office_head", "team_leader"):
        staff[role] = User.objects.create(username=f"bench-{role}", company=company)
        Membership.objects.create(user=staff[role], community=community, role=role)
    User.objects.create(username="bench-boss", company=company, is_leadership=True)
    team = Team.objects.create(
        community=community, kind="repair", name="维修班", leader=staff["team_leader"]
    )
    unit = Unit.objects.create(
        building=Building.objects.create(community=community, number="1"), number="1"
    )
    household = Household.objects.create(community=community, unit=unit, room="101", code="1-1-101")
    _policy, version_id = policy_for(community)
    chunk = 20000
    start_id = 1
    with transaction.atomic():
        for base in range(0, n, chunk):
            size = min(chunk, n - base)
            insert_many(
                WorkOrder,
                (
                    "id",
                    "community",
                    "number",
                    "kind",
                    "complaint_type",
                    "is_important",
                    "is_long_running",
                    "is_construction_legacy",
                    "household",
                    "location",
                    "description",
                    "reporter_name",
                    "reporter_phone",
                    "team",
                    "assignee",
                    "state",
                    "version",
                    "created_by",
                    "created_at",
                    "updated_at",
                ),
                [
                    (
                        start_id + base + i,
                        community.pk,
                        f"GD-B-{base + i:07d}",
                        "repair",
                        "",
                        False,
                        False,
                        False,
                        household.pk,
                        "",
                        "水龙头漏水",
                        "",
                        "",
                        team.pk,
                        staff["team_leader"].pk,
                        "accepted",
                        3,
                        staff["receptionist"].pk,
                        now,
                        now,
                    )
                    for i in range(size)
                ],
            )
            far = now + timedelta(days=2)
            insert_many(
                Clock,
                (
                    "community",
                    "order",
                    "rule_id",
                    "title",
                    "subject",
                    "period",
                    "state",
                    "started_at",
                    "due_at",
                    "level",
                    "next_check_at",
                    "policy_version",
                    "progress",
                    "cancel_reason",
                ),
                [
                    (
                        community.pk,
                        start_id + base + i,
                        "DS-1",
                        "报修、家政当日完成",
                        "",
                        1,
                        "running",
                        # started over three years (~1/36 in any month), due days ahead
                        now - timedelta(days=(base + i) % 1095),
                        far + timedelta(seconds=i % 86400),
                        0,
                        far + timedelta(seconds=i % 86400),
                        version_id,
                        [],
                        "",
                    )
                    for i in range(size)
                ],
            )
    if os.environ["DATABASE_URL"].startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return community


def make_due(k: int, at: datetime) -> None:
    """k running clocks fall due just before ``at`` (a set-based update, outside the timing)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE clocks_clock SET due_at = %s, next_check_at = %s, warn_at = NULL "
            "WHERE id IN (SELECT id FROM clocks_clock WHERE state = 'running' "
            "AND next_check_at > %s ORDER BY id LIMIT %s)",
            [at - timedelta(seconds=1), at - timedelta(seconds=1), at, k],
        )


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def measure(n: int, db: str) -> dict[str, float]:
    from propdesk.clocks.selectors import compliance_for_month
    from propdesk.clocks.services import clocks_sweep

    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    t = time.perf_counter()
    community = populate(n, now)
    load_s = time.perf_counter() - t
    results: dict[str, float] = {"load_s": load_s}
    clocks_sweep(now=now)  # warm caches
    results["nothing_due_ms"] = statistics.median(
        timed(lambda: clocks_sweep(now=now)) for _ in range(20)
    )
    rounds = []
    for r in range(5):
        at = now + timedelta(minutes=r + 1)
        make_due(1000, at)
        rounds.append(timed(lambda at=at: clocks_sweep(now=at, batch_size=1000)))
    results["due1000_ms"] = statistics.median(rounds)
    at = now + timedelta(minutes=30)
    make_due(10000, at)
    results["due10000_ms"] = timed(lambda: clocks_sweep(now=at, batch_size=1000))
    results["compliance_ms"] = statistics.median(
        timed(lambda: compliance_for_month(community, 2026, 11)) for _ in range(10)
    )
    return results


def worker_latency(db: str) -> dict[str, float]:
    """The embedded worker on the database: how long after its deadline each escalation lands."""
    from django.db import connection

    from propdesk.notify.models import Notification

    with connection.cursor() as cur:
        # Park what the timed rounds left to escalate later (their fake "now" is in the past for
        # the real clock), so the worker sees only the 200 clocks below. Only those rows change:
        # a mass update would leave a million dead index entries behind and measure vacuum.
        cur.execute(
            "UPDATE clocks_clock SET next_check_at = NULL WHERE next_check_at < %s",
            [datetime.now(UTC) + timedelta(hours=1)],
        )
    env = dict(os.environ)  # the worker as make run starts it (default interval)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--name", "bench"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)  # started and ticking
        start = datetime.now(UTC) + timedelta(seconds=2)
        due = [start + timedelta(milliseconds=25 * i) for i in range(200)]
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM clocks_clock WHERE state = 'running' ORDER BY id LIMIT 200")
            ids = [row[0] for row in cur.fetchall()]
            for clock_id, when in zip(ids, due, strict=True):
                cur.execute(
                    "UPDATE clocks_clock SET due_at = %s, next_check_at = %s, "
                    "warn_at = NULL WHERE id = %s",
                    [when, when, clock_id],
                )
        deadline = time.monotonic() + 20
        causes = [f"clock:{i}:L1" for i in ids]
        while time.monotonic() < deadline:
            done = Notification.objects.filter(cause__in=causes).values("cause").distinct()
            if done.count() == len(ids):
                break
            time.sleep(0.5)
        written = dict(
            Notification.objects.filter(cause__in=causes).values_list("cause", "created_at")
        )
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    lags = sorted(
        (written[f"clock:{i}:L1"] - when).total_seconds()
        for i, when in zip(ids, due, strict=True)
        if f"clock:{i}:L1" in written
    )
    return {
        "escalated": len(lags),
        "of": len(ids),
        "lag_median_s": statistics.median(lags) if lags else float("nan"),
        "lag_max_s": max(lags) if lags else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size, fresh
    args = parser.parse_args()
    if args.one:
        fresh_database(args.db)
        setup_django(args.db)
        r = measure(args.one, args.db)
        extra = (
            worker_latency(args.db)
            if args.one == max(int(s) for s in args.sizes.split(","))
            else {}
        )
        print({**r, **extra}, flush=True)
        return
    print(f"sweeper benchmark on {args.db}: {os.cpu_count()} cores")
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--db", args.db, "--sizes", args.sizes, "--one", str(n)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if out.returncode != 0:
            sys.exit(out.stderr)
        rows.append((n, eval(out.stdout.strip().splitlines()[-1])))  # noqa: S307 - our own dict
    print(
        f"{'open clocks':>12} {'load s':>7} {'nothing due ms':>15} {'1000 due ms':>12} "
        f"{'ms/clock':>9} {'10000 due ms':>13} {'compliance ms':>14}"
    )
    for n, r in rows:
        print(
            f"{n:>12,} {r['load_s']:>7.1f} {r['nothing_due_ms']:>15.2f} "
            f"{r['due1000_ms']:>12.1f} {r['due1000_ms'] / 1000:>9.3f} "
            f"{r['due10000_ms']:>13.0f} {r['compliance_ms']:>14.1f}"
        )
    last = rows[-1][1]
    if "lag_max_s" in last:
        print(
            f"worker running: {last['escalated']}/{last['of']} escalations written, "
            f"{last['lag_median_s']:.2f} s median and {last['lag_max_s']:.2f} s max after "
            f"their deadline"
        )


if __name__ == "__main__":
    main()
