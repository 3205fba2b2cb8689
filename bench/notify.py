"""Notification delivery benchmark: webhook messages delivered per second by one worker.

    .venv/bin/python bench/notify.py --db sqlite --rows 2000
    .venv/bin/python bench/notify.py --db postgres --rows 2000

A fresh database with one community, its office head and one signed generic webhook endpoint;
a threaded HTTP receiver in a separate process on 127.0.0.1 (a free port) that checks each
message's HMAC signature and notes when it arrived. Then N in-app notifications of N causes are
written at once (as the clock sweeper writes escalations), and one worker, on the system clock,
runs the delivery job tick after tick until the receiver has them all: each in-app row is marked
sent and brought to the endpoint (fan-out), and the N webhook rows are claimed, POSTed and
recorded. Printed: messages per second (first claim to last arrival) and p50/p99/max of the time
from a row's creation to its arrival at the receiver (a burst: the median waits for half the
queue). Runs in well under a minute for 2,000 rows.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import multiprocessing
import os
import socket
import statistics
import sys
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PG = "postgres://postgres@127.0.0.1:5432/propdesk_bench_notify"
SECRET = "bench-secret"  # noqa: S105 - a bench-only signing key


def database_url(db: str) -> str:
    return PG if db == "postgres" else f"sqlite:///{OUT / 'notify-bench.sqlite3'}"


def fresh_database(db: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    if db == "postgres":
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS propdesk_bench_notify")
            c.execute("CREATE DATABASE propdesk_bench_notify")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{OUT / 'notify-bench.sqlite3'}{suffix}").unlink(missing_ok=True)


def serve(port: int, ready: Any, results: Any, expected: int) -> None:
    """The receiver process: verify, note the arrival time, answer 200."""
    arrivals: dict[str, float] = {}
    bad = 0

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            nonlocal bad
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ts = self.headers["X-Propdesk-Timestamp"]
            want = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            if hmac.compare_digest(want, self.headers["X-Propdesk-Signature"]):
                arrivals.setdefault(self.headers["X-Propdesk-Id"], time.time())
            else:
                bad += 1
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.timeout = 0.2
    ready.set()
    deadline = time.monotonic() + 600
    while len(arrivals) < expected and time.monotonic() < deadline:
        server.handle_request()
    results.put((arrivals, bad))


def setup_django(db: str) -> None:
    os.environ["DATABASE_URL"] = database_url(db)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["NOTIFY_ALLOWED_PRIVATE_HOSTS"] = "127.0.0.1"  # the local receivers
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    fresh_database(args.db)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = multiprocessing.get_context("fork")
    ready, results = ctx.Event(), ctx.Queue()
    receiver = ctx.Process(target=serve, args=(port, ready, results, args.rows), daemon=True)
    receiver.start()
    ready.wait(10)

    setup_django(args.db)
    from django.db import transaction

    from propdesk.community.models import Community, Company, Membership, User
    from propdesk.core.clock import SystemClock
    from propdesk.notify.models import Notification, NotificationEndpoint
    from propdesk.notify.services import notifications_create, notifications_deliver

    company = Company.objects.create(name="锦绣物业(bench)")
    community = Community.objects.create(company=company, name="锦绣花园", code="jxhy")
    head = User.objects.create(username="bench-head", name="王主任", company=company)
    Membership.objects.create(user=head, community=community, role="office_head")
    NotificationEndpoint.objects.create(
        community=community,
        name="bench",
        kind="generic",
        url=f"http://127.0.0.1:{port}/hook",
        secret=SECRET,
    )
    clock = SystemClock()
    with transaction.atomic():
        for i in range(args.rows):
            notifications_create(
                community_id=community.pk,
                recipient_ids=[head.pk],
                cause=f"clock:{i}:L1",
                kind="clock_escalation",
                title=f"CP-1 投诉10分钟内安排管理员处理：GD-20261126-{i:04d} 已超时（1级）",
                payload={"clock": i, "level": 1},
                now=clock.now(),
            )
    started = time.time()
    ticks = 0
    while True:
        ticks += 1
        report = notifications_deliver(now=clock.now(), batch_size=args.batch)
        if report.claimed == 0 and report.expanded == 0:
            break
    ended = time.time()
    arrivals, bad = results.get(timeout=60)
    receiver.join(5)

    created = {
        key.replace(f":{head.pk}:in_app", ""): at.timestamp()
        for key, at in Notification.objects.filter(channel="in_app").values_list(
            "dedupe_key", "created_at"
        )
    }
    lags = [arrivals[k] - created[k.rsplit(":", 2)[0]] for k in arrivals]
    sent = Notification.objects.filter(channel="webhook", state="sent").count()
    last = max(arrivals.values())
    print(
        f"{args.db}: {len(arrivals)} of {args.rows} webhook messages delivered "
        f"({sent} rows sent, {bad} bad signatures) in {last - started:.2f} s by one worker "
        f"({ticks} ticks, batch {args.batch}): {len(arrivals) / (last - started):.0f} msg/s"
    )
    print(
        f"  created → delivered: p50 {statistics.median(lags) * 1000:.0f} ms, "
        f"p99 {pct(lags, 99) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms "
        f"(all {args.rows} created at once; worker loop {ended - started:.2f} s; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC)"
    )
    assert len(arrivals) == args.rows and bad == 0, (len(arrivals), bad)


if __name__ == "__main__":
    main()
