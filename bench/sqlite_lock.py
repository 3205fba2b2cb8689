"""SQLite's write lock under a stream of writers: SQLite's own busy handler against propdesk's
backend (propdesk/core/sqlite), which retries BEGIN IMMEDIATE in short even steps.

Four "web" processes write small transactions (3 rows, ~HOLD ms inside, a 2 ms pause between),
one "worker" process writes batches (10 rows, 5 × HOLD inside, then as long outside) and, before
each, a heartbeat (one UPDATE outside a transaction, as `manage.py worker` does), all on one
SQLite file in WAL, through Django's DatabaseWrapper of each backend. Recorded: how long a web
transaction waited for the lock (percentiles), the worker's longest wait (a writer that loses
every time starves: it must stay far below the 20 s timeout), and the wall time of the whole
stream, per backend, interleaved over ROUNDS. No HTTP, no application code: only the lock.

    .venv/bin/python bench/sqlite_lock.py [--rounds 3] [--hold-ms 2] [--writes 150]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BACKENDS = {"sqlite-busy-handler": "django.db.backends.sqlite3", "propdesk": "propdesk.core.sqlite"}


def connect(engine: str, path: str):  # type: ignore[no-untyped-def]
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_TZ=True, DATABASES={})
        django.setup()
    from django.utils.module_loading import import_string

    wrapper = import_string(f"{engine}.base.DatabaseWrapper")
    return wrapper(
        {
            "ENGINE": engine,
            "NAME": path,
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "ATOMIC_REQUESTS": False,
            "AUTOCOMMIT": True,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "TIME_ZONE": None,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
        },
        alias="bench",
    )


def writer(engine: str, path: str, hold: float, n: int, worker: bool, q: mp.Queue) -> None:  # type: ignore[type-arg]
    conn = connect(engine, path)
    waits = []
    rows, inside = (10, hold * 5) if worker else (3, hold)
    for _ in range(n):
        if worker:
            began = time.perf_counter()
            with conn.cursor() as cursor:
                cursor.execute("UPDATE t SET v = %s WHERE id = 1", ["heartbeat"])
            waits.append(time.perf_counter() - began)
        began = time.perf_counter()
        conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        waits.append(time.perf_counter() - began)
        with conn.cursor() as cursor:
            for _ in range(rows):
                cursor.execute("INSERT INTO t (v) VALUES (%s)", ["x" * 200])
        end = time.perf_counter() + inside
        while time.perf_counter() < end:
            pass
        conn.commit()
        conn.set_autocommit(True)
        time.sleep(inside if worker else 0.002)
    conn.close()
    q.put((worker, waits))


def one(engine: str, hold: float, writes: int) -> dict[str, float]:
    folder = tempfile.mkdtemp(prefix="sqlite-lock-")
    path = os.path.join(folder, "lock.sqlite3")
    import sqlite3

    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    raw.close()
    q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    procs = [
        mp.Process(target=writer, args=(engine, path, hold, writes, False, q)) for _ in range(4)
    ]
    procs.append(mp.Process(target=writer, args=(engine, path, hold, writes // 4, True, q)))
    began = time.perf_counter()
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - began
    web = sorted(w for is_worker, ws in results if not is_worker for w in ws)
    worker_max = max(w for is_worker, ws in results if is_worker for w in ws)

    def pct(x: float) -> float:
        return web[max(0, int(len(web) * x) - 1)] * 1000

    return {
        "p50": pct(0.5),
        "p90": pct(0.9),
        "p99": pct(0.99),
        "max": web[-1] * 1000,
        "worker_max": worker_max * 1000,
        "wall": wall,
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--hold-ms", type=float, default=2.0)
    p.add_argument("--writes", type=int, default=150)
    args = p.parse_args()
    print(f"load average before: {os.getloadavg()}")
    for rnd in range(args.rounds):
        order = list(BACKENDS.items()) if rnd % 2 == 0 else list(reversed(BACKENDS.items()))
        for name, engine in order:
            r = one(engine, args.hold_ms / 1000, args.writes)
            print(
                f"round {rnd} {name:<20} web wait p50 {r['p50']:5.1f}  p90 {r['p90']:5.1f}  "
                f"p99 {r['p99']:6.1f}  max {r['max']:6.0f} ms; worker's longest wait "
                f"{r['worker_max']:6.0f} ms; stream {r['wall']:.2f} s",
                flush=True,
            )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
