"""The CPU a create costs on PostgreSQL, both sides of the connection: this process (the web's
work: Django, psycopg, the round trips' system calls) and the PostgreSQL backend serving it
(read from /proc: the server must be on this machine), per create, over N creates through the
API in one process after a warm-up. Run it alternately for two app trees (BENCH_APP_DIR) on one
bench database for an A/B; each run adds N + 20 orders.

    DATABASE_URL=postgres://…/propdesk_…_bench SECRET_KEY=bench LOG_LEVEL=WARNING \\
        [BENCH_APP_DIR=tree] .venv/bin/python bench/pg_create_cpu.py META.json [N]

META.json is what bench/setup_data.py wrote for the database (its token, community and
households). Prints one JSON line: statements per create, and the web's, the backend's and their
sum of CPU ms per create, and the wall ms per create.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(os.environ.get("BENCH_APP_DIR") or ROOT)))
TICK = os.sysconf("SC_CLK_TCK")
WARMUP = 20


def backend_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) the backend process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def main() -> None:
    meta = json.loads(Path(sys.argv[1]).read_text())
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    os.environ["DB_CONN_MAX_AGE"] = "600"  # one connection, one backend throughout
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Token {meta['token']}"}
    first, last = meta["households"]

    def create(i: int) -> None:
        body = {
            "community": meta["community"],
            "kind": "repair",
            "description": "厨房水龙头漏水",
            "household": first + i % (last - first),
        }
        r = client.post("/api/work-orders/", body, content_type="application/json", **auth)
        if r.status_code != 201:
            raise SystemExit(f"HTTP {r.status_code}: {r.content[:300]!r}")

    for i in range(WARMUP):
        create(i)
    with CaptureQueriesContext(connection) as queries:
        create(WARMUP)
    statements = len(queries.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    web0, db0, wall0 = time.process_time(), backend_cpu(pid), time.perf_counter()
    for i in range(n):
        create(WARMUP + 1 + i)
    web = (time.process_time() - web0) / n * 1000
    db = (backend_cpu(pid) - db0) / n * 1000
    wall = (time.perf_counter() - wall0) / n * 1000
    print(
        json.dumps(
            {
                "app": os.environ.get("BENCH_APP_DIR") or str(ROOT),
                "statements": statements,
                "web_cpu_ms": round(web, 3),
                "backend_cpu_ms": round(db, 3),
                "sum_cpu_ms": round(web + db, 3),
                "wall_ms": round(wall, 3),
                "creates": n,
            }
        )
    )


if __name__ == "__main__":
    main()
