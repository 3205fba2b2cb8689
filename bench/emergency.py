#!/usr/bin/env python3
"""Emergency delivery latency: time from an emergency logged to the last on-duty recipient's
delivery, with the real embedded worker (``manage.py worker``, as ``make run`` starts it).

    .venv/bin/python bench/emergency.py --db sqlite
    .venv/bin/python bench/emergency.py --db postgres
    .venv/bin/python bench/emergency.py --db both        # one after the other, one table

A scratch database (bench/out/emergency-bench.sqlite3, or the PostgreSQL database
propdesk_bench_emergency; each dropped and created afresh, nothing else touched) holds one
community: an office head, a receptionist and three departments (repair, cleaning, security)
with --per-department staff each on a shift that covers the run (12 on-duty responders by
default), plus as many off duty. Each staff member has an e-mail address and a phone. The
community has a signed generic group webhook and an SMS gateway (webhook template) endpoint.

A receiver process on 127.0.0.1 (free ports) runs an HTTP server (checks each message's HMAC
signature) and an SMTP server (aiosmtpd), and reports each arrival's X-Propdesk-Id and wall time.
The worker runs against the scratch database on the system clock (it ticks every 0.5 s) and mails
through that SMTP server.

Then N emergencies (kind flooding: repair, cleaning and security) are logged one after another
through the service, each once the previous one has fully arrived. An emergency's deliveries
are one e-mail and one SMS per responder (an emergency goes on every channel a person has) and
one group webhook; its latency is the wall time from the commit of ``emergency_log`` to the
arrival of the last of them. Printed: median and max per database. About 20 s per database.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import multiprocessing
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve():
    os.execv(VENV_PYTHON, [str(VENV_PYTHON), __file__, *sys.argv[1:]])  # noqa: S606 - the venv
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
SQLITE = OUT / "emergency-bench.sqlite3"
PG_DB = "propdesk_bench_emergency"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-secret"  # noqa: S105 - a bench-only signing key
DEPARTMENTS = ("repair", "cleaning", "security")
KIND = "flooding"  # calls repair, cleaning and security (policy/default.yaml)


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


def drop_database(db: str) -> None:
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the receiver process --------------------------------------------------------------------


def receive(http_port: int, smtp_port: int, ready: Any, arrivals: Any, stop: Any) -> None:
    """HTTP (signature-checked) and SMTP receivers; each arrival goes on the queue as
    (channel, X-Propdesk-Id, wall time, signature ok)."""
    from aiosmtpd.controller import Controller

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            at = time.time()
            ts = self.headers.get("X-Propdesk-Timestamp", "")
            want = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            ok = hmac.compare_digest(want, self.headers.get("X-Propdesk-Signature", ""))
            arrivals.put((self.path.strip("/"), self.headers.get("X-Propdesk-Id"), at, ok))
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    class Mail:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            import email

            message = email.message_from_bytes(envelope.content)
            arrivals.put(("email", message["X-Propdesk-Id"], time.time(), True))
            return "250 Message accepted for delivery"

    server = ThreadingHTTPServer(("127.0.0.1", http_port), Handler)
    server.daemon_threads = True
    controller = Controller(Mail(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.set()
    stop.wait(600)
    server.shutdown()
    controller.stop()


# --- the office ------------------------------------------------------------------------------


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


def build_office(per_department: int, http_port: int) -> tuple[Any, Any]:
    """The community, its receptionist; staff on shifts covering the next hours."""
    from propdesk.community.models import (
        Community,
        Company,
        DutyShift,
        Membership,
        Team,
        TeamMember,
        User,
    )
    from propdesk.notify.models import NotificationEndpoint

    company = Company.objects.create(name="锦绣物业(bench)")
    community = Community.objects.create(company=company, name="锦绣花园", code="jxhy")
    n = 0

    def staff(username: str, name: str, role: str) -> Any:
        nonlocal n
        n += 1
        u = User.objects.create(
            username=username,
            name=name,
            company=company,
            email=f"{username}@jinxiu.example",
            phone=f"1380000{n:04d}",
        )
        Membership.objects.create(user=u, community=community, role=role)
        return u

    staff("head", "王主任", "office_head")
    receptionist = staff("reception", "前台小李", "receptionist")
    now = datetime.now(UTC)
    for kind in DEPARTMENTS:
        on = [
            staff(f"{kind}-on-{i}", f"{kind}值班{i}", "team_member") for i in range(per_department)
        ]
        off = [
            staff(f"{kind}-off-{i}", f"{kind}休息{i}", "team_member") for i in range(per_department)
        ]
        team = Team.objects.create(community=community, kind=kind, name=kind, leader=on[0])
        for u in [*on, *off]:
            TeamMember.objects.create(team=team, user=u)
        for u in on:
            DutyShift.objects.create(
                team=team,
                user=u,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=8),
            )
        for u in off:  # yesterday's shift: must not be called
            DutyShift.objects.create(
                team=team,
                user=u,
                starts_at=now - timedelta(hours=20),
                ends_at=now - timedelta(hours=8),
            )
    for e in (
        NotificationEndpoint(
            community=community,
            name="物业群",
            kind="generic",
            url=f"http://127.0.0.1:{http_port}/hook",
            secret=SECRET,
        ),
        NotificationEndpoint(
            community=community,
            name="短信网关",
            kind="sms_template",
            url=f"http://127.0.0.1:{http_port}/sms",
            secret=SECRET,
            body_template='{"to": "{phone}", "text": "{text}"}',
        ),
    ):
        e.full_clean()
        e.save()
    return community, receptionist


def start_worker(db: str, smtp_port: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"),
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_USE_SSL": "0",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--name", "bench-emergency"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


# --- one database ----------------------------------------------------------------------------


def run(db: str, count: int, per_department: int) -> dict[str, Any]:
    fresh_database(db)
    http_port, smtp_port = free_port(), free_port()
    ctx = multiprocessing.get_context("spawn")
    ready, stop, arrivals = ctx.Event(), ctx.Event(), ctx.Queue()
    receiver = ctx.Process(
        target=receive, args=(http_port, smtp_port, ready, arrivals, stop), daemon=True
    )
    receiver.start()
    assert ready.wait(30), "the receiver did not start"

    setup_django(db)
    from django.db import connections

    from propdesk.core.clock import SystemClock
    from propdesk.incidents.services import emergency_log

    community, receptionist = build_office(per_department, http_port)
    connections.close_all()  # let the worker have the database to itself while idle
    worker = start_worker(db, smtp_port)
    assert worker.stdout is not None
    banner = worker.stdout.readline()  # printed once its jobs are loaded, before the first tick
    assert banner.startswith("worker "), banner
    time.sleep(1.0)  # its first ticks: connections open, nothing due
    clock = SystemClock()
    latencies: list[float] = []
    log_ms: list[float] = []
    seen: dict[str, int] = {}
    bad = 0
    try:
        for i in range(count):
            t0 = time.time()
            emergency = emergency_log(
                community=community,
                by=receptionist,
                now=clock.now(),
                kind=KIND,
                location=f"{i % 9 + 1}栋地下车库",
            )
            logged = time.time()  # committed: the worker may see it from now on
            log_ms.append((logged - t0) * 1000)
            ids = list(emergency.responders.values_list("user_id", flat=True))
            assert len(ids) == 1 + per_department * len(DEPARTMENTS), len(ids)
            cause = f"emergency:{emergency.pk}"
            expected = {f"{cause}:{uid}:{ch}" for uid in ids for ch in ("email", "webhook")}
            group = f"{cause}:e"
            got: dict[str, float] = {}
            group_at: float | None = None
            deadline = time.monotonic() + 30
            while (len(got) < len(expected) or group_at is None) and time.monotonic() < deadline:
                try:
                    _channel, key, at, ok = arrivals.get(timeout=0.5)
                except queue.Empty:
                    continue
                bad += not ok
                seen[key] = seen.get(key, 0) + 1
                if key in expected:
                    got.setdefault(key, at)
                elif key.startswith(group) and key.endswith(":webhook"):
                    group_at = group_at or at
            if len(got) < len(expected) or group_at is None:
                raise SystemExit(
                    f"{db}: emergency {i + 1}: {len(got)} of {len(expected)} deliveries "
                    f"(group webhook {'yes' if group_at else 'no'}) after 30 s"
                )
            latencies.append(max([*got.values(), group_at]) - logged)
            time.sleep(0.2)  # a pause between emergencies (the office is not a load test)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.communicate()
        stop.set()
        receiver.join(10)
        connections.close_all()
        drop_database(db)
    duplicates = sum(n - 1 for n in seen.values())
    return {
        "db": db,
        "n": count,
        "recipients": 1 + per_department * len(DEPARTMENTS),
        "deliveries": 2 * (1 + per_department * len(DEPARTMENTS)) + 1,
        "median": statistics.median(latencies),
        "max": max(latencies),
        "min": min(latencies),
        "log_ms": statistics.median(log_ms),
        "duplicates": duplicates,
        "bad": bad,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--emergencies", type=int, default=10)
    parser.add_argument("--per-department", type=int, default=4)
    parser.add_argument("--row-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.db == "both":
        # Django is set up once per process: each database in a process of its own.
        rows = []
        for db in ("sqlite", "postgres"):
            out = subprocess.run(
                [sys.executable, __file__, "--db", db, "--emergencies", str(args.emergencies),
                 "--per-department", str(args.per_department), "--row-only"],
                check=True, capture_output=True, text=True, cwd=ROOT,
            )  # fmt: skip
            rows.append(out.stdout.strip().splitlines()[-1])
        print_table(rows)
        return
    r = run(args.db, args.emergencies, args.per_department)
    row = (
        f"| {r['db']} | {r['n']} | {r['recipients']} | {r['deliveries']} | "
        f"{r['median'] * 1000:.0f} | {r['max'] * 1000:.0f} | {r['min'] * 1000:.0f} | "
        f"{r['log_ms']:.0f} | {r['duplicates']} | {r['bad']} |"
    )
    if args.row_only:
        print(row)
    else:
        print_table([row])


def print_table(rows: list[str]) -> None:
    print(
        "Emergency logged → last on-duty recipient's delivery (e-mail, SMS webhook, group "
        f"webhook), embedded worker, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(
        "| db | emergencies | recipients | deliveries each | median ms | max ms | min ms "
        "| emergency_log ms (median) | duplicates | bad signatures |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
