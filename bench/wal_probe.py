"""A create's wall time in one process with SQLite's checkpoints where they are (a commit that
takes the log past ``wal_autocheckpoint`` pages copies it back) or nowhere (``--no-checkpoint``:
``PRAGMA wal_autocheckpoint=0`` on this connection, as if another process did it), and what the
log holds afterwards: its frames (pages written) and how many distinct pages they are (what one
checkpoint of it all would copy). Also counts the garbage collector's runs and pauses inside the
requests. For bench/RESULTS.md, "The log copied back elsewhere, and the collector (session 19)".

    cp bench-100000.sqlite3 copy.sqlite3; rm -f copy.sqlite3-wal copy.sqlite3-shm
    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench LOG_LEVEL=WARNING \\
        DATABASE_URL=sqlite:///copy.sqlite3 .venv/bin/python bench/wal_probe.py \\
        --meta META.json [--requests 600] [--no-checkpoint]

META.json is what bench/setup_data.py writes; use a fresh copy of the bench database each run
(the run adds orders, and the log's count is of this run's writes).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import struct
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(os.environ.get("BENCH_APP_DIR") or ROOT)))

WARMUP = 50


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def wal_pages(path: str) -> tuple[int, int]:
    """The frames in the log file and the distinct pages among them (the log's format:
    https://sqlite.org/fileformat2.html#walformat, a 32-byte header, then frames of a 24-byte
    header, whose first 4 bytes are the page number, and the page)."""
    data = Path(path).read_bytes()
    size = struct.unpack(">I", data[8:12])[0]
    pages, off = [], 32
    while off + 24 + size <= len(data):
        pages.append(struct.unpack(">I", data[off : off + 4])[0])
        off += 24 + size
    return len(pages), len(set(pages))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--meta", type=Path, required=True)
    p.add_argument("--requests", type=int, default=600)
    p.add_argument("--no-checkpoint", action="store_true")
    args = p.parse_args()
    meta = json.loads(args.meta.read_text())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    connection.ensure_connection()
    if args.no_checkpoint:
        connection.connection.execute("PRAGMA wal_autocheckpoint=0")
    pauses: list[tuple[int, float]] = []
    started: dict[str, float] = {}

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started["t"] = time.perf_counter()
        else:
            pauses.append((info["generation"], time.perf_counter() - started["t"]))

    gc.callbacks.append(on_gc)
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {meta['token']}", "HTTP_ACCEPT": "application/json"}
    hmin, hmax = meta["households"]
    walls: list[float] = []
    in_gc: list[float] = []
    runs = [0, 0, 0]
    for i in range(args.requests + WARMUP):
        body = {
            "community": meta["community"],
            "kind": "repair",
            "description": "厨房水龙头漏水，请尽快派人维修",
            "household": hmin + (i * 7919) % (hmax - hmin + 1),
        }
        pauses.clear()
        t = time.perf_counter()
        r = client.post("/api/work-orders/", body, content_type="application/json", **headers)
        wall = time.perf_counter() - t
        if r.status_code != 201:
            raise SystemExit(f"HTTP {r.status_code}: {r.content[:300]!r}")
        if i >= WARMUP:
            walls.append(wall * 1000)
            in_gc.append(sum(d for _g, d in pauses) * 1000)
            for g, _d in pauses:
                runs[g] += 1
    n = args.requests
    frames, distinct = wal_pages(settings.DATABASES["default"]["NAME"] + "-wal")
    print(
        json.dumps(
            {
                "checkpoints": "none" if args.no_checkpoint else "in the commits (SQLite's own)",
                "creates": n,
                "wall_ms": {
                    "p50": round(pct(walls, 50), 2),
                    "p90": round(pct(walls, 90), 2),
                    "p99": round(pct(walls, 99), 2),
                    "max": round(max(walls), 2),
                },
                "gc": {
                    "ms_per_create": round(statistics.mean(in_gc), 3),
                    "longest_ms": round(max(in_gc), 2),
                    "runs_per_create": [round(c / n, 3) for c in runs],
                },
                # With checkpoints in the commits the log holds only what followed the last one.
                "log": {"frames": frames, "distinct_pages": distinct, "creates": n + WARMUP},
            }
        )
    )


if __name__ == "__main__":
    main()
