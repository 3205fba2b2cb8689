"""The monthly report (issue 6, item 7) at 1,000,000 orders: the selector, the JSON API, the
console page, and the PDF and Excel files, for one community-month, on SQLite and PostgreSQL.

    .venv/bin/python bench/monthly_report.py --db sqlite   [--orders 1000000] [--runs 10]
    .venv/bin/python bench/monthly_report.py --db postgres [--orders 1000000] [--runs 10]

(bench/report.py is the collector of bench/run-all, unrelated to this report.)

Data: bench/setup_data.py loads N orders (three communities, 60/25/15 %, three years) into a
dedicated database (bench/out/report-bench.sqlite3, or PostgreSQL propdesk_bench_report). Then,
once, this script bulk-inserts beside them:

- 200,000 return visits on resolved repair, housekeeping and complaint orders, spread over the
  three years and the communities as the orders are: 85 % answered (levels 30/40/18/8/4 % from
  很满意 to 不满意), 10 % no answer, 5 % refused; complaint orders get a complaint visit;
- clocks for every order of the last 12 months: FD-6 for each, plus DS-1 for repairs and
  housekeeping and CP-1 for complaints (about 1.8 a order): met (most), breached (8 %, half of
  them met late), running for open orders, cancelled for cancelled ones;
- 2,000 opinions and suggestions, 10 % still open.

Then, in this one process, on an injected clock: each measure once to warm up and ``--runs``
times; the median and the number of SQL queries of one run; the slowest queries of one report.
Results go to bench/out/monthly-report-<db>.json and bench/RESULTS.md (by hand).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PG = "postgres://postgres@127.0.0.1:5432/propdesk_bench_report"
SH = ZoneInfo("Asia/Shanghai")
VISITS = 200_000
ITEMS = 2_000
LEVELS = [
    ("very_satisfied", 30),
    ("satisfied", 40),
    ("fairly_satisfied", 18),
    ("not_very_satisfied", 8),
    ("dissatisfied", 4),
]


def database_url(db: str) -> str:
    return PG if db == "postgres" else f"sqlite:///{OUT / 'report-bench.sqlite3'}"


def load(db: str, orders: int) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(db), "SECRET_KEY": "bench"}
    env["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    cmd = [sys.executable, str(ROOT / "bench" / "setup_data.py"), "--orders", str(orders)]
    t0 = time.perf_counter()
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run([*cmd, "--reset"], env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"orders ready in {time.perf_counter() - t0:.0f}s", file=sys.stderr)


def add_followup_and_clocks() -> None:
    """Return visits, clocks and items (once: a bench_meta row says they are there)."""
    from django.db import connection, transaction

    from bench.setup_data import bench_meta, insert
    from propdesk.clocks.services import policy_for
    from propdesk.community.models import Community, Household, Membership
    from propdesk.desk.models import WorkOrder

    if bench_meta("report_extras") is not None:
        print("visits and clocks already loaded", file=sys.stderr)
        return
    t0 = time.perf_counter()
    rng = random.Random(11)
    communities = list(Community.objects.order_by("id"))
    reception = {
        c.pk: Membership.objects.filter(community=c, role="receptionist").values_list(
            "user_id", flat=True
        )[0]
        for c in communities
    }
    versions = {c.pk: policy_for(c)[1] for c in communities}
    building = dict(Household.objects.values_list("id", "unit__building_id"))

    # Return visits on a random sample of the resolved repair/housekeeping/complaint orders.
    done = list(
        WorkOrder.objects.filter(
            kind__in=["repair", "housekeeping", "complaint"], resolved_at__isnull=False
        ).values_list("id", "community_id", "kind", "household_id", "team_id", "resolved_at")
    )
    sample = rng.sample(done, min(VISITS, len(done)))
    visits = []
    for i, (oid, cid, kind, hid, team, resolved) in enumerate(sample):
        r = rng.random()
        outcome = "answered" if r < 0.85 else ("no_answer" if r < 0.95 else "refused")
        level = (
            rng.choices([lv for lv, _ in LEVELS], [w for _, w in LEVELS])[0]
            if outcome == "answered"
            else ""
        )
        visits.append(
            (
                i + 1,
                cid,
                "complaint" if kind == "complaint" else "order",
                oid,
                hid,
                "phone",
                "",
                outcome,
                level,
                "",
                None,
                reception[cid],
                resolved + timedelta(minutes=rng.randint(30, 3 * 24 * 60)),
                kind,
                team,
                building.get(hid) if hid else None,
            )
        )
    visit_cols = [
        "id",
        "community_id",
        "kind",
        "order_id",
        "household_id",
        "channel",
        "phone",
        "outcome",
        "level",
        "opinion",
        "retry_at",
        "visited_by_id",
        "at",
        "order_kind",
        "team_id",
        "building_id",
    ]

    # Clocks for every order of the last 12 months.
    last = WorkOrder.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    since = last - timedelta(days=365)
    clocks = []
    n = 0
    for oid, cid, kind, state, created in WorkOrder.objects.filter(
        created_at__gte=since
    ).values_list("id", "community_id", "kind", "state", "created_at"):
        rules = [("FD-6", "工单当日回复", 16 * 60)]
        if kind in ("repair", "housekeeping"):
            rules.append(("DS-1", "报修、家政当日完成", 16 * 60))
        elif kind == "complaint":
            rules.append(("CP-1", "投诉10分钟内安排管理员处理", 10))
        for rule_id, title, minutes in rules:
            n += 1
            due = created + timedelta(minutes=minutes)
            met_at = breached_at = cancelled_at = None
            if state == "cancelled":
                st, cancelled_at = "cancelled", created + timedelta(minutes=30)
            elif state in ("new", "dispatched", "accepted", "on_site", "returned", "reopened"):
                st = "running"
            elif rng.random() < 0.08:
                st, breached_at = "breached", due
                if rng.random() < 0.5:
                    met_at = due + timedelta(minutes=rng.randint(5, 600))
            else:
                st, met_at = "met", created + timedelta(minutes=rng.randint(1, minutes))
            clocks.append(
                (
                    n,
                    cid,
                    oid,
                    rule_id,
                    title,
                    "",
                    1,
                    st,
                    created,
                    due,
                    met_at,
                    breached_at,
                    cancelled_at,
                    "",
                    0,
                    due if st == "running" else None,
                    versions[cid],
                    "[]",
                    0,
                )
            )
    clock_cols = [
        "id",
        "community_id",
        "order_id",
        "rule_id",
        "title",
        "subject",
        "period",
        "state",
        "started_at",
        "due_at",
        "met_at",
        "breached_at",
        "cancelled_at",
        "cancel_reason",
        "level",
        "next_check_at",
        "policy_version_id",
        "progress",
        "paused_seconds",  # issue 16: no bench clock was paused
    ]

    # Opinions and suggestions, 10 % still open.
    households = list(Household.objects.values_list("id", "community_id", "unit__building_id"))
    items = []
    for i in range(ITEMS):
        hid, cid, bid = households[rng.randrange(len(households))]
        created = last - timedelta(days=rng.uniform(0, 365))
        is_open = rng.random() < 0.10
        items.append(
            (
                i + 1,
                cid,
                "suggestion",
                "建议小区增加儿童游乐设施",
                hid,
                bid,
                "",
                "open" if is_open else "replied",
                "" if is_open else "已答复",
                "" if is_open else "phone",
                None if is_open else reception[cid],
                None if is_open else created + timedelta(days=2),
                reception[cid],
                created,
            )
        )
    item_cols = [
        "id",
        "community_id",
        "kind",
        "text",
        "household_id",
        "building_id",
        "area",
        "state",
        "reply",
        "reply_channel",
        "replied_by_id",
        "replied_at",
        "created_by_id",
        "created_at",
    ]
    with transaction.atomic():
        insert("followup_returnvisit", visit_cols, visits, 20000)
        insert("clocks_clock", clock_cols, clocks, 20000)
        insert("followup_suggestionitem", item_cols, items, 20000)
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                for table in ("followup_returnvisit", "clocks_clock", "followup_suggestionitem"):
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
            cur.execute("INSERT INTO bench_meta (k, v) VALUES ('report_extras', %s)", [str(n)])
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        old = connection.connection.autocommit
        connection.connection.autocommit = True
        with connection.cursor() as cur:
            for table in ("followup_returnvisit", "clocks_clock", "followup_suggestionitem"):
                cur.execute(f"VACUUM (ANALYZE) {table}")
        connection.connection.autocommit = old
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(
        f"{len(visits)} visits, {len(clocks)} clocks, {len(items)} items"
        f" in {time.perf_counter() - t0:.0f}s",
        file=sys.stderr,
    )


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, int, list[dict[str, Any]]]:
    """Median milliseconds over ``runs`` (after one warm-up), and the queries of the warm-up
    (counted by an execute wrapper: a request through the test client resets Django's own
    query log at its start)."""
    from django.db import connection

    captured: list[dict[str, Any]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append({"ms": (time.perf_counter() - t) * 1000, "sql": sql})

    with connection.execute_wrapper(record):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), len(captured), captured


def measure(runs: int) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from propdesk.community.models import Community, Membership, User
    from propdesk.core.clock import FixedClock, set_clock
    from propdesk.desk.models import WorkOrder
    from propdesk.followup.selectors import satisfaction_trend
    from propdesk.reports.exports import report_pdf, report_xlsx
    from propdesk.reports.selectors import leadership_comparison, monthly_report

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # No collectstatic here: plain static URLs (the page's cost is the same).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    community = Community.objects.order_by("id").first()
    assert community is not None
    last = WorkOrder.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    now = last + timedelta(hours=12)
    set_clock(FixedClock(now))
    local = now.astimezone(SH)
    year, month = (local.year - 1, 12) if local.month == 1 else (local.year, local.month - 1)
    head = Membership.objects.filter(community=community, role="office_head").first()
    assert head is not None
    user = User.objects.get(pk=head.user_id)
    boss, _ = User.objects.get_or_create(
        username="bench-leadership",
        defaults={"company_id": community.company_id, "is_leadership": True},
    )
    web = Client()
    web.force_login(user)
    lead = Client()
    lead.force_login(boss)
    ym = f"{year:04d}-{month:02d}"
    q = f"?community={community.pk}&month={ym}"

    def get(client: Client, url: str) -> None:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.content[:300])

    report = monthly_report(community, year, month, now=now)
    results: dict[str, Any] = {
        "vendor": connection.vendor,
        "community": community.name,
        "month": ym,
        "orders_in_month": WorkOrder.objects.filter(
            community=community,
            created_at__gte=datetime(year, month, 1, tzinfo=SH),
            created_at__lt=datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=SH),
        ).count(),
        "answered_in_month": report.satisfaction.levels.answered,
        "clocks_in_month": sum(c.started for c in report.compliance),
        "breaches_total": report.breaches_total,
        "open_items": len(report.open_items),
        "measures": {},
    }
    measures: dict[str, Callable[[], Any]] = {
        "selector monthly_report": lambda: monthly_report(community, year, month, now=now),
        "API JSON /api/reports/monthly/": lambda: get(web, f"/api/reports/monthly/{q}"),
        "console page /desk/<id>/report/": lambda: get(
            web, f"/desk/{community.pk}/report/?month={ym}"
        ),
        "PDF export (report_pdf)": lambda: report_pdf(report),
        "XLSX export (report_xlsx)": lambda: report_xlsx(report),
        "API PDF /api/reports/monthly/pdf/": lambda: get(web, f"/api/reports/monthly/pdf/{q}"),
        "leadership comparison (3 communities)": lambda: leadership_comparison(
            boss, year, month, now=now
        ),
        # The 12-month trend (one CASE query since the rewrite; RESULTS.md has the before).
        "12-month trend (followup satisfaction_trend)": lambda: satisfaction_trend(
            community, year, month
        ),
    }
    slowest: list[dict[str, Any]] = []
    for name, fn in measures.items():
        ms, queries, captured = timed(fn, runs)
        results["measures"][name] = {"median_ms": round(ms, 1), "queries": queries}
        print(f"{name:45s} {ms:9.1f} ms  {queries:3d} queries", file=sys.stderr)
        if name.startswith("selector"):
            slowest = sorted(
                ({"ms": round(c["ms"], 2), "sql": c["sql"][:200]} for c in captured),
                key=lambda c: -c["ms"],
            )[:6]
    results["slowest_queries_of_one_report"] = slowest
    for s in slowest:
        print(f"  {s['ms']:8.1f} ms  {s['sql']}", file=sys.stderr)
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=10)
    args = p.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    load(args.db, args.orders)
    os.environ["DATABASE_URL"] = database_url(args.db)
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    add_followup_and_clocks()
    results = measure(args.runs)
    results.update(
        orders=args.orders,
        runs=args.runs,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        commit=subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
    )
    path = OUT / f"monthly-report-{args.db}.json"
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(json.dumps(results["measures"], ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
