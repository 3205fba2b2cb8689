"""Server time of the staff console's board and queues with 100,000 orders (issue 5: < 150 ms).

    bench/console.py --db sqlite   [--orders 100000] [--requests 30]
    bench/console.py --db postgres [--orders 100000] [--requests 30]
    bench/console.py --url sqlite:////tmp/x/bench-100000.sqlite3 [--only board,order]

``--url`` measures an already loaded bench database (any name; ``setup_data.py`` is still run
on it, which leaves a database holding the same N orders as it is). ``--only`` keeps the pages
whose label contains one of the words.

Loads the bench database with bench/setup_data.py (one company, three communities, N orders of
three years, ~7 % open), then gives every open order a running clock (deadlines from 3 hours ago
to 2 days ahead, so some are overdue), puts the repair team on duty, and assigns some open
orders to its members. Then, in this one process, each page goes through Django's whole stack
(sessions, auth, middleware, view, template) with django.test.Client, on an injected clock,
`--requests` times after two warm-ups; the table gives the median and the 95th percentile of the
server time and the number of SQL queries of one request. Results: bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PG = "postgres://postgres@127.0.0.1:5432/propdesk_bench_console"
# The bench's clocks: a complaint's, and every other order's (rule, title).
COMPLAINT_RULE = ("CP-1", "投诉10分钟内安排管理员处理")
REPAIR_RULE = ("DS-1", "报修、家政当日完成")


def database_url(db: str) -> str:
    if os.environ.get("BENCH_CONSOLE_URL"):
        return os.environ["BENCH_CONSOLE_URL"]
    return PG if db == "postgres" else f"sqlite:///{OUT / 'console-bench.sqlite3'}"


def load(db: str, orders: int) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(db), "SECRET_KEY": "bench"}
    env["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    cmd = [sys.executable, str(ROOT / "bench" / "setup_data.py"), "--orders", str(orders)]
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run([*cmd, "--reset"], env=env, check=True, stdout=subprocess.DEVNULL)


def add_history(community, version) -> None:  # type: ignore[no-untyped-def]
    """Three clocks per order done (closed, cancelled, resolved, followed up), as the rules left
    them: one in ten breached, of those four in five met late and one in five cancelled (a
    breach keeps its state with its met_at or cancelled_at, for the figures), the rest met on
    time. Without them the bench's clocks were the open orders' alone, and it could not see a
    walk of the live clocks that read every breach the community ever had (bench/RESULTS.md,
    "A breach's history in the live indexes")."""
    from propdesk.clocks.models import Clock
    from propdesk.core.bulk import insert_many
    from propdesk.desk.models import WorkOrder
    from propdesk.policy.workflow import FINAL_STATES

    fields = (
        "community",
        "order",
        "rule_id",
        "title",
        "state",
        "started_at",
        "due_at",
        "met_at",
        "breached_at",
        "cancelled_at",
        "policy_version",
    )
    rules = [REPAIR_RULE, COMPLAINT_RULE]
    done = WorkOrder.objects.filter(
        community=community, state__in=[s.value for s in FINAL_STATES]
    ).values_list("pk", "created_at")
    rows = []
    for pk, created in done.iterator(chunk_size=20_000):
        for k in range(3):
            rule_id, title = rules[k % 2]
            h = (pk * 7 + k * 13) % 100
            breached, cancelled = h < 10, h in (8, 9)
            due = created + timedelta(hours=1)
            met = created + timedelta(minutes=70 + h if breached else h % 50)
            rows.append(
                (
                    community.pk,
                    pk,
                    rule_id,
                    title,
                    "breached" if breached else "met",
                    created,
                    due,
                    None if cancelled else met,
                    due if breached else None,
                    created + timedelta(hours=2) if cancelled else None,
                    version,
                )
            )
        if len(rows) >= 30_000:
            insert_many(Clock, fields, rows)
            rows = []
    insert_many(Clock, fields, rows)


def add_clocks_and_duty(now):  # type: ignore[no-untyped-def]
    """One running clock per open order and the history of the orders done (``add_history``),
    idempotent; the repair team on duty, some orders dispatched to the team's members."""
    import random

    from django.db import transaction

    from propdesk.clocks.models import Clock
    from propdesk.clocks.services import policy_for
    from propdesk.community.models import Community, DutyShift, Team
    from propdesk.core.bulk import insert_many
    from propdesk.desk.models import WorkOrder
    from propdesk.policy.workflow import OPEN_STATES

    # Idempotent: the bench data's own worker tick may have started a few clocks already.
    if Clock.objects.filter(order__isnull=False).count() > 1000:
        return
    rng = random.Random(7)
    rule = {"complaint": COMPLAINT_RULE}
    with transaction.atomic():
        for community in Community.objects.all():
            _policy, version = policy_for(community)
            rows = []
            for pk, kind in WorkOrder.objects.filter(
                community=community, state__in=[s.value for s in OPEN_STATES]
            ).values_list("pk", "kind"):
                rule_id, title = rule.get(kind, REPAIR_RULE)
                due = now + timedelta(minutes=rng.randint(-180, 2880))
                rows.append(
                    (
                        community.pk,
                        pk,
                        rule_id,
                        title,
                        "running",
                        now - timedelta(hours=3),
                        due,
                        due - timedelta(hours=2),
                        due,
                        version,
                    )
                )
            insert_many(
                Clock,
                (
                    "community",
                    "order",
                    "rule_id",
                    "title",
                    "state",
                    "started_at",
                    "due_at",
                    "warn_at",
                    "next_check_at",
                    "policy_version",
                ),
                rows,
            )
            add_history(community, version)
            team = Team.objects.get(community=community, kind="repair")
            members = list(team.members.all())
            for m in members:
                DutyShift.objects.create(
                    team=team,
                    user=m,
                    starts_at=now - timedelta(hours=2),
                    ends_at=now + timedelta(hours=6),
                )
            open_repairs = list(
                WorkOrder.objects.filter(
                    community=community, team=team, state="dispatched"
                ).values_list("pk", flat=True)
            )
            for i, pk in enumerate(open_repairs):
                if i % 3:  # two in three are with a member; the rest wait for the leader
                    WorkOrder.objects.filter(pk=pk).update(assignee=members[i % len(members)])
                else:
                    WorkOrder.objects.filter(pk=pk).update(assignee=team.leader)
    # The statistics of a settled database: on PostgreSQL as autovacuum would gather them
    # (without them the planner took the 41,000 new clocks at 1M for one row, and the board's
    # SQL for 260 ms); on SQLite as the worker's core.optimize keeps them.
    from django.db import connection

    from propdesk.core.sqlite.stats import statistics_refresh

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        statistics_refresh(connection)


def measure(
    requests: int, only: list[str]
) -> list[tuple[str, float, float, float, float, int, int]]:
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from propdesk.community.models import Community, Membership, Team
    from propdesk.core.clock import FixedClock, set_clock
    from propdesk.desk.models import WorkOrder
    from propdesk.policy.workflow import OPEN_STATES

    OPEN = [s.value for s in OPEN_STATES]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    community = Community.objects.order_by("id").first()
    assert community is not None
    now = WorkOrder.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    now += timedelta(hours=12)
    set_clock(FixedClock(now))
    add_clocks_and_duty(now)

    def user(role: str):  # type: ignore[no-untyped-def]
        return Membership.objects.filter(community=community, role=role).first().user  # type: ignore[union-attr]

    leader = Team.objects.get(community=community, kind="repair").leader
    # The repair member with the most open jobs (the first by id may hold none).
    member = (
        Team.objects.get(community=community, kind="repair")
        .members.annotate(jobs=Count("assigned_orders", filter=Q(assigned_orders__state__in=OPEN)))
        .order_by("-jobs", "id")
        .first()
    )
    cid = community.pk
    open_repair = (
        WorkOrder.objects.filter(community=community, kind="repair", state="dispatched")
        .order_by("-id")
        .values_list("pk", flat=True)[0]
    )
    closed = (
        WorkOrder.objects.filter(community=community, state="closed")
        .order_by("-id")
        .values_list("pk", flat=True)[0]
    )
    pages = [
        ("board (full page)", user("administrator"), f"/desk/{cid}/board/", {}),
        (
            "board (htmx refresh)",
            user("administrator"),
            f"/desk/{cid}/board/",
            {"HTTP_HX_REQUEST": "true"},
        ),
        (
            "board, overdue only",
            user("administrator"),
            f"/desk/{cid}/board/?overdue=1",
            {"HTTP_HX_REQUEST": "true"},
        ),
        (
            "board, complaints",
            user("administrator"),
            f"/desk/{cid}/board/?kind=complaint",
            {"HTTP_HX_REQUEST": "true"},
        ),
        ("queue: administrator", user("administrator"), f"/desk/{cid}/queue/", {}),
        ("queue: office head", user("office_head"), f"/desk/{cid}/queue/", {}),
        ("queue: team leader", leader, f"/desk/{cid}/queue/", {}),
        ("my jobs: team member", member, f"/desk/{cid}/jobs/", {}),
        ("my jobs: team leader", leader, f"/desk/{cid}/jobs/", {}),
        ("front desk", user("receptionist"), f"/desk/{cid}/intake/", {}),
        ("queue: receptionist", user("receptionist"), f"/desk/{cid}/queue/", {}),
        ("order page: open repair", user("receptionist"), f"/desk/orders/{open_repair}/", {}),
        ("order page: closed order", user("receptionist"), f"/desk/orders/{closed}/", {}),
        *find_pages(cid, closed, user("receptionist"), member),
    ]
    if only:
        pages = [p for p in pages if any(w in p[0] for w in only)]
    rows = []
    for label, who, url, headers in pages:
        client = Client()
        client.force_login(who)
        for _ in range(2):
            # 查找工单 by a whole number answers with the order's address (302).
            assert client.get(url, **headers).status_code in (200, 302), (label, url)
        times, sql_times, cpu_times = [], [], []
        for _ in range(requests):
            reset_queries()
            spent = [0.0]

            def timed(execute, sql, params, many, context, spent=spent):  # type: ignore[no-untyped-def]
                t0 = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    spent[0] += time.perf_counter() - t0

            with connection.execute_wrapper(timed):
                t, c = time.perf_counter(), time.process_time()
                r = client.get(url, **headers)
                times.append((time.perf_counter() - t) * 1000)
                cpu_times.append((time.process_time() - c) * 1000)
            sql_times.append(spent[0] * 1000)
            assert r.status_code in (200, 302)
        with CaptureQueriesContext(connection) as q:
            client.get(url, **headers)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        size = len(r.content)
        rows.append(
            (
                label,
                statistics.median(times),
                p95,
                statistics.median(sql_times),
                statistics.median(cpu_times),
                len(q.captured_queries),
                size,
            )
        )
    return rows


def find_pages(cid: int, closed: int, receptionist, member) -> list:  # type: ignore[no-untyped-def,type-arg]
    """查找工单 (``desk.search``): each way of reading what was typed, at the community's size. A
    closed order's number (which opens it: 302), its day, its room and a resident's phone; words
    most orders have and words none has, of two characters (the newest orders walked to the
    end) and of more (PostgreSQL's trigram index)."""
    from urllib.parse import urlencode

    from propdesk.community.models import Resident
    from propdesk.desk.models import WorkOrder

    order = (
        WorkOrder.objects.select_related("household")
        .filter(community_id=cid, state="closed", household__isnull=False, pk__lte=closed)
        .order_by("-pk")
        .first()
    )
    assert order is not None and order.household is not None
    phone = Resident.objects.filter(household=order.household).values_list("phone", flat=True)
    day = order.number.split("-")[1]

    def find(q: str, **more: str) -> str:
        return f"/desk/{cid}/orders/?{urlencode({'q': q, **more})}"

    pages = [
        ("find: a number (opens it)", receptionist, find(order.number)),
        ("find: a day", receptionist, find(day)),
        ("find: a room", receptionist, find(order.household.code)),
        ("find: a common word", receptionist, find("积水")),
        ("find: a common word, page 5", receptionist, find("积水", page="5")),
        ("find: a rare word, 2 characters", receptionist, find("无此")),
        ("find: a rare word, 5 characters", receptionist, find("无此说法的")),
        ("find: a common word, team member", member, find("漏水")),
    ]
    if phone:
        pages.insert(3, ("find: a phone", receptionist, find(phone[0])))
    return [(label, who, url, {}) for label, who, url in pages]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--orders", type=int, default=100_000)
    p.add_argument("--requests", type=int, default=30)
    p.add_argument("--url", default="", help="an already loaded bench database")
    p.add_argument("--only", default="", help="comma-separated words of the pages to measure")
    args = p.parse_args()
    if args.url:
        os.environ["BENCH_CONSOLE_URL"] = args.url
    OUT.mkdir(parents=True, exist_ok=True)
    load(args.db, args.orders)
    os.environ["DATABASE_URL"] = database_url(args.db)
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # as make run does
    from django.db import connection

    from propdesk.community.models import Community
    from propdesk.desk.models import WorkOrder
    from propdesk.policy.workflow import OPEN_STATES

    community = Community.objects.order_by("id").first()
    open_n = WorkOrder.objects.filter(
        community=community, state__in=[s.value for s in OPEN_STATES]
    ).count()
    print(
        f"{connection.vendor}: {WorkOrder.objects.count()} orders; first community"
        f" {WorkOrder.objects.filter(community=community).count()}, open {open_n}"
    )
    rows = measure(args.requests, [w for w in args.only.split(",") if w])
    print(f"load average {os.getloadavg()[0]:.2f}")
    # CPU ms: this process's CPU time per request (median), less sensitive than the wall clock
    # to other processes on a shared machine; on SQLite it includes the database's work.
    head = f"{'page':28} {'median ms':>10} {'p95 ms':>8} {'SQL ms':>7} {'CPU ms':>7}"
    print(f"{head} {'queries':>8} {'bytes':>8}")
    for label, med, p95, sql, cpu, queries, size in rows:
        print(f"{label:28} {med:10.1f} {p95:8.1f} {sql:7.1f} {cpu:7.1f} {queries:8d} {size:8d}")


if __name__ == "__main__":
    main()
