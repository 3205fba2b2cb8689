"""Scale-out proof (issue 15): the sweeper and the delivery with N worker processes at once, as if
on separate machines, on PostgreSQL, with real receivers; no duplicate, no loss, measured.

    .venv/bin/python bench/scaleout.py                       # 20,000 clocks, 2,000 notices, 1 vs 4
    .venv/bin/python bench/scaleout.py --clocks 2000 --notices 2000 --runs 1,4,4k
    .venv/bin/python bench/scaleout.py --mode embedded        # `manage.py worker` processes

Data (database ``propdesk_bench_scaleout``, recreated): one company with a leadership user,
``--communities`` communities each with an administrator and an office head (all with e-mail
addresses) and one signed generic webhook endpoint. ``--clocks`` clocks spread over the
communities, half CP-1 (3 escalation levels: administrator + office head, office head,
leadership) and half CP-3 (2 levels: office head, leadership), plus ``--notices`` in-app
notifications to the office heads. Every in-app row goes out as an e-mail (to a real SMTP server,
aiosmtpd) and to the community's webhook (a real HTTP server checking each HMAC signature), both
in a separate receiver process that counts each message by its idempotency id (X-Propdesk-Id).

A run (``--runs``: a number of processes, ``k`` = kill -9 one mid-delivery): the clocks are
written far in the future and the N workers started (`celery worker --pool solo` processes with
a real Redis broker and one `celery beat`, as production runs them; or `manage.py worker`); once
all are up, one transaction makes every clock due 5 hours ago and writes the notices (T0). Then
the workers run the sweep and the delivery until the receivers hold every message. Checked
after each run, and the run fails otherwise:
  - every clock breached exactly once, at its last level; one log line per clock and level;
  - every escalation level's in-app rows written once, each expanded once;
  - every e-mail and webhook row sent; each idempotency id arrived at its receiver (none lost),
    and how many arrived twice (a retry after a crash: at-least-once, same id);
  - no bad signature.
Measured: clocks/s (T0 → nothing due), deliveries/s (T0 → the last arrival), each worker's CPU.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
SECRET = "bench-scaleout-secret"  # noqa: S105 - a bench-only signing key
CLK_TCK = os.sysconf("SC_CLK_TCK")
SETTINGS = "bench.scaleout_settings"
QUEUE = "propdesk-scaleout-bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the receivers (their own process) ------------------------------------------------------------


def receivers(http_port: int, smtp_port: int, ready: Any) -> None:
    """HTTP webhook receiver and SMTP server; GET /stats answers what arrived, by id."""
    from aiosmtpd.controller import Controller

    lock = threading.Lock()
    http: Counter[str] = Counter()
    smtp: Counter[str] = Counter()
    bad = [0]
    last = [0.0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            with lock:
                if self.path == "/count":
                    data: Any = {
                        "http": len(http),
                        "smtp": len(smtp),
                        "total": sum(http.values()) + sum(smtp.values()),
                        "last": last[0],
                    }
                else:
                    data = {"http": dict(http), "smtp": dict(smtp), "bad": bad[0], "last": last[0]}
            self._answer(200, json.dumps(data).encode())

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ts = self.headers.get("X-Propdesk-Timestamp", "")
            want = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            ok = hmac.compare_digest(want, self.headers.get("X-Propdesk-Signature", ""))
            with lock:
                if ok:
                    http[self.headers["X-Propdesk-Id"]] += 1
                    last[0] = time.time()
                else:
                    bad[0] += 1
            self._answer(200 if ok else 401, b"{}")

    class Mail:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            msg = message_from_bytes(envelope.original_content or envelope.content)
            with lock:
                smtp[str(msg["X-Propdesk-Id"])] += 1
                last[0] = time.time()
            return "250 OK"

    controller = Controller(Mail(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    server = ThreadingHTTPServer(("127.0.0.1", http_port), Handler)
    server.daemon_threads = True
    ready.set()
    try:
        server.serve_forever()
    finally:
        controller.stop()


def stats(port: int, what: str = "count") -> dict[str, Any]:
    with urlopen(f"http://127.0.0.1:{port}/{what}", timeout=30) as r:
        return dict(json.loads(r.read()))


# --- the database ---------------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def register(communities: int, http_port: int) -> list[dict[str, int]]:
    from propdesk.clocks.services import policy_for
    from propdesk.community.models import Community, Company, Membership, User
    from propdesk.notify.models import NotificationEndpoint

    company = Company.objects.create(name="锦绣物业(bench)")
    User.objects.create(
        username="bench-boss", company=company, is_leadership=True, email="boss@bench.local"
    )
    out = []
    for i in range(communities):
        community = Community.objects.create(
            company=company,
            name=f"锦绣花园{i + 1}期",
            code=f"s{i}",
            # The notices go to one head each: no per-person cap (issue 12) in this bench.
            policy={"notify_cap": {"per_person": 10**6}},
        )
        ids = {"community": community.pk}
        for role in ("administrator", "office_head"):
            user = User.objects.create(
                username=f"s{i}-{role}", company=company, email=f"s{i}-{role}@bench.local"
            )
            Membership.objects.create(user=user, community=community, role=role)
            ids[role] = user.pk
        NotificationEndpoint.objects.create(
            community=community,
            name="bench",
            kind="generic",
            url=f"http://127.0.0.1:{http_port}/hook",
            secret=SECRET,
        )
        ids["version"] = policy_for(community)[1]
        out.append(ids)
    return out


RULES = {  # rule: (title, levels, in-app rows, e-mails, webhook rows) per clock
    "CP-1": ("投诉10分钟内安排管理员处理", 3, 4, 4, 3),
    "CP-3": ("书面投诉当日回复处理结果", 2, 2, 2, 2),
}


def rule_of(i: int) -> str:
    return "CP-1" if i % 2 == 0 else "CP-3"


def clocks_parked(n: int, comms: list[dict[str, int]]) -> None:
    """Empty the outbox, the logs and the clocks; write n running clocks due in two days."""
    from django.db import connection

    from propdesk.clocks.models import Clock

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE clocks_clocklog, notify_notification, clocks_clock, core_workerheartbeat "
            "RESTART IDENTITY CASCADE"
        )
    far = datetime.now(UTC) + timedelta(days=2)
    for lo in range(0, n, 5000):
        Clock.objects.bulk_create(
            Clock(
                community_id=comms[i % len(comms)]["community"],
                rule_id=rule_of(i),
                title=RULES[rule_of(i)][0],
                subject=str(i),
                started_at=far - timedelta(minutes=10),
                due_at=far,
                next_check_at=far,
                policy_version_id=comms[i % len(comms)]["version"],
            )
            for i in range(lo, min(n, lo + 5000))
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE clocks_clock")


def release(n_notices: int, comms: list[dict[str, int]]) -> float:
    """T0: in one transaction every clock falls due 5 hours ago and the notices are written."""
    from django.db import connection, transaction

    from propdesk.notify.services import notifications_create

    now = datetime.now(UTC)
    with transaction.atomic():
        with connection.cursor() as cur:
            due = now - timedelta(hours=5)
            cur.execute(
                "UPDATE clocks_clock SET due_at = %s, next_check_at = %s, started_at = %s",
                [due, due, due - timedelta(minutes=10)],
            )
        for i in range(n_notices):
            c = comms[i % len(comms)]
            notifications_create(
                community_id=c["community"],
                recipient_ids=[c["office_head"]],
                cause=f"bench:{i}",
                kind="order_routed",
                title=f"新工单 GD-20261201-{i:05d} 已派到客服中心",
                payload={"bench": i},
                now=now,
            )
    return time.time()


def expected(n_clocks: int, n_notices: int) -> dict[str, int]:
    count = Counter(rule_of(i) for i in range(n_clocks))
    return {
        "logs": sum(RULES[r][1] * k for r, k in count.items()),
        "in_app": sum(RULES[r][2] * k for r, k in count.items()) + n_notices,
        "email": sum(RULES[r][3] * k for r, k in count.items()) + n_notices,
        "webhook": sum(RULES[r][4] * k for r, k in count.items()) + n_notices,
    }


OURS = "(cause LIKE 'bench:%%' OR (cause LIKE 'clock:%%' AND split_part(cause, ':', 2)::int <= %s))"


def verify(n_clocks: int, n_notices: int, received: dict[str, Any]) -> dict[str, Any]:
    """Exactly once, none lost: raises AssertionError with what is wrong. Ours are the clocks
    1..n (written before any worker started) and their rows, and the notices; the app's own
    periodic jobs add a few clocks of their own (RV-1, CS-3 per community), delivered too and
    checked at the receivers, but not counted."""
    from django.db import connection

    from propdesk.clocks.models import Clock
    from propdesk.notify.models import Notification

    want = expected(n_clocks, n_notices)
    problems = []
    for rule, (_t, levels, *_n) in RULES.items():
        wrong = (
            Clock.objects.filter(rule_id=rule, pk__lte=n_clocks)
            .exclude(state="breached", level=levels)
            .count()
        )
        if wrong:
            problems.append(f"{wrong} {rule} clocks not breached at level {levels}")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE n > 1) FROM (SELECT clock_id, "
            "data->>'level' AS level, count(*) AS n FROM clocks_clocklog "
            "WHERE what IN ('breached', 'escalated') AND clock_id <= %s GROUP BY 1, 2) x",
            [n_clocks],
        )
        lines, repeated = cur.fetchone()
        cur.execute(
            "SELECT count(*) FROM (SELECT clock_id FROM clocks_clocklog WHERE what = 'breached' "
            "AND clock_id <= %s GROUP BY 1 HAVING count(*) = 1) x",
            [n_clocks],
        )
        breached_once = cur.fetchone()[0]
        cur.execute(
            f"SELECT channel, state, count(*) FROM notify_notification WHERE {OURS} "  # noqa: S608
            "GROUP BY 1, 2",
            [n_clocks],
        )
        by = {(ch, st): k for ch, st, k in cur.fetchall()}
    if repeated or lines != want["logs"] or breached_once != n_clocks:
        problems.append(
            f"clock log: {lines} (clock, level) lines of {want['logs']}, {repeated} repeated, "
            f"{breached_once} of {n_clocks} clocks breached once"
        )
    for channel in ("in_app", "email", "webhook"):
        rows = sum(k for (ch, _s), k in by.items() if ch == channel)
        sent = by.get((channel, "sent"), 0)
        if rows != want[channel] or sent != rows:
            problems.append(f"{channel}: {rows} rows of {want[channel]}, {sent} sent")
    keys = {
        ch: set(
            Notification.objects.filter(channel=ch).values_list("dedupe_key", flat=True).iterator()
        )
        for ch in ("email", "webhook")
    }
    http, smtp = Counter(received["http"]), Counter(received["smtp"])
    lost = len(keys["webhook"] - set(http)) + len(keys["email"] - set(smtp))
    unknown = len(set(http) - keys["webhook"]) + len(set(smtp) - keys["email"])
    twice = sum(n - 1 for n in http.values()) + sum(n - 1 for n in smtp.values())
    if lost or unknown or received["bad"]:
        problems.append(f"receivers: {lost} lost, {unknown} unknown, {received['bad']} bad sig")
    retried = Notification.objects.filter(channel__in=("email", "webhook"), attempts__gt=1)
    result = {
        "clock_log_lines": lines,
        "in_app": want["in_app"],
        "email": want["email"],
        "webhook": want["webhook"],
        "others_delivered": len(keys["email"])
        + len(keys["webhook"])
        - want["email"]
        - want["webhook"],
        "arrived_unique": len(http) + len(smtp),
        "arrived_twice": twice,
        "lost": lost,
        "rows_sent_again": retried.count(),
        "problems": problems,
    }
    assert not problems, result
    return result


# --- the workers ----------------------------------------------------------------------------------


def worker_env(url: str, redis: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis,
        "SECRET_KEY": "bench-scaleout",
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        "NOTIFY_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",  # the local receivers
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "CELERY_QUEUE": QUEUE,  # the bench never touches another queue
    }


def start_workers(
    mode: str, n: int, env: dict[str, str], tag: str
) -> tuple[list[subprocess.Popen[bytes]], list[Path]]:
    procs, logs = [], []
    celery = str(ROOT / ".venv" / "bin" / "celery")
    for i in range(n):
        log = OUT / f"scaleout-{tag}-w{i}.log"
        if mode == "celery":
            cmd = [celery, "-A", "propdesk", "worker", "--pool", "solo", "-n", f"w{i}@%h"]
            cmd += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
            cmd += ["--prefetch-multiplier", "1", "--loglevel", "INFO"]
        else:
            cmd = [sys.executable, "manage.py", "worker", "--name", f"w{i}"]
        with log.open("wb") as fh:
            procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=fh))
        logs.append(log)
    return procs, logs


def wait_ready(mode: str, logs: list[Path], timeout: float = 90) -> None:
    from propdesk.core.models import WorkerHeartbeat

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if mode == "celery":
            up = sum(" ready." in p.read_text(errors="replace") for p in logs)
        else:
            up = WorkerHeartbeat.objects.filter(
                name__in=[f"w{i}" for i in range(len(logs))]
            ).count()
        if up == len(logs):
            return
        time.sleep(0.3)
    sys.exit(f"workers not ready after {timeout}s: see {logs}")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class PgCpu:
    """CPU time of the database's server backends, sampled while they live: a backend that
    closes (CONN_MAX_AGE) keeps the time it had at its last sample."""

    def __init__(self, dbname: str) -> None:
        self.dbname = dbname
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def sample(self) -> None:
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            pids = [
                r[0]
                for r in c.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.dbname]
                ).fetchall()
            ]
        for pid in pids:
            seconds = cpu_seconds(pid)
            if seconds == seconds:  # not NaN: still there
                self.first.setdefault(pid, seconds)
                self.last[pid] = seconds

    def seconds(self) -> float:
        return sum(self.last[p] - self.first[p] for p in self.last)


def talking_to(pid: int, ports: set[int]) -> bool:
    """Whether process ``pid`` holds an established TCP connection to one of ``ports`` (a worker
    in the middle of sending a batch: its SMTP session, or a webhook POST)."""
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            if f[3] == "01" and f[9] in inodes and int(f[2].rsplit(":", 1)[1], 16) in ports:
                return True
    return False


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def one_run(
    args: argparse.Namespace, procs_n: int, kill: bool, comms: list[dict[str, int]]
) -> dict:
    from django.db import connection

    from propdesk.clocks.models import Clock
    from propdesk.notify.models import Notification

    tag = f"{procs_n}{'k' if kill else ''}"
    clocks_parked(args.clocks, comms)
    want = expected(args.clocks, args.notices)
    outgoing = want["email"] + want["webhook"]
    ctx = multiprocessing.get_context("fork")
    http_port, smtp_port = free_port(), free_port()
    ready = ctx.Event()
    receiver = ctx.Process(target=receivers, args=(http_port, smtp_port, ready), daemon=True)
    receiver.start()
    ready.wait(20)
    from propdesk.notify.models import NotificationEndpoint

    NotificationEndpoint.objects.update(url=f"http://127.0.0.1:{http_port}/hook")
    env = worker_env(args.database_url, args.redis) | {"EMAIL_PORT": str(smtp_port)}
    beat = None
    if args.mode == "celery":
        import redis

        redis.Redis.from_url(args.redis).delete(QUEUE)  # our own queue only
        schedule = OUT / f"scaleout-beat-{tag}"
        beat = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "propdesk",
                "beat",
                "-s",
                str(schedule),
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=(OUT / f"scaleout-{tag}-beat.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
    workers, logs = start_workers(args.mode, procs_n, env, tag)
    result: dict[str, Any] = {"procs": procs_n, "kill": kill, "mode": args.mode}
    try:
        wait_ready(args.mode, logs)
        cpu0 = [cpu_seconds(w.pid) for w in workers]
        pg = PgCpu(args.dbname)
        pg.sample()
        result["load_before"] = loadavg()
        t0 = release(args.notices, comms)
        t_clocks = t_deliv = None
        killed = None
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            time.sleep(0.25)
            pg.sample()
            if t_clocks is None:
                due = Clock.objects.filter(next_check_at__lt=datetime.now(UTC)).count()
                if due == 0:
                    t_clocks = time.time()
            got = stats(http_port)
            arrived = got["http"] + got["smtp"]
            busy = (
                [w for w in workers if talking_to(w.pid, {http_port, smtp_port})]
                if kill and killed is None and arrived >= outgoing * args.kill_at
                else []
            )
            if busy:
                # A machine crash in the middle of sending a batch: no signal handler, no
                # goodbye; the rows it claimed stay claimed until their lease runs out.
                killed = busy[0]
                result["killed_cpu_s"] = round(
                    cpu_seconds(killed.pid) - cpu0[workers.index(killed)], 2
                )
                killed.send_signal(signal.SIGKILL)
                result["killed_at"] = round(time.time() - t0, 2)
                result["killed_when_arrived"] = arrived
                result["sending_after_kill"] = None
            if killed is not None and result.get("sending_after_kill") is None:
                killed.wait(5)
                result["sending_after_kill"] = Notification.objects.filter(state="sending").count()
            if (
                t_clocks is not None
                and arrived >= outgoing
                and not Notification.objects.exclude(state__in=("sent", "failed")).exists()
            ):
                t_deliv = stats(http_port)["last"]
                break
        result["load_after"] = loadavg()
        result["worker_cpu_s"] = [
            round(cpu_seconds(w.pid) - c0, 2) if w is not killed else None
            for w, c0 in zip(workers, cpu0, strict=True)
        ]
        pg.sample()
        result["pg_cpu_s"] = round(pg.seconds(), 2)
    finally:
        for p in [*workers, *([beat] if beat else [])]:
            if p.poll() is None:
                p.terminate()
        for p in [*workers, *([beat] if beat else [])]:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
    if t_clocks is None or t_deliv is None:
        connection.close()
        receiver.terminate()
        sys.exit(f"run {tag}: not done after {args.timeout}s ({result})")
    time.sleep(1)  # a straggler sent twice would arrive now
    received = stats(http_port, "stats")
    receiver.terminate()
    result["seconds_clocks"] = round(t_clocks - t0, 2)
    result["seconds_deliveries"] = round(t_deliv - t0, 2)
    result["clocks_per_s"] = round(args.clocks / (t_clocks - t0), 1)
    result["deliveries_per_s"] = round(outgoing / (t_deliv - t0), 1)
    result |= verify(args.clocks, args.notices, received)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clocks", type=int, default=20000)
    p.add_argument("--notices", type=int, default=2000)
    p.add_argument("--communities", type=int, default=10)
    p.add_argument("--runs", default="1,4,4k", help="process counts; 'k' kills one mid-run")
    p.add_argument("--mode", choices=["celery", "embedded"], default="celery")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    p.add_argument("--dbname", default="propdesk_bench_scaleout")
    p.add_argument("--kill-at", type=float, default=0.3, help="share of deliveries arrived")
    p.add_argument("--timeout", type=float, default=1800)
    args = p.parse_args()
    args.database_url = f"postgres://postgres@127.0.0.1:5432/{args.dbname}"
    OUT.mkdir(parents=True, exist_ok=True)
    fresh_database(args.database_url)
    os.environ.update(worker_env(args.database_url, args.redis))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    comms = register(args.communities, 0)
    want = expected(args.clocks, args.notices)
    print(
        f"scaleout ({args.mode}): {args.clocks} clocks, {args.notices} notices, "
        f"{args.communities} communities → {want['logs']} escalation levels, "
        f"{want['email'] + want['webhook']} e-mails and webhooks, {os.cpu_count()} CPUs, "
        f"load {loadavg()}",
        flush=True,
    )
    results = []
    for run in args.runs.split(","):
        r = one_run(args, int(run.rstrip("k")), run.endswith("k"), comms)
        results.append(r)
        print(json.dumps(r), flush=True)
        with (OUT / "scaleout.jsonl").open("a") as fh:
            fh.write(json.dumps({"at": datetime.now(UTC).isoformat(), **vars(args), **r}) + "\n")
    print(
        f"{'procs':>6} {'kill':>5} {'clocks/s':>9} {'deliv/s':>8} {'twice':>6} {'lost':>5} "
        f"{'worker CPU s':>28} {'PG CPU s':>9} load"
    )
    for r in results:
        print(
            f"{r['procs']:>6} {'yes' if r['kill'] else '':>5} {r['clocks_per_s']:>9} "
            f"{r['deliveries_per_s']:>8} {r['arrived_twice']:>6} {r['lost']:>5} "
            f"{r['worker_cpu_s']!s:>28} {r['pg_cpu_s']:>9} {r['load_before']}"
        )


if __name__ == "__main__":
    main()
