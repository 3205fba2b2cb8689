"""What one create writes: SQLite's pages by table and index, PostgreSQL's WAL bytes and CPU.

Counts that do not depend on how busy the machine is, for the write path of the API's create
(POST /api/work-orders/, a repair of a random household, as the side-by-side run sends it),
through Django's whole stack in this one process.

SQLite: the WAL's automatic checkpoint is turned off on the connection, ``--requests`` creates
run after a warm-up, and every frame the WAL gained is mapped to the table or index whose page it
holds (SQLite's ``dbstat``): pages written per create, in all and by b-tree. Work on a copy of
the bench database (the WAL is left long; the creates stay).

PostgreSQL: the WAL bytes (``pg_current_wal_insert_lsn``, full-page images after a checkpoint
included, so compare interleaved runs) and the CPU of the connection's backend per create.

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench DATABASE_URL=sqlite:///COPY \
        .venv/bin/python bench/write_pages.py --meta META.json [--requests 200] [--top 30]

``BENCH_APP_DIR`` measures another checkout of the app (as bench/inprocess.py). Results:
bench/RESULTS.md, "What a create writes".
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sqlite3
import struct
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = Path(os.environ.get("BENCH_APP_DIR") or ROOT)
sys.path.insert(0, str(APP))

PAGE, FRAME_HEADER, WAL_HEADER = 4096, 24, 32


def wal_pages(path: str, start: int) -> list[int]:
    """The page number of every frame written to the WAL from byte ``start`` on."""
    pages = []
    with open(path, "rb") as f:
        f.seek(max(start, WAL_HEADER))
        while len(header := f.read(FRAME_HEADER)) == FRAME_HEADER:
            pages.append(struct.unpack(">I", header[:4])[0])
            f.seek(PAGE, 1)
    return pages


def backend_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--meta", type=Path, required=True)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--top", type=int, default=30, help="b-trees listed (SQLite)")
    args = p.parse_args()
    meta = json.loads(args.meta.read_text())

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.test import Client

    def no_checkpoint(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.vendor == "sqlite":
            connection.connection.execute("PRAGMA wal_autocheckpoint=0")

    connection_created.connect(no_checkpoint)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {meta['token']}", "HTTP_ACCEPT": "application/json"}
    hmin, hmax = meta["households"]

    def create(i: int) -> None:
        body = {
            "community": meta["community"],
            "kind": "repair",
            "description": "厨房水龙头漏水，请尽快派人维修",
            "household": hmin + (i * 7919) % (hmax - hmin + 1),
        }
        r = client.post("/api/work-orders/", body, content_type="application/json", **headers)
        if r.status_code != 201:
            raise SystemExit(f"HTTP {r.status_code}: {r.content[:300]!r}")

    for i in range(args.warmup):
        create(i)
    n = args.requests
    if connection.vendor == "sqlite":
        db = str(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        start = os.path.getsize(db + "-wal")
        for i in range(n):
            create(args.warmup + i)
        pages = wal_pages(db + "-wal", start)
        owner = {
            pageno: name
            for name, pageno in sqlite3.connect(db).execute("SELECT name, pageno FROM dbstat")
        }
        by_tree = collections.Counter(owner.get(page, "?") for page in pages)
        print(f"write_pages sqlite: {len(pages) / n:.1f} pages per create ({n} creates)")
        for name, count in by_tree.most_common(args.top):
            print(f"  {count / n:6.2f}  {name}")
        return

    def lsn_and_pid() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text, pg_backend_pid()")
            lsn, pid = cursor.fetchone()
        high, low = lsn.split("/")
        return (int(high, 16) << 32) + int(low, 16), pid

    lsn0, pid = lsn_and_pid()
    cpu0, web0 = backend_cpu_seconds(pid), time.process_time()
    for i in range(n):
        create(args.warmup + i)
    lsn1, _ = lsn_and_pid()
    cpu1, web1 = backend_cpu_seconds(pid), time.process_time()
    print(
        f"write_pages postgresql: {(lsn1 - lsn0) / n:.0f} WAL bytes per create; "
        f"backend CPU {1000 * (cpu1 - cpu0) / n:.2f} ms, web CPU {1000 * (web1 - web0) / n:.2f} ms "
        f"per create ({n} creates)"
    )


if __name__ == "__main__":
    main()
