"""SQLite's planner statistics (``core.optimize``): what analyzing every table costs, with and
without the analysis limit the job sets, and how long each table's ANALYZE holds the write lock.

    .venv/bin/python bench/analyze.py DB.sqlite3 [--rounds 3]

Works on a copy of DB.sqlite3 (SQLite's backup API; the original is only read), WAL and
synchronous=NORMAL as the app sets them. Each round drops sqlite_stat1 and analyzes every table
one by one, alternating ``PRAGMA analysis_limit = 400`` and no limit (interleaved). Printed per
setting: the median over the rounds of the whole run's wall and CPU time and of its longest single
table (the write lock held), with the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from propdesk.core.sqlite.stats import ANALYSIS_LIMIT  # noqa: E402


def one_run(path: Path, limit: int) -> tuple[float, float, float]:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("DROP TABLE IF EXISTS sqlite_stat1")
    db.execute(f"PRAGMA analysis_limit = {limit}")
    tables = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    cpu, began, longest = time.process_time(), time.perf_counter(), 0.0
    for table in tables:
        t = time.perf_counter()
        db.execute(f'ANALYZE "{table}"')
        longest = max(longest, time.perf_counter() - t)
    out = (time.perf_counter() - began, time.process_time() - cpu, longest)
    db.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}; SQLite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "analyze.sqlite3"
        src = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
        runs: dict[int, list[tuple[float, float, float]]] = {ANALYSIS_LIMIT: [], 0: []}
        for _ in range(args.rounds):
            for limit in runs:
                runs[limit].append(one_run(copy, limit))
    for limit, rows in runs.items():
        wall, cpu, longest = (statistics.median(r[i] for r in rows) * 1000 for i in range(3))
        name = f"analysis_limit={limit}" if limit else "no limit"
        print(
            f"{name}: all tables {wall:.0f} ms wall, {cpu:.0f} ms CPU;"
            f" longest table {longest:.1f} ms"
        )
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
