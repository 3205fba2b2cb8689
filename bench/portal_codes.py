#!/usr/bin/env python3
"""A burst on the portal's code endpoint (POST /portal/login/, step "send"): do the limits hold
with several web processes at once? (issue 13; results in bench/RESULTS.md)

    .venv/bin/python bench/portal_codes.py --db sqlite   [--workers 4] [--threads 32]
    .venv/bin/python bench/portal_codes.py --db postgres
    .venv/bin/python bench/portal_codes.py --db both

A scratch database (bench/out/portal-codes.sqlite3, or the PostgreSQL database
propdesk_bench_portal_codes; dropped and made afresh, nothing else touched) holds one community
with 60 households, an owner each. gunicorn serves it with --workers sync processes on a free
port (DEBUG off, console SMS backend, CLIENT_IP_HEADER=HTTP_X_REAL_IP so that each request may
say which client address it stands for, as a reverse proxy would). Then three bursts, each from
--threads threads at once, every request a full POST with its CSRF token:

  A  one number asked from 200 addresses              (the number's 20 a day: 20 sent)
  B  one address asking for 19 numbers, ~10 times each (the address's 5 a minute: 5 sent)
  C  40 numbers, 5 times each, each from its own address (1 each: 40 sent)

For each: requests, wall time, requests per second, answers by status (302 = code sent,
429 = refused with the wait), and the codes the database holds afterwards, which must equal the
expected count (the bench fails otherwise).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
SQLITE = OUT / "portal-codes.sqlite3"
PG_DB = "propdesk_bench_portal_codes"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def database_url(db: str) -> str:
    return (
        f"postgres://postgres@127.0.0.1:5432/{PG_DB}" if db == "postgres" else f"sqlite:///{SQLITE}"
    )


def fresh_database(db: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {PG_DB}")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)


def phone(i: int) -> str:
    return f"1381234{i:04d}"


SEED = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from propdesk.community.models import Building, Community, Company, Household, Resident, Unit
company = Company.objects.create(name="物业公司")
community = Community.objects.create(company=company, name="锦绣花园", code="jxhy")
building = Building.objects.create(community=community, number="1")
unit = Unit.objects.create(building=building, number="1")
for i in range(60):
    room = str(i + 101)
    h = Household.objects.create(community=community, unit=unit, room=room, code=f"1-1-{room}")
    Resident.objects.create(household=h, name=f"业主{i}", relation="owner", phone="1381234%04d" % i)
"""


def env_for(db: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(db),
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "SECRET_KEY": "bench-only",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
        "SMS_BACKEND": "console",
        "LOG_LEVEL": "WARNING",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(port: int) -> None:
    for _ in range(200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/portal/login/")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not come up")


def csrf(port: int) -> tuple[str, str]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/portal/login/")
    r = c.getresponse()
    cookie = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie") or "")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', r.read())
    assert cookie and token
    return cookie.group(1), token.group(1).decode()


def ask(port: int, cookie: str, token: str, number: str, address: str) -> int:
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "step": "send", "phone": number, "next": "/portal/"}
    )
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(
        "POST",
        "/portal/login/",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "X-Real-IP": address,
            "Referer": f"http://127.0.0.1:{port}/portal/login/",
        },
    )
    status = c.getresponse().status
    c.close()
    return status


def codes_for(db: str, numbers: set[str]) -> int:
    if db == "postgres":
        import psycopg

        with psycopg.connect(database_url(db)) as c:
            row = c.execute(
                "SELECT count(*) FROM portal_signincode WHERE phone = ANY(%s)", (list(numbers),)
            ).fetchone()
    else:
        import sqlite3

        with sqlite3.connect(SQLITE) as c:
            marks = ",".join("?" * len(numbers))
            row = c.execute(
                f"SELECT count(*) FROM portal_signincode WHERE phone IN ({marks})",  # noqa: S608
                list(numbers),
            ).fetchone()
    return int(row[0])


def burst(
    db: str, port: int, threads: int, name: str, asks: list[tuple[str, str]], expected: int
) -> dict[str, object]:
    cookie, token = csrf(port)
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(lambda a: ask(port, cookie, token, *a), asks))
    wall = time.perf_counter() - start
    stored = codes_for(db, {n for n, _ in asks})
    counts = Counter(statuses)
    return {
        "db": db,
        "burst": name,
        "requests": len(asks),
        "wall_s": round(wall, 2),
        "rps": round(len(asks) / wall),
        "sent_302": counts.get(302, 0),
        "refused_429": counts.get(429, 0),
        "other": {k: v for k, v in counts.items() if k not in (302, 429)},
        "codes_stored": stored,
        "expected": expected,
        "holds": stored == expected == counts.get(302, 0),
    }


def run(db: str, workers: int, threads: int) -> list[dict[str, object]]:
    fresh_database(db)
    port = free_port()
    env = env_for(db, port)
    subprocess.run([sys.executable, "-c", SEED], env=env, cwd=ROOT, check=True)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "propdesk.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        wait_up(port)
        a = [(phone(0), f"10.1.{i // 250}.{i % 250}") for i in range(200)]
        b = [(phone(1 + i % 19), "10.2.0.1") for i in range(200)]
        c = [(phone(20 + i % 40), f"10.3.0.{i % 40}") for i in range(200)]
        return [
            burst(db, port, threads, "A one number, 200 addresses", a, 20),
            burst(db, port, threads, "B one address, 19 numbers", b, 5),
            burst(db, port, threads, "C 40 numbers, each its own address", c, 40),
        ]
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--threads", type=int, default=32)
    args = p.parse_args()
    rows = []
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        rows += run(db, args.workers, args.threads)
    print(
        "| db | burst | requests | wall s | req/s | sent (302) | refused (429) | other"
        " | codes stored | holds |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['db']} | {r['burst']} | {r['requests']} | {r['wall_s']} | {r['rps']} | "
            f"{r['sent_302']} | {r['refused_429']} | {r['other'] or ''} | {r['codes_stored']} | "
            f"{'yes' if r['holds'] else 'NO'} |"
        )
    if not all(r["holds"] for r in rows):
        raise SystemExit("a limit did not hold")


if __name__ == "__main__":
    main()
