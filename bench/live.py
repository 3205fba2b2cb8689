"""What keeping the console's screens live costs the server (issue 10).

    bench/live.py --db sqlite   [--orders 100000] [--consoles 50] [--duration 60] [--workers 3]
    bench/live.py --db postgres [...]   # database propdesk_livebench on 127.0.0.1:5432

Loads the bench data (bench/setup_data.py: one company, three communities, N orders with one
event each; bench/out/live-bench.sqlite3 or PostgreSQL propdesk_livebench), gives every open
console its own session (round-robin over the 45 staff of the three communities, so a few
people have two tabs), then:

1. in-process (django.test.Client, no HTTP): the "nothing changed" poll through Django's whole
   stack, median of 300, with the time of each SQL statement (session, user, the live statement);
2. starts gunicorn as bin/run does (``propdesk.wsgi:application``, sync workers, DEBUG off, no
   access log, 127.0.0.1 on a free port) and, each phase ``--duration`` seconds, with the
   consoles polling on their own 2 s schedules (random phase; one thread and one new TCP
   connection per request, as a browser behind a proxy to a sync worker):
   - ``quiet``: ``GET /desk/live/?c=&n=`` as live.js does; nothing changes;
   - ``legacy``: what each page did before live.js (emergency-alert.js): ``GET
     /api/emergencies/?open=1`` every 2 s and ``GET /api/notifications/?unread=1&page_size=1``
     every 4 s;
   - ``latency``: the quiet polls while the front desk logs an important complaint through the
     API (``POST /api/work-orders/``, token) every 2-3 s in the largest community, 50 of them; the
     office head's console (whom each one notifies) times how long after each order is logged
     its ``unread`` rises;
   - ``busy``: the same, and each console that sees ``changed`` also fetches its page's live
     region as htmx would (head and team leaders: the queue; administrators: the board; team
     members: my jobs; receptionists: none): what a change costs the server.
   For each phase: requests/s, latency p50/p99, and the CPU seconds of the gunicorn processes
   (master and workers, /proc/<pid>/stat) and, on PostgreSQL, of the server backends serving
   them, per request and per open console.

Results: bench/out/live-<db>.json, a table on stdout; summary in bench/RESULTS.md. Loopback only;
every phase is bounded by --duration. The machine is shared: compare medians and ratios.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The app under test: the work tree, or the snapshot of a commit that bench/run-all unpacked.
APP = Path(os.environ.get("BENCH_APP_DIR") or ROOT)
sys.path.insert(0, str(APP))
OUT = ROOT / "bench" / "out"
PG = "postgres://postgres@127.0.0.1:5432/propdesk_livebench"
SECRET = "bench-live-not-a-secret"  # noqa: S105 - a bench-only key
CLK_TCK = os.sysconf("SC_CLK_TCK")


def database_url(db: str) -> str:
    return PG if db == "postgres" else f"sqlite:///{OUT / 'live-bench.sqlite3'}"


def server_env(db: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(db),
        "SECRET_KEY": SECRET,
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def load(db: str, orders: int, meta: Path) -> None:
    cmd = [sys.executable, str(ROOT / "bench" / "setup_data.py"), "--orders", str(orders)]
    cmd += ["--meta", str(meta)]
    env = server_env(db)
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run([*cmd, "--reset"], env=env, check=True, stdout=subprocess.DEVNULL)


# --- the consoles' sessions -------------------------------------------------------------------

PAGE = {  # the page each role keeps open, and its live region (None: the page has none)
    "office_head": "queue",
    "team_leader": "queue",
    "administrator": "board",
    "team_member": "jobs",
    "receptionist": None,
}


def make_sessions(
    consoles: int, community_id: int, watch_user_id: int | None = None
) -> list[dict[str, Any]]:
    """One session per console; console 0 is the office head of ``community_id`` (the one the
    logged complaints notify), or ``watch_user_id`` (the repair team's leader, whom a logged
    repair notifies)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from propdesk.community.models import Membership

    members = list(
        Membership.objects.select_related("user").order_by("community_id", "role", "user__username")
    )
    head = next(
        m
        for m in members
        if m.community_id == community_id
        and (m.user_id == watch_user_id if watch_user_id else m.role == "office_head")
    )
    members.remove(head)
    order = [head, *members]
    out = []
    for i in range(consoles):
        m = order[i % len(order)]
        s = SessionStore()
        s[SESSION_KEY] = str(m.user.pk)
        s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        s[HASH_SESSION_KEY] = m.user.get_session_auth_hash()
        s.create()
        page = PAGE[m.role]
        out.append(
            {
                "cookie": f"sessionid={s.session_key}",
                "user": m.user.username,
                "role": m.role,
                "community": m.community_id,
                "region": f"/desk/{m.community_id}/{page}/" if page else None,
            }
        )
    return out


# --- in-process: the poll's server time and its SQL --------------------------------------------


def in_process(session: dict[str, Any], requests: int = 300) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    client = Client()
    client.cookies["sessionid"] = session["cookie"].split("=", 1)[1]
    first = client.get("/desk/live/").json()
    url = f"/desk/live/?c={first['c']}&n={first['n']}"
    timings: dict[str, list[float]] = {"session": [], "user": [], "live": [], "other": []}
    current: list[tuple[str, float]] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = (
                "session"
                if "django_session" in sql
                else "live"
                if "desk_workorderevent" in sql
                else "user"
                if sql.lstrip().startswith('SELECT "community_user"')
                else "other"
            )
            current.append((kind, (time.perf_counter() - t) * 1000))

    totals = []
    queries = []
    with connection.execute_wrapper(wrapper):
        for i in range(requests + 30):
            current.clear()
            t = time.perf_counter()
            r = client.get(url)
            dt = (time.perf_counter() - t) * 1000
            assert r.status_code == 200 and r.json()["changed"] is False, r.content
            if i >= 30:
                totals.append(dt)
                queries.append(len(current))
                per: dict[str, float] = {}
                for kind, ms in current:
                    per[kind] = per.get(kind, 0.0) + ms
                for kind in timings:
                    timings[kind].append(per.get(kind, 0.0))
    med = {k: round(statistics.median(v), 3) for k, v in timings.items()}
    return {
        "total_ms": round(statistics.median(totals), 3),
        "sql_ms": med,
        "queries": statistics.median(queries),
        "python_ms": round(statistics.median(totals) - sum(med.values()), 3),
    }


def session_engines(user_pk: int, rounds: int = 6, per_round: int = 60) -> dict[str, float]:
    """The "nothing changed" poll in-process with the database session engine (the setting) and
    with signed cookies (no session query), interleaved rounds; median ms of each."""
    from django.test import Client, override_settings

    from propdesk.community.models import User

    user = User.objects.get(pk=user_pk)
    engines = {
        "db": "django.contrib.sessions.backends.db",
        "signed_cookies": "django.contrib.sessions.backends.signed_cookies",
    }
    times: dict[str, list[float]] = {k: [] for k in engines}
    for _ in range(rounds):
        for name, engine in engines.items():
            with override_settings(SESSION_ENGINE=engine):
                client = Client()
                client.force_login(user)
                a = client.get("/desk/live/").json()
                url = f"/desk/live/?c={a['c']}&n={a['n']}"
                for i in range(per_round + 5):
                    t = time.perf_counter()
                    r = client.get(url)
                    if i >= 5:
                        times[name].append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200
    return {k: round(statistics.median(v), 3) for k, v in times.items()}


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return int(port)


def start_gunicorn(db: str, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "propdesk.wsgi:application",
            "--chdir",
            str(APP),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--graceful-timeout",
            "5",
            "--error-logfile",
            str(log),
        ],
        env=server_env(db),
    )
    for _ in range(150):
        try:
            status, _body = get(port, "/health/", "")
            # The web process answers: 200, or 503 since no worker runs in the bench (its jobs
            # never tick; /health/ reports that, the web side is up all the same).
            if status in (200, 503):
                return proc, port
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    sys.exit(f"gunicorn did not start: see {log}")


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def pg_backends(dbname: str) -> list[int]:
    import psycopg

    with psycopg.connect(PG.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [dbname],
        ).fetchall()
    return [r[0] for r in rows]


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, for the others' load during a phase."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return float(sum(fields) - idle), float(sum(fields))


# --- the clients ----------------------------------------------------------------------------


def get(
    port: int, path: str, cookie: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        h = {"Accept": "application/json", **(headers or {})}
        if cookie:
            h["Cookie"] = cookie
        conn.request("GET", path, headers=h)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def post(port: int, path: str, token: str, body: dict[str, Any]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Token {token}",
            },
        )
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


class Console(threading.Thread):
    """One open page polling on its own 2 s schedule until ``stop_at``."""

    def __init__(
        self,
        port: int,
        session: dict[str, Any],
        mode: str,
        interval: float,
        start_at: float,
        stop_at: float,
        rng: random.Random,
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.s, self.mode, self.interval = port, session, mode, interval
        self.start_at, self.stop_at = start_at + rng.uniform(0, interval), stop_at
        self.polls: list[float] = []  # latency ms of the polls
        self.regions: list[float] = []  # latency ms of the live-region fetches
        self.errors = 0
        self.c = session.get("c")
        self.n = session.get("n")
        self.unread: list[tuple[float, int]] = []  # (time.monotonic(), unread) at each change

    def _poll_live(self) -> None:
        path = f"/desk/live/?c={self.c}&n={self.n}" if self.c is not None else "/desk/live/"
        t = time.perf_counter()
        status, body = get(self.port, path, self.s["cookie"])
        self.polls.append((time.perf_counter() - t) * 1000)
        if status != 200:
            self.errors += 1
            return
        a = json.loads(body)
        if not self.unread or self.unread[-1][1] != a["unread"]:
            self.unread.append((time.monotonic(), a["unread"]))
        changed = a["changed"] and self.c is not None
        self.c, self.n = a["c"], a["n"]
        if changed and self.mode == "busy" and self.s["region"]:
            t = time.perf_counter()
            status, _ = get(self.port, self.s["region"], self.s["cookie"], {"HX-Request": "true"})
            self.regions.append((time.perf_counter() - t) * 1000)
            if status != 200:
                self.errors += 1

    def run(self) -> None:
        tick, k = self.start_at, 0
        while tick < self.stop_at:
            delay = tick - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                if self.mode == "legacy":
                    for path in ["/api/emergencies/?open=1"] + (
                        ["/api/notifications/?unread=1&page_size=1"] if k % 2 == 0 else []
                    ):
                        t = time.perf_counter()
                        status, _ = get(self.port, path, self.s["cookie"])
                        self.polls.append((time.perf_counter() - t) * 1000)
                        self.errors += status != 200
                else:
                    self._poll_live()
            except OSError:
                self.errors += 1
            tick += self.interval
            k += 1


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p))]


def phase(
    name: str,
    port: int,
    sessions: list[dict[str, Any]],
    pids: list[int],
    duration: float,
    interval: float,
    meta: dict[str, Any],
    orders_every: tuple[float, float] = (2.0, 3.0),
    max_orders: int = 50,
) -> dict[str, Any]:
    mode = name if name in {"legacy", "latency", "busy"} else "quiet"
    rng = random.Random(10)
    start = time.monotonic() + 0.5
    stop = start + duration
    consoles = [Console(port, s, mode, interval, start, stop, rng) for s in sessions]
    cpu0, m0 = cpu_seconds(pids), machine_busy()
    self0 = os.times()
    for c in consoles:
        c.start()
    # (monotonic time the POST was sent, time its answer came: the order is logged, unread
    # expected of the head)
    logged: list[tuple[float, float, int]] = []
    post_ms: list[float] = []
    if mode in {"latency", "busy"}:
        time.sleep(interval + 1)
        head = consoles[0]
        base = head.unread[-1][1] if head.unread else 0
        lo, hi = meta["households"]
        while time.monotonic() < stop - 5 and len(logged) < max_orders:
            t = time.monotonic()
            p0 = time.perf_counter()
            status, body = post(
                port,
                "/api/work-orders/",
                meta["token"],
                {
                    "community": meta["community"],
                    "kind": "complaint",
                    "is_important": True,
                    "description": "楼上装修噪音，业主很不满意（bench）",
                    "household": rng.randint(lo, hi),
                }
                if meta.get("latency_kind", "complaint") == "complaint"
                else {
                    "community": meta["community"],
                    "kind": "repair",
                    "description": "厨房水龙头漏水（bench）",
                    "household": rng.randint(lo, hi),
                },
            )
            post_ms.append((time.perf_counter() - p0) * 1000)
            assert status == 201, body[:300]
            base += 1
            logged.append((t, time.monotonic(), base))
            time.sleep(rng.uniform(*orders_every))
    for c in consoles:
        c.join(timeout=duration + 60)
    elapsed = time.monotonic() - start
    cpu1, m1 = cpu_seconds(pids), machine_busy()
    self1 = os.times()
    polls = [x for c in consoles for x in c.polls]
    regions = [x for c in consoles for x in c.regions]
    requests = len(polls) + len(regions) + len(post_ms)
    cpu = cpu1 - cpu0
    out: dict[str, Any] = {
        "phase": name,
        "consoles": len(consoles),
        "seconds": round(elapsed, 1),
        "requests": requests,
        "polls": len(polls),
        "region_fetches": len(regions),
        "posts": len(post_ms),
        "errors": sum(c.errors for c in consoles),
        "req_per_s": round(requests / elapsed, 1),
        "poll_p50_ms": round(pct(polls, 0.5), 1),
        "poll_p99_ms": round(pct(polls, 0.99), 1),
        "region_p50_ms": round(pct(regions, 0.5), 1) if regions else None,
        "server_cpu_s": round(cpu, 2),
        "cpu_ms_per_request": round(cpu / max(requests, 1) * 1000, 2),
        "cpu_ms_per_poll_only": round(cpu / max(len(polls), 1) * 1000, 2) if not regions else None,
        "cpu_ms_per_console_per_s": round(cpu / elapsed / len(consoles) * 1000, 2),
        "server_cores_busy": round(cpu / elapsed, 3),
        "client_cpu_s": round((self1.user + self1.system) - (self0.user + self0.system), 2),
        "machine_busy_cores": round((m1[0] - m0[0]) / (m1[1] - m0[1]) * os.cpu_count(), 2),
        "load_avg": os.getloadavg()[0],
    }
    if logged:
        head = consoles[0]
        seen, seen_sent = [], []
        for sent, done, expected in logged:
            when = next((w for w, u in head.unread if u >= expected and w >= sent), None)
            if when is not None:
                seen.append(max(0.0, when - done) * 1000)  # from the order logged (201)
                seen_sent.append((when - sent) * 1000)  # from the moment it was submitted
        out.update(
            orders_logged=len(logged),
            orders_seen=len(seen),
            post_p50_ms=round(pct(post_ms, 0.5), 1),
            seen_p50_ms=round(statistics.median(seen), 1) if seen else None,
            seen_p99_ms=round(pct(seen, 0.99), 1) if seen else None,
            seen_max_ms=round(max(seen), 1) if seen else None,
            seen_from_submit_p50_ms=round(statistics.median(seen_sent), 1) if seen else None,
            seen_from_submit_p99_ms=round(pct(seen_sent, 0.99), 1) if seen else None,
        )
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--orders", type=int, default=100_000)
    p.add_argument("--consoles", type=int, default=50)
    p.add_argument("--interval", type=float, default=2.0)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of each phase")
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--phases", default="quiet,legacy,latency,busy")
    p.add_argument("--latency-orders", type=int, default=50, help="orders of the latency phase")
    p.add_argument(
        "--latency-kind",
        choices=["complaint", "repair"],
        default="complaint",
        help="complaint: an important complaint, the office head's bell; repair: a repair that"
        " goes straight to the repair team's pool, its leader's bell",
    )
    args = p.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    meta_path = OUT / f"meta-live-{args.db}.json"
    t0 = time.monotonic()
    load(args.db, args.orders, meta_path)
    meta = json.loads(meta_path.read_text())
    print(f"{args.db}: data ready in {time.monotonic() - t0:.0f} s ({meta['total_orders']} orders)")
    os.environ.update(server_env(args.db))
    (APP / "var" / "static").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.db import connection

    from propdesk.desk.models import WorkOrderEvent

    meta["latency_kind"] = args.latency_kind
    watch = None
    if args.latency_kind == "repair":
        from propdesk.community.models import Team

        watch = (
            Team.objects.filter(community_id=meta["community"], kind="repair")
            .order_by("id")
            .values_list("leader_id", flat=True)
            .first()
        )
    sessions = make_sessions(args.consoles, meta["community"], watch)
    events = WorkOrderEvent.objects.count()
    inproc = in_process(sessions[0])
    print(f"in-process poll (nothing changed): {inproc}")
    from propdesk.community.models import User

    head_pk = User.objects.get(username=sessions[0]["user"]).pk
    inproc["session_engines_ms"] = session_engines(head_pk)
    print(f"in-process poll by session engine: {inproc['session_engines_ms']}")
    connection.close()

    log = OUT / "logs" / f"gunicorn-live-{args.db}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server, port = start_gunicorn(args.db, args.workers, log)
    results: dict[str, Any] = {
        "db": args.db,
        "orders": meta["total_orders"],
        "events": events,
        "workers": args.workers,
        "consoles": args.consoles,
        "interval_s": args.interval,
        "in_process": inproc,
        "phases": [],
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
    }
    try:
        # Every console's first poll (its page just loaded), which also opens the workers'
        # database connections; then the measured phases.
        for s in sessions:
            status, body = get(port, "/desk/live/", s["cookie"])
            assert status == 200, body[:300]
            a = json.loads(body)
            s["c"], s["n"] = a["c"], a["n"]
        pids = [server.pid, *children(server.pid)]
        if args.db == "postgres":
            pids += pg_backends("propdesk_livebench")
        results["server_pids"] = len(pids)
        for name in args.phases.split(","):
            # The latency phase lasts until its orders are logged (one every 2-3 s), bounded.
            seconds = (
                max(args.duration, args.latency_orders * 2.5 + 10)
                if name == "latency"
                else args.duration
            )
            r = phase(
                name,
                port,
                sessions,
                pids,
                seconds,
                args.interval,
                meta,
                max_orders=args.latency_orders if name == "latency" else 10**6,
            )
            results["phases"].append(r)
            print(json.dumps(r, ensure_ascii=False))
            for s in sessions:  # the next phase starts from what the pages last saw
                status, body = get(port, "/desk/live/", s["cookie"])
                a = json.loads(body)
                s["c"], s["n"] = a["c"], a["n"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    suffix = "" if args.latency_kind == "complaint" else f"-{args.latency_kind}"
    (OUT / f"live-{args.db}{suffix}.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False)
    )
    print(
        f"\n{args.db}, {meta['total_orders']} orders, {events} events, gunicorn {args.workers}"
        f" sync workers, {args.consoles} consoles every {args.interval:g} s"
    )
    cols = [
        "phase",
        "req_per_s",
        "poll_p50_ms",
        "poll_p99_ms",
        "cpu_ms_per_request",
        "cpu_ms_per_console_per_s",
        "server_cores_busy",
        "machine_busy_cores",
        "errors",
    ]
    print(" | ".join(cols))
    for r in results["phases"]:
        print(" | ".join(str(r.get(c)) for c in cols))
    for r in results["phases"]:
        if r.get("orders_logged"):
            print(
                f"{r['phase']}: {r['orders_seen']}/{r['orders_logged']} orders seen by the"
                f" watched console's poll; POST p50 {r['post_p50_ms']} ms;"
                " unread rose after the order was logged:"
                f" p50 {r['seen_p50_ms']} ms, p99 {r['seen_p99_ms']} ms, max {r['seen_max_ms']} ms"
                f" (from submitting: p50 {r['seen_from_submit_p50_ms']} ms, p99"
                f" {r['seen_from_submit_p99_ms']} ms); live-region fetches"
                f" {r['region_fetches']}, p50 {r['region_p50_ms']} ms"
            )


if __name__ == "__main__":
    main()
