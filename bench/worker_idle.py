"""The idle worker's CPU (issue 15): `manage.py worker` of two app trees, side by side, each on its
own copy of one bench database, with nothing to do.

    .venv/bin/python bench/worker_idle.py --a /tmp/main-tree --b . \
        --template /tmp/x.sqlite3|postgres://…/NAME [--seconds 60] [--warmup 15] [--rounds 3]

Each round copies the template twice (an SQLite file, or ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL), starts tree A's and tree B's worker at once (which one first alternates), lets both
warm up (Django's start, every job's first run, SQLite's ANALYZE), then reads each process's CPU
time (utime + stime, /proc/PID/stat) over ``--seconds``. Run together, the two see the same
machine. On PostgreSQL the server's CPU is not counted; its own count of the copy's transactions
and rows read (pg_stat_database) over the same window is. Prints one JSON line per round and a
summary: per tree the median CPU share of one core, and B/A.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14, 15)


class Copy:
    """A scratch copy of the template for one worker."""

    def __init__(self, template: str, tag: str) -> None:
        self.pg = template.startswith("postgres")
        if self.pg:
            import psycopg

            self.base, name = template.rsplit("/", 1)
            self.name = f"{name}_{tag}_{os.getpid()}"
            with psycopg.connect(f"{self.base}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{name}"')
            self.url = f"{self.base}/{self.name}"
        else:
            stem = Path(template).stem
            self.path = Path(template).with_name(f"{stem}-{tag}-{os.getpid()}.sqlite3")
            shutil.copyfile(template, self.path)
            self.url = f"sqlite:///{self.path}"

    def stats(self) -> dict[str, int]:
        if not self.pg:
            return {}
        import psycopg

        with psycopg.connect(f"{self.base}/postgres", autocommit=True) as conn:
            conn.execute("SELECT pg_stat_clear_snapshot()")
            row = conn.execute(
                "SELECT xact_commit + xact_rollback, tup_returned, tup_fetched"
                " FROM pg_stat_database WHERE datname = %s",
                (self.name,),
            ).fetchone()
        assert row is not None
        return {"xacts": row[0], "tup_returned": row[1], "tup_fetched": row[2]}

    def drop(self) -> None:
        if self.pg:
            import psycopg

            with psycopg.connect(f"{self.base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def start(tree: Path, url: str, name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--name", name],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--a", type=Path, required=True, help="app tree A (before)")
    p.add_argument("--b", type=Path, required=True, help="app tree B (after)")
    p.add_argument("--template", required=True, help="an SQLite file, or postgres://…/NAME")
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--warmup", type=float, default=15.0)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    trees = {"A": args.a.resolve(), "B": args.b.resolve()}
    shares: dict[str, list[float]] = {"A": [], "B": []}
    xacts: dict[str, list[float]] = {"A": [], "B": []}
    for rnd in range(args.rounds):
        order = ["A", "B"] if rnd % 2 == 0 else ["B", "A"]
        copies = {tag: Copy(args.template, tag) for tag in order}
        procs: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for tag in order:
                procs[tag] = start(trees[tag], copies[tag].url, f"idle-{tag}")
            time.sleep(args.warmup)
            for tag, proc in procs.items():
                if proc.poll() is not None:
                    raise SystemExit(f"worker {tag} exited with {proc.returncode}")
            c0 = {tag: cpu_seconds(procs[tag].pid) for tag in order}
            s0 = {tag: copies[tag].stats() for tag in order}
            w0 = time.monotonic()
            load0 = os.getloadavg()[0]
            time.sleep(args.seconds)
            c1 = {tag: cpu_seconds(procs[tag].pid) for tag in order}
            s1 = {tag: copies[tag].stats() for tag in order}
            wall = time.monotonic() - w0
        finally:
            for proc in procs.values():
                proc.send_signal(signal.SIGTERM)
            for proc in procs.values():
                try:
                    proc.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    proc.kill()
            for copy in copies.values():
                copy.drop()
        row: dict[str, Any] = {"round": rnd + 1, "first": order[0], "wall_s": round(wall, 1)}
        for tag in order:
            share = (c1[tag] - c0[tag]) / wall * 100
            shares[tag].append(share)
            row[f"{tag}_cpu_pct"] = round(share, 2)
            if s0[tag]:
                per_min = {k: round((s1[tag][k] - s0[tag][k]) * 60 / wall) for k in s0[tag]}
                xacts[tag].append(per_min["xacts"])
                row[f"{tag}_db_per_min"] = per_min
        row["load"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
        print(json.dumps(row), flush=True)
    summary: dict[str, Any] = {
        "template": args.template,
        "median_cpu_pct": {t: round(statistics.median(v), 2) for t, v in shares.items()},
        "b_over_a": round(statistics.median(shares["B"]) / statistics.median(shares["A"]), 3),
    }
    if xacts["A"]:
        summary["median_xacts_per_min"] = {t: statistics.median(v) for t, v in xacts.items()}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
