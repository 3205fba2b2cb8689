"""Growth (issue 15): work-order events and clock logs at 1M orders and at 10M events on
PostgreSQL, their sizes, the queries that read them, and the same on a month-partitioned copy.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/propdesk_bench_growth SECRET_KEY=bench \
        .venv/bin/python bench/setup_data.py --orders 1000000        # ~2 min, once
    DB=propdesk_bench_growth .venv/bin/python bench/growth.py       # ~10 min; STEPS=..., RUNS=...

It adds rows to the database it is given: use one of its own, not bench/run-all's.

1. As loaded by bench/setup_data.py: N orders, one `create` event each, no clock log.
2. Grown to a life-like history: 9 more events per order (dispatch, accept, on site, notes,
   resolve, close, follow-up ... spread over the order's first days: ~10M events at 1M orders),
   one clock per order (FD-6, met; 8 % breached) with its log lines (started, met or
   breached + met_late): ~2.2M lines. Inserted set-based (INSERT ... SELECT), then VACUUM ANALYZE.
3. A copy of the events partitioned by month on `at` (declarative RANGE partitioning, one
   partition a month, the same indexes; the primary key must then be (id, at)).

For each state: table and index sizes, and the statements the app runs on these tables (median
of 200 runs with random parameters, one connection, no prepared statements, as Django runs them;
EXPLAIN (ANALYZE, BUFFERS) of one each into bench/out/growth-plans.txt):
  - timeline: an order's events (`event_order_time`), and its clock log (`clocklog_order_time`);
  - live cursor: the newest event of three communities (`event_comm_id`, web/live.py);
  - sweeper: the due batch on `clock_next_check` (FOR UPDATE SKIP LOCKED, rolled back);
  - monthly report range scans: one community-month of orders and of clocks;
  - one month of events by time (not a query the app runs: what partitioning would speed up);
  - one event insert (the write path), and VACUUM ANALYZE of the events table.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DB = os.environ.get("DB", "propdesk_bench_growth")
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
RUNS = int(os.environ.get("RUNS", "200"))
PLANS = OUT / "growth-plans.txt"

EVENTS = "desk_workorderevent"
PART = "bench_event_bymonth"


def sizes(conn: psycopg.Connection[Any], tables: list[str]) -> dict[str, Any]:
    out = {}
    for t in tables:
        rows, heap, idx, kind = conn.execute(
            "SELECT greatest(reltuples, 0)::bigint, pg_table_size(%s::regclass),"
            " pg_indexes_size(%s::regclass), relkind FROM pg_class WHERE oid = %s::regclass",
            [t, t, t],
        ).fetchone()
        if kind == "p":  # a partitioned parent: sum its partitions
            rows, heap, idx = conn.execute(
                "SELECT sum(c.reltuples)::bigint, sum(pg_table_size(c.oid)),"
                " sum(pg_indexes_size(c.oid)) FROM pg_inherits i JOIN pg_class c"
                " ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
                [t],
            ).fetchone()
        per_index = conn.execute(
            "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index"
            " WHERE indrelid = %s::regclass ORDER BY 2 DESC",
            [t],
        ).fetchall()
        out[t] = {
            "rows": int(rows),
            "table_mb": round(heap / 2**20),
            "indexes_mb": round(idx / 2**20),
            "indexes": {name: round(b / 2**20) for name, b in per_index},
        }
    return out


def timed(conn: psycopg.Connection[Any], sql: str, params: Any, runs: int = RUNS) -> float:
    """Median ms of ``sql`` with params() per run (a callable) or fixed params."""
    times = []
    for _ in range(runs):
        p = params() if callable(params) else params
        t = time.perf_counter()
        conn.execute(sql, p).fetchall()
        times.append((time.perf_counter() - t) * 1000)
        if not conn.autocommit:
            conn.rollback()
    return round(statistics.median(times), 3)


def plan(conn: psycopg.Connection[Any], label: str, sql: str, params: Any) -> None:
    rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
    if not conn.autocommit:
        conn.rollback()
    with PLANS.open("a") as fh:
        fh.write(f"--- {label}\n{sql}\n" + "\n".join(r[0] for r in rows) + "\n\n")


def measure(conn: psycopg.Connection[Any], label: str, events: str) -> dict[str, Any]:
    rng = random.Random(1)
    max_order = conn.execute("SELECT max(id) FROM desk_workorder").fetchone()[0]
    communities = [r[0] for r in conn.execute("SELECT id FROM community_community ORDER BY id")]
    first = communities[0]
    last_month = conn.execute(
        "SELECT date_trunc('month', max(created_at)) - interval '1 month' FROM desk_workorder"
    ).fetchone()[0]
    month = (last_month, (last_month + timedelta(days=32)).replace(day=1))
    order = lambda: [rng.randint(1, max_order)]  # noqa: E731
    queries = {
        "timeline: an order's events": (
            f"SELECT id, at, action, actor_id, data FROM {events} WHERE order_id = %s"  # noqa: S608
            " ORDER BY at, id",
            order,
        ),
        "timeline: an order's clock log": (
            "SELECT id, at, what, data FROM clocks_clocklog WHERE order_id = %s ORDER BY at, id",
            order,
        ),
        "live cursor: newest event of 3 communities": (
            f"SELECT MAX((SELECT e.id FROM {events} e WHERE e.community_id >= v.id"  # noqa: S608
            " AND e.community_id <= v.id ORDER BY e.community_id DESC, e.id DESC LIMIT 1))"
            " FROM community_community v WHERE v.id = ANY(%s)",
            [communities[:3]],
        ),
        "sweeper: due batch (nothing due)": (
            "SELECT id FROM clocks_clock WHERE next_check_at < %s ORDER BY next_check_at"
            " LIMIT 500 FOR UPDATE SKIP LOCKED",
            [datetime.now(UTC)],
        ),
        "report: one community-month of orders": (
            "SELECT count(*), count(*) FILTER (WHERE state = 'closed') FROM desk_workorder"
            " WHERE community_id = %s AND created_at >= %s AND created_at < %s",
            [first, *month],
        ),
        "report: one community-month of clocks": (
            "SELECT rule_id, count(*), count(*) FILTER (WHERE state = 'breached') FROM"
            " clocks_clock WHERE community_id = %s AND started_at >= %s AND started_at < %s"
            " GROUP BY rule_id",
            [first, *month],
        ),
        "one month of events by time (not run by the app)": (
            f"SELECT count(*) FROM {events} WHERE at >= %s AND at < %s",  # noqa: S608
            list(month),
        ),
    }
    out: dict[str, Any] = {"label": label, "events_table": events, "ms": {}}
    conn.autocommit = False
    for name, (sql, params) in queries.items():
        runs = 10 if "by time" in name else RUNS
        conn.execute(sql, params() if callable(params) else params).fetchall()  # warm
        conn.rollback()
        out["ms"][name] = timed(conn, sql, params, runs)
        plan(conn, f"{label}: {name}", sql, params() if callable(params) else params)
    # The write path: one event row (rolled back).
    row = conn.execute(
        "SELECT id, community_id, created_by_id FROM desk_workorder ORDER BY id DESC LIMIT 1"
    ).fetchone()
    insert = (
        f"INSERT INTO {events} (order_id, community_id, at, actor_id, action, from_state,"  # noqa: S608
        " to_state, note, data) VALUES (%s, %s, now(), %s, 'note', '', '', 'x', '{}') RETURNING id"
    )
    out["ms"]["write: one event insert"] = timed(conn, insert, list(row))
    conn.rollback()
    conn.autocommit = True
    t = time.perf_counter()
    conn.execute(f"VACUUM ANALYZE {events}")
    out["vacuum_analyze_events_s"] = round(time.perf_counter() - t, 1)
    out["sizes"] = sizes(conn, [events, "clocks_clocklog", "clocks_clock", "desk_workorder"])
    return out


def grow(conn: psycopg.Connection[Any], per_order: int) -> dict[str, float]:
    """Life-like history: per_order - 1 more events per order, one FD-6 clock per order with its
    log lines. Foreign keys are not checked for these bulk rows (they hold by construction)."""
    took = {}
    conn.autocommit = True
    have = conn.execute(f"SELECT count(*) FROM {EVENTS}").fetchone()[0]  # noqa: S608
    orders = conn.execute("SELECT count(*) FROM desk_workorder").fetchone()[0]
    if have >= orders * per_order * 0.9:
        print(f"growth: {have} events already, not growing", file=sys.stderr)
        return took
    conn.execute("SET session_replication_role = replica")
    t = time.perf_counter()
    conn.execute(
        f"INSERT INTO {EVENTS} (order_id, community_id, at, actor_id, action, from_state,"  # noqa: S608
        " to_state, note, data)"
        " SELECT o.id, o.community_id, o.created_at + k * interval '47 minutes',"
        " coalesce(o.assignee_id, o.created_by_id),"
        " (ARRAY['dispatch','accept','on_site','note','note','resolve','close','follow_up',"
        "  'note','note','note','note'])[k], '', '', CASE WHEN k %% 4 = 0 THEN '已联系业主' ELSE ''"
        " END, '{}'::jsonb"
        " FROM desk_workorder o, generate_series(1, %s) k",
        [per_order - 1],
    )
    took["events_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    # A stand-in policy version per community: these clocks are settled (met or breached, no
    # next check), so nothing ever reads their policy.
    conn.execute(
        "INSERT INTO clocks_policyversion (fingerprint, content, created_at, community_id)"
        " SELECT 'bench-growth', '{}'::jsonb, now(), id FROM community_community"
        " ON CONFLICT DO NOTHING"
    )
    conn.execute(
        "INSERT INTO clocks_clock (community_id, order_id, contact_id, rule_id, title, subject,"
        " period, state, started_at, due_at, warn_at, warned_at, met_at, met_by_id, breached_at,"
        " cancelled_at, cancel_reason, level, next_check_at, policy_version_id, progress,"
        " paused_seconds)"
        " SELECT o.community_id, o.id, NULL, 'FD-6', '工单当日回复', '', 1,"
        " CASE WHEN o.id % 12 = 0 THEN 'breached' ELSE 'met' END, o.created_at,"
        " o.created_at + interval '8 hours', NULL, NULL, o.created_at + interval '2 hours',"
        " NULL, CASE WHEN o.id % 12 = 0 THEN o.created_at + interval '8 hours' END, NULL, '',"
        " CASE WHEN o.id % 12 = 0 THEN 1 ELSE 0 END, NULL, pv.id, '[]'::jsonb, 0"
        " FROM desk_workorder o JOIN clocks_policyversion pv"
        " ON pv.community_id = o.community_id AND pv.fingerprint = 'bench-growth'"
    )
    conn.execute(
        "INSERT INTO clocks_clocklog (clock_id, order_id, at, what, data)"
        " SELECT c.id, c.order_id, x.at, x.what, jsonb_build_object('rule', 'FD-6')"
        " FROM clocks_clock c CROSS JOIN LATERAL (VALUES (c.started_at, 'started'),"
        "  (coalesce(c.breached_at, c.met_at), CASE WHEN c.state = 'breached' THEN 'breached'"
        "   ELSE 'met' END)) x(at, what) WHERE c.rule_id = 'FD-6' AND c.order_id IS NOT NULL"
    )
    took["clocks_s"] = round(time.perf_counter() - t, 1)
    conn.execute("SET session_replication_role = DEFAULT")
    t = time.perf_counter()
    for table in (EVENTS, "clocks_clock", "clocks_clocklog"):
        conn.execute(f"VACUUM ANALYZE {table}")
    took["vacuum_s"] = round(time.perf_counter() - t, 1)
    return took


def partition(conn: psycopg.Connection[Any]) -> dict[str, float]:
    """A copy of the events, RANGE-partitioned by month on ``at``, with the same indexes."""
    conn.autocommit = True
    conn.execute(f"DROP TABLE IF EXISTS {PART}")
    lo, hi = conn.execute(
        f"SELECT date_trunc('month', min(at)), date_trunc('month', max(at)) FROM {EVENTS}"  # noqa: S608
    ).fetchone()
    conn.execute(f"CREATE TABLE {PART} (LIKE {EVENTS} INCLUDING DEFAULTS) PARTITION BY RANGE (at)")
    conn.execute(f"ALTER TABLE {PART} ADD PRIMARY KEY (id, at)")
    months = 0
    m = lo
    hi = max(hi, datetime.now(UTC)) + timedelta(days=32)  # and the months ahead, made in advance
    while m <= hi:
        nxt = (m + timedelta(days=32)).replace(day=1)
        conn.execute(
            f"CREATE TABLE {PART}_{m:%Y%m} PARTITION OF {PART}"
            f" FOR VALUES FROM ('{m.isoformat()}') TO ('{nxt.isoformat()}')"
        )
        m = nxt
        months += 1
    for cols, name in [
        ("order_id, at", "order_time"),
        ("community_id, id", "comm_id"),
        ("actor_id", "actor"),
        ("community_id", "comm"),
        ("order_id", "ord"),
    ]:
        conn.execute(f"CREATE INDEX {PART}_{name} ON {PART} ({cols})")
    t = time.perf_counter()
    conn.execute(f"INSERT INTO {PART} SELECT * FROM {EVENTS}")  # noqa: S608
    took = {"copy_s": round(time.perf_counter() - t, 1), "partitions": months}
    conn.execute(f"VACUUM ANALYZE {PART}")
    return took


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    steps = os.environ.get("STEPS", "before,grow,after,partition").split(",")
    per_order = int(os.environ.get("EVENTS_PER_ORDER", "10"))
    results: dict[str, Any] = {"db": DB, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    with psycopg.connect(URL, autocommit=True, prepare_threshold=None) as conn:
        results["load_before"] = Path("/proc/loadavg").read_text().split()[:3]
        if "before" in steps:
            PLANS.write_text("")
            results["before"] = measure(conn, "as loaded", EVENTS)
            print(json.dumps(results["before"]), flush=True)
        if "grow" in steps:
            results["grow"] = grow(conn, per_order)
            print(json.dumps(results["grow"]), flush=True)
        if "after" in steps:
            results["after"] = measure(conn, "grown", EVENTS)
            print(json.dumps(results["after"]), flush=True)
        if "partition" in steps or "partitioned" in steps:
            if "partition" in steps:
                results["partition"] = partition(conn)
            results["partitioned"] = measure(conn, "partitioned by month", PART)
            print(json.dumps(results["partitioned"]), flush=True)
            conn.execute(f"DROP TABLE IF EXISTS {PART}")
        results["load_after"] = Path("/proc/loadavg").read_text().split()[:3]
    with (OUT / "growth.jsonl").open("a") as fh:
        fh.write(json.dumps(results, default=str) + "\n")
    cols = [k for k in ("before", "after", "partitioned") if k in results]
    names = list(results[cols[0]]["ms"]) if cols else []
    print("\n| ms (median) | " + " | ".join(cols) + " |")
    for n in names:
        print(f"| {n} | " + " | ".join(str(results[c]["ms"].get(n)) for c in cols) + " |")


if __name__ == "__main__":
    main()
