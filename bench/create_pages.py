"""The pages one create writes to SQLite's write-ahead log, by table and index (issue 15).

Every commit appends each page it changed to the log (4 KiB each, with a checksum), and a
checkpoint later copies the latest version of each page back into the database: so each index
a create touches costs a page per create, twice. This runs ``--creates`` repairs through
``POST /api/work-orders/`` (django.test.Client, the bench token) with the log's automatic
checkpoint off, then reads the page number of each frame in the log and names its owner (the
``dbstat`` table of a copy).

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench LOG_LEVEL=WARNING \\
        DATABASE_URL=sqlite:///COPY.sqlite3 .venv/bin/python bench/create_pages.py \\
        --meta META.json [--creates 200]

Use a copy of a database made by bench/setup_data.py: each run adds orders.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import sqlite3
import struct
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(os.environ.get("BENCH_APP_DIR") or ROOT)))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--meta", type=Path, required=True)
    p.add_argument("--creates", type=int, default=200)
    args = p.parse_args()
    meta = json.loads(args.meta.read_text())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    api = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {meta['token']}", "HTTP_ACCEPT": "application/json"}
    first, last = meta["households"]

    def create(i: int) -> None:
        body = {
            "community": meta["community"],
            "kind": "repair",
            "description": "厨房水龙头漏水，请尽快派人维修",
            "household": first + (i * 7919) % (last - first + 1),
        }
        r = api.post(
            "/api/work-orders/", json.dumps(body), content_type="application/json", **headers
        )
        if r.status_code != 201:
            raise SystemExit(f"create: HTTP {r.status_code}: {r.content[:300]!r}")

    for i in range(20):  # warm: the first of the day makes its counter
        create(i)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    for i in range(20, 20 + args.creates):
        create(i)
    db = settings.DATABASES["default"]["NAME"]
    log = Path(f"{db}-wal").read_bytes()
    pages = []
    offset = 32  # the log's header; then per frame 24 bytes of header and the page
    page_size = struct.unpack(">I", log[8:12])[0]
    while offset + 24 <= len(log):
        pages.append(struct.unpack(">I", log[offset : offset + 4])[0])
        offset += 24 + page_size
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        shutil.copyfile(db, copy)
        shutil.copyfile(f"{db}-wal", f"{copy}-wal")
        con = sqlite3.connect(copy)
        owner = {page: name for name, page in con.execute("SELECT name, pageno FROM dbstat")}
        con.close()
    by_owner = collections.Counter(owner.get(page, "(free)") for page in pages)
    print(f"{len(pages) / args.creates:.2f} pages per create ({args.creates} creates)")
    for name, n in by_owner.most_common():
        print(f"{n / args.creates:6.2f}  {name}")


if __name__ == "__main__":
    main()
