"""What if (issue 16, item 5) at 1,000,000 orders: the big community's last full month replayed
under its own policy and under another, on SQLite (target: under 10 s).

    .venv/bin/python bench/replay.py [--orders 1000000] [--runs 3]

Data: bench/setup_data.py loads N orders (three communities, 60/25/15 %, three years, ids in
time order) into a dedicated database (bench/out/replay-bench.sqlite3). It inserts orders and
their create events directly, not through the services, so no clock input is recorded; this
script then, once, generates the inputs the services would have recorded (``clocks.ClockInput``)
for every order from its final state and times, as the live app records them: ``create``
(receptionist; ``new``), then by kind and state ``take`` (complaints, an administrator 2–40
minutes later), ``claim`` (repair and housekeeping, a team member), ``dispatch`` + ``accept``
(the other kinds), ``reply`` on complaints (by phone), ``check_in``, ``return``, ``resolve`` at
``resolved_at``, ``follow_up``, ``close`` at ``closed_at``, ``resolve`` + ``reopen`` for reopened
orders and ``cancel`` for cancelled ones; plus each month's ``month_start`` of each community.
About 4 inputs an order, executemany in one transaction; a bench_meta row says they are there.

Then, in this one process: ``reports.whatif.what_if`` for the big community's last full month
(the one before the current local month), under its own policy and under one where CP-1 allows
15 minutes and DS-1-take 60, once to warm up and ``--runs`` times each; the median, and the
split of one run: reading the inputs, the replay, the figures. The bench database holds no
stored Clock rows (setup_data writes none), so the "now" side (one aggregate query over the
month's clocks) costs next to nothing here and every replayed clock counts as changed.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
SH = ZoneInfo("Asia/Shanghai")
DIRECT = {"repair", "housekeeping"}
OPEN_STATES = {"new", "dispatched", "accepted", "on_site", "returned", "reopened"}


def database_url() -> str:
    return f"sqlite:///{OUT / 'replay-bench.sqlite3'}"


def load(orders: int) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(), "SECRET_KEY": "bench"}
    env["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    cmd = [sys.executable, str(ROOT / "bench" / "setup_data.py"), "--orders", str(orders)]
    t0 = time.perf_counter()
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run([*cmd, "--reset"], env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"orders ready in {time.perf_counter() - t0:.0f}s", file=sys.stderr)


def _facts(kind: str, ctype: str, important: bool, state: str, assigned: bool) -> str:
    return json.dumps(
        {
            "kind": kind,
            "complaint_type": ctype,
            "is_important": important,
            "is_long_running": False,
            "is_construction_legacy": False,
            "state": state,
            "has_assignee": assigned,
        }
    )


def _lifecycle(
    rng: random.Random,
    kind: str,
    state: str,
    created: datetime,
    updated: datetime,
    resolved: datetime | None,
    closed: datetime | None,
) -> list[tuple[str, datetime, str, bool, str, str]]:
    """(event, at, state after, has_assignee, role, channel) of one order's life."""
    out = [
        ("create", created, "dispatched" if kind in DIRECT else "new", False, "receptionist", "")
    ]
    if state == "new":
        return out
    if state == "cancelled":
        return [*out, ("cancel", updated, "cancelled", False, "administrator", "")]
    taken = created + timedelta(minutes=rng.randint(2, 40))
    if state == "dispatched":
        if kind not in DIRECT:
            out.append(("dispatch", updated, "dispatched", True, "administrator", ""))
        return out
    if kind == "complaint":
        out.append(("take", taken, "accepted", True, "administrator", ""))
        out.append(
            (
                "reply",
                taken + timedelta(minutes=rng.randint(10, 600)),
                "accepted",
                True,
                "administrator",
                "phone",
            )
        )
    elif kind in DIRECT:
        out.append(("claim", taken, "accepted", True, "team_member", ""))
    else:
        out.append(("dispatch", taken, "dispatched", True, "administrator", ""))
        out.append(("accept", taken + timedelta(minutes=5), "accepted", True, "administrator", ""))
    last = out[-1][1]
    if state == "accepted":
        return out
    if state == "on_site":
        return [*out, ("check_in", max(updated, last), "on_site", True, "team_member", "")]
    if state == "returned":
        return [*out, ("return", max(updated, last), "returned", False, "team_member", "")]
    if state == "reopened":
        done = last + timedelta(minutes=rng.randint(30, 600))
        out.append(("resolve", done, "resolved", True, "team_member", ""))
        return [*out, ("reopen", max(updated, done), "reopened", True, "administrator", "")]
    done = max(resolved or last, last)
    out.append(("resolve", done, "resolved", True, "team_member", ""))
    if state == "followed_up":
        out.append(
            ("follow_up", done + timedelta(hours=1), "followed_up", True, "administrator", "")
        )
    if state == "closed":
        out.append(("close", max(closed or done, done), "closed", True, "administrator", ""))
    return out


def add_inputs() -> int:
    """The clock inputs of every bench order (once: a bench_meta row says they are there)."""
    from django.db import connection, transaction

    with connection.cursor() as cur:
        cur.execute("SELECT v FROM bench_meta WHERE k = 'clock_inputs'")
        row = cur.fetchone()
    if row:
        return int(row[0])
    t0 = time.perf_counter()
    rng = random.Random(20261201)
    cols = "community_id, order_id, contact_id, at, event, subject, new, facts, roles, data"
    stmt = f"INSERT INTO clocks_clockinput ({cols}) VALUES (?, ?, NULL, ?, ?, '', ?, ?, ?, ?)"  # noqa: S608
    facts_cache: dict[tuple[Any, ...], str] = {}
    roles = {r: json.dumps([r]) for r in ("receptionist", "administrator", "team_member")}
    total = 0
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        cur = raw.cursor()
        first_at: dict[int, datetime] = {}
        last_at: dict[int, datetime] = {}
        lo = 0
        while True:
            orders = list(
                cur.execute(
                    "SELECT id, community_id, kind, complaint_type, is_important, state,"
                    " created_at, updated_at, resolved_at, closed_at FROM desk_workorder"
                    " WHERE id > ? ORDER BY id LIMIT 100000",
                    [lo],
                )
            )
            if not orders:
                break
            rows = []
            for (
                oid,
                cid,
                kind,
                ctype,
                important,
                state,
                created,
                updated,
                resolved,
                closed,
            ) in orders:
                lo = oid

                def ts(v: str | datetime | None) -> datetime | None:
                    if v is None:
                        return None
                    d = v if isinstance(v, datetime) else datetime.fromisoformat(v)
                    return d.replace(tzinfo=UTC) if d.tzinfo is None else d

                c = ts(created)
                assert c is not None
                first_at[cid] = min(first_at.get(cid, c), c)
                last_at[cid] = max(last_at.get(cid, c), c)
                for event, at, after, assigned, role, channel in _lifecycle(
                    rng, kind, state, c, ts(updated) or c, ts(resolved), ts(closed)
                ):
                    key = (kind, ctype, bool(important), after, assigned)
                    facts = facts_cache.get(key)
                    if facts is None:
                        facts = facts_cache[key] = _facts(*key[:3], after, assigned)
                    rows.append(
                        (
                            cid,
                            oid,
                            str(at.astimezone(UTC).replace(tzinfo=None)),
                            event,
                            event == "create",
                            facts,
                            roles[role],
                            json.dumps({"channel": channel}) if channel else "{}",
                        )
                    )
            cur.executemany(stmt, rows)
            total += len(rows)
            print(f"  inputs: {total} (orders to id {lo})", file=sys.stderr)
        # Each community's month_start (RV-1), at the first local instant of each month.
        rows = []
        for cid, first in first_at.items():
            local = first.astimezone(SH).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            while local <= last_at[cid]:
                rows.append(
                    (
                        cid,
                        None,
                        str(local.astimezone(UTC).replace(tzinfo=None)),
                        "month_start",
                        False,
                        "{}",
                        "[]",
                        "{}",
                    )
                )
                local = (local + timedelta(days=32)).replace(day=1)
        cur.executemany(stmt, rows)
        total += len(rows)
        cur.execute("INSERT INTO bench_meta (k, v) VALUES ('clock_inputs', ?)", [str(total)])
    with connection.cursor() as c2:
        c2.execute("ANALYZE")
    print(f"{total} inputs in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    return total


def measure(runs: int) -> dict[str, Any]:
    from propdesk.clocks.models import ClockInput
    from propdesk.clocks.selectors import month_bounds
    from propdesk.clocks.services import OfficeCalendar, policy_for
    from propdesk.community.models import Community
    from propdesk.desk.models import WorkOrder
    from propdesk.policy.replay import figures, replay
    from propdesk.reports.whatif import month_inputs, policy_from_text, what_if

    community = Community.objects.get(code="jxhy", company__name__contains="bench")
    now = datetime.now(UTC)
    local = now.astimezone(SH)
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    start, end = month_bounds(community, year, month)
    other, _o = policy_from_text(
        "clocks:\n  CP-1: {duration: {value: 15}}\n  DS-1-take: {duration: {value: 60}}\n"
    )
    own = policy_for(community)[0]
    results: dict[str, Any] = {
        "community": community.pk,
        "month": f"{year}-{month:02d}",
        "orders_in_db": WorkOrder.objects.count(),
        "community_orders": WorkOrder.objects.filter(community=community).count(),
        "orders_created_in_month": WorkOrder.objects.filter(
            community=community, created_at__gte=start, created_at__lt=end
        ).count(),
        "inputs_in_db": ClockInput.objects.count(),
        "measures": {},
    }
    for name, policy in (("same policy", own), ("CP-1 15 min, DS-1-take 60 min", other)):
        what_if(community, year, month, policy=policy, now=now)  # warm up
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            result = what_if(community, year, month, policy=policy, now=now)
            times.append(time.perf_counter() - t)
        t0 = time.perf_counter()
        inputs = month_inputs(community, start, end, now)
        t1 = time.perf_counter()
        clocks = replay(policy, OfficeCalendar(community.pk), inputs, now=now)
        t2 = time.perf_counter()
        figs = figures(clocks, start=start, end=end, now=now)
        t3 = time.perf_counter()
        results["measures"][name] = {
            "median_s": round(statistics.median(times), 2),
            "runs_s": [round(x, 2) for x in times],
            "inputs": result.inputs,
            "clocks_replayed": len(clocks),
            "changed": len(result.changed),
            "split_s": {
                "read inputs": round(t1 - t0, 2),
                "replay": round(t2 - t1, 2),
                "figures": round(t3 - t2, 3),
            },
            "rules": {
                r.rule_id: [r.started, r.met, r.breached, r.running, str(r.compliance)]
                for r in figs
            },
        }
        print(name, json.dumps(results["measures"][name], ensure_ascii=False), file=sys.stderr)
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    load(args.orders)
    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    add_inputs()
    results = measure(args.runs)
    results.update(
        orders=args.orders,
        runs=args.runs,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        commit=subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
    )
    path = OUT / "replay-sqlite.json"
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
