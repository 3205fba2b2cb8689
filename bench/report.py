"""Collect and print the bench results (used by bench/run-all).

    report.py wrk FILE --run R --db sqlite --orders N --workers W --name create  # wrk output
    report.py load FILE --run R --db ... --orders ... --workers ... --name list   # load.py --json
    report.py inproc FILE --run R --db ... --orders ...                           # inprocess.py
    report.py setup META --run R --db ... --orders ... --load 12s                 # setup_data.py
    report.py env                                                                 # the machine
    report.py table --run R                                                       # the tables

Records go to bench/out/results.jsonl, one JSON object a line; the table takes the medians over
the repeats of one run (R is the run's id, its start time).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "out" / "results.jsonl"

TARGETS = {
    "create_rps": 350.0,
    "create_p99": 50.0,
    "list_100000": 50.0,
    "list_1000000": 150.0,
    "detail_1000000": 20.0,
}


def parse_wrk(text: str) -> dict[str, Any]:
    def num(pattern: str) -> float | None:
        m = re.search(pattern, text)
        return float(m.group(1)) if m else None

    statuses = {int(a): int(b) for a, b in re.findall(r"status (\d+): (\d+)", text)}
    socket_errors = re.search(r"Socket errors: (.*)", text)
    return {
        "rps": num(r"Requests/sec:\s+([\d.]+)"),
        "p50_ms": num(r"latency p50: ([\d.]+) ms"),
        "p90_ms": num(r"latency p90: ([\d.]+) ms"),
        "p99_ms": num(r"latency p99: ([\d.]+) ms"),
        "max_ms": num(r"latency max: ([\d.]+) ms"),
        "requests": num(r"(\d+) requests in"),
        "statuses": statuses,
        "non_2xx": num(r"Non-2xx or 3xx responses: (\d+)") or 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
    }


def append(record: dict[str, Any]) -> None:
    with contextlib.suppress(OSError, ValueError):
        record["loadavg"] = float(Path("/proc/loadavg").read_text().split()[0])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


def cmd_env() -> None:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    import sqlite3

    import django
    import gunicorn

    pg = run(
        "psql",
        os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432") + "/postgres",
        "-Atc",
        "show server_version",
    )
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk = (run("wrk", "-v").splitlines() or ["wrk ?"])[0]
    mem = run("sh", "-c", "free -g | awk '/Mem:/ {print $2}'")
    print(f"- date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"- machine: {os.cpu_count()} CPUs (`nproc` {run('nproc')}), {cpu}, {mem} GiB RAM")
    print(f"- OS: {platform.platform()}")
    print(
        f"- Python {platform.python_version()}, Django {django.get_version()}, gunicorn "
        f"{gunicorn.__version__}, {wrk}"
    )
    print(f"- SQLite {sqlite3.sqlite_version} (Python's sqlite3), PostgreSQL {pg}")


def med(values: list[float | None]) -> float | None:
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def fmt(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def cmd_table(run: str) -> None:
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r.get("run") == run]
    if not rows:
        sys.exit(f"no results for run {run}")
    # (db, orders) -> workers -> name -> [records]
    http: dict[tuple[str, int], dict[str, dict[str, list[dict[str, Any]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    inproc: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    setups: dict[tuple[str, int], dict[str, Any]] = {}
    for r in rows:
        key = (r["db"], int(r["orders"]))
        if r["kind"] == "inproc":
            inproc[key].append(r)
        elif r["kind"] == "setup":
            setups[key] = r
        else:
            http[key][str(r["workers"])][r["name"]].append(r)

    for key in sorted(set(http) | set(inproc), key=lambda k: (k[0] != "sqlite", k[1])):
        db, orders = key
        print(f"\n### {db}, {orders:,} orders\n")
        s = setups.get(key)
        if s:
            print(
                f"Data: {s.get('total_orders', '?'):,} orders in the database at the start "
                f"({s.get('main_community_orders', '?'):,} in the measured community, "
                f"{s.get('open_in_main', '?'):,} of them open); load took {s.get('load', '?')}.\n"
            )
        per_w = http.get(key, {})
        if per_w:
            print(
                "| gunicorn workers | create/s (8 conn) | create p50 ms | create p99 ms "
                "| list median ms | list p99 ms | detail median ms | detail p99 ms "
                "| list/s (8 conn) | floor/s (8 conn) | repeats | load avg |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|---|---|")
            for w in sorted(per_w, key=lambda x: (len(x), x)):
                m = per_w[w]
                c = m.get("create", [])
                lst = m.get("list", [])
                det = m.get("detail", [])
                lw = m.get("list_wrk", [])
                get_errors = sum(sum(x.get("errors", {}).values()) for x in lst + det)
                if get_errors:
                    print(f"(workers {w}: {get_errors} GET requests failed; see the logs)")
                fl = m.get("floor_wrk", [])
                bad = sum(
                    sum(v for k, v in x.get("statuses", {}).items() if int(k) != 201)
                    + (1 if x.get("socket_errors") else 0)
                    for x in c
                )
                print(
                    f"| {w} | {fmt(med([x['rps'] for x in c]))}"
                    f"{' (' + str(bad) + ' errors)' if bad else ''}"
                    f" | {fmt(med([x['p50_ms'] for x in c]))}"
                    f" | {fmt(med([x['p99_ms'] for x in c]))}"
                    f" | {fmt(med([x['median_ms'] for x in lst]))}"
                    f" | {fmt(med([x['p99_ms'] for x in lst]))}"
                    f" | {fmt(med([x['median_ms'] for x in det]))}"
                    f" | {fmt(med([x['p99_ms'] for x in det]))}"
                    f" | {fmt(med([x['rps'] for x in lw]))} | {fmt(med([x['rps'] for x in fl]))}"
                    f" | {len(c)} | {fmt(med([x.get('loadavg') for x in c]))} |"
                )
            print()
        if key in inproc:
            print(
                "In-process (no HTTP): median of the repeats' medians; db = time inside SQL "
                "statements, python = the rest.\n"
            )
            print("| request | median ms | p99 ms | db ms | python ms | queries | top SQL (ms) |")
            print("|---|---|---|---|---|---|---|")
            names: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for rec in inproc[key]:
                for q in rec["requests"]:
                    names[q["name"]].append(q)
            for name, qs in names.items():
                top = qs[-1]["sql_median_ms"]
                tops = ", ".join(f"{k} {v}" for k, v in list(top.items())[:3])
                print(
                    f"| {name} | {fmt(med([q['median_ms'] for q in qs]), 2)}"
                    f" | {fmt(med([q['p99_ms'] for q in qs]), 2)}"
                    f" | {fmt(med([q['db_median_ms'] for q in qs]), 2)}"
                    f" | {fmt(med([q['python_median_ms'] for q in qs]), 2)}"
                    f" | {qs[-1]['queries']:.0f} | {tops} |"
                )
    print()
    print(
        f"Targets: create ≥ {TARGETS['create_rps']:.0f}/s with p99 < {TARGETS['create_p99']:.0f} ms"
        f" at 8 connections; list < {TARGETS['list_100000']:.0f} ms at 100,000 orders and"
        f" < {TARGETS['list_1000000']:.0f} ms at 1,000,000; detail < "
        f"{TARGETS['detail_1000000']:.0f} ms at 1,000,000."
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["wrk", "load", "inproc", "setup", "env", "table"])
    p.add_argument("file", nargs="?", type=Path)
    p.add_argument("--run", default="")
    p.add_argument("--db", default="")
    p.add_argument("--orders", type=int, default=0)
    p.add_argument("--workers", default="")
    p.add_argument("--name", default="")
    p.add_argument("--rep", type=int, default=1)
    p.add_argument("--load", default="", help="setup: how long the load took")
    a = p.parse_args()
    base = {
        "run": a.run,
        "db": a.db,
        "orders": a.orders,
        "workers": a.workers,
        "name": a.name,
        "rep": a.rep,
        "kind": a.cmd,
    }
    if a.cmd == "env":
        cmd_env()
    elif a.cmd == "table":
        cmd_table(a.run)
    elif a.cmd == "wrk":
        append({**base, **parse_wrk(a.file.read_text())})
    elif a.cmd == "load":
        append({**base, **json.loads(a.file.read_text().strip().splitlines()[-1])})
    elif a.cmd == "inproc":
        append({**base, **json.loads(a.file.read_text())})
    elif a.cmd == "setup":
        meta = json.loads(a.file.read_text())
        meta.pop("detail_ids", None)
        meta.pop("token", None)
        append({**base, **meta, "load": a.load})


if __name__ == "__main__":
    main()
