"""Load test on loopback (issue 15): staff consoles keeping their screens live as a browser does
(the poll and the live regions' fragments) and an open-loop stream of creates through the JSON
API, at SIZE orders on PostgreSQL, gunicorn serving behind nginx.

    bench/loadtest/run.py                                         # the full run: see the knobs
    DURATION=60 SIZE=100000 bench/loadtest/run.py                 # a short dry run

Knobs (environment): DURATION seconds (600), CONSOLES (200), FRAGMENTS (1: a page fetches its
live region when the poll says changed, with live.js's back-off; 0: the polls only, as this test
did before), CREATE_RATE per second (50), CREATE_CONNECTIONS (32: the bound on creates in
flight), SIZE orders (1000000), WEB_WORKERS (3, as bin/run), WORKER (1: run `manage.py worker`
beside it, as bin/run does; 0: none), NGINX (1: the clients talk to nginx in front of gunicorn,
as deploy/nginx/propdesk.conf runs it; 0: to gunicorn directly), DB
(propdesk_loadtest_bench_<SIZE>; a helper names its own).

Why nginx (1 by default): gunicorn's sync workers must sit behind a proxy that buffers whole
requests. wrk opens its next connection as soon as an answer arrives and only then waits for the
request's slot, so without the proxy a sync worker accepts that connection and blocks in recv()
until wrk writes; the creates then queue behind silent connections (measured: 15.9 creates/s of
50, each ~2 s, on a half-idle machine). nginx accepts every connection and forwards a request
only once it has all of it, as in production.

1. bench/setup_data.py --orders SIZE into DB (idempotent: an already loaded database is kept),
   and collectstatic (the pages need the manifest, as bin/run collects it).
2. CONSOLES sessions, round-robin over the 45 staff of the three communities (bench/live.py's
   make_sessions: real database sessions of real users, as a login leaves them), each with the
   page its role keeps open (PAGE: the queue for the office head, reception and team leaders,
   the board for the administrator, my jobs for team members).
3. gunicorn (propdesk.wsgi, WEB_WORKERS sync workers, DEBUG off, 127.0.0.1) and the worker;
   nginx in front (a loopback copy of deploy/nginx/propdesk.conf's proxy settings, plain http).
4. bench/loadtest/consoles.py opens every console's page (not measured), then for DURATION each
   page polls /desk/live/ at live.js's pace (2 s after the answer; 1 s on a queue with a calls
   region) and, when the answer says changed, fetches its live region as htmx does, spaced by
   live.js's back-off (ten times the last refresh's time, at most 30 s). At the same time wrk
   runs bench/loadtest/create.lua (POST /api/work-orders/ with token auth at CREATE_RATE, open
   loop, at most CREATE_CONNECTIONS in flight).
5. Recorded per request type (live poll, fragment, create): asked and done per second,
   p50/p90/p99/max, status counts and errors; the gaps between one page's fragment refreshes
   (median, p90, max: how often a screen redraws); server CPU = user + system time
   (/proc/<pid>/stat) of gunicorn's master and workers, of the PostgreSQL backends of the
   database, of the worker and of nginx, over the run, and the consoles' client apart; the load
   average and how busy the whole machine was. One JSON line goes to bench/out/loadtest.jsonl, a
   summary to stdout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

DURATION = int(os.environ.get("DURATION", "600"))
CONSOLES = int(os.environ.get("CONSOLES", "200"))
FRAGMENTS = os.environ.get("FRAGMENTS", "1") == "1"
CREATE_RATE = float(os.environ.get("CREATE_RATE", "50"))
CREATE_CONNECTIONS = int(os.environ.get("CREATE_CONNECTIONS", "32"))
SIZE = int(os.environ.get("SIZE", "1000000"))
WEB_WORKERS = int(os.environ.get("WEB_WORKERS", "3"))
WORKER = os.environ.get("WORKER", "1") == "1"
NGINX = os.environ.get("NGINX", "1") == "1"
# The page each role keeps open (its live region: consoles.py's REGIONS). A receptionist starts
# at the front desk (intake: no live region) but keeps the queue open for the call-backs.
PAGE = {
    "office_head": "queue",
    "receptionist": "queue",
    "team_leader": "queue",
    "administrator": "board",
    "team_member": "jobs",
}
CALLS_ROLES = {"office_head", "receptionist"}  # their queue has a calls region: polls every 1 s
DB = os.environ.get("DB", f"propdesk_loadtest_bench_{SIZE}")
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": URL,
        "SECRET_KEY": "bench-loadtest-not-a-secret",
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PYTHONDONTWRITEBYTECODE": "1",
        # The pages need their static files' manifest, as bin/run collects them.
        "STATIC_ROOT": str(OUT / "loadtest-static"),
    }


def cpu(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


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


NGINX_CONF = """daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream propdesk_web {{ server 127.0.0.1:{upstream}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        client_max_body_size 64m;
        location / {{
            proxy_pass http://propdesk_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_request_buffering on;
            proxy_buffering on;
            proxy_connect_timeout 5s;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


def start_nginx(upstream: int) -> tuple[subprocess.Popen[bytes], int]:
    """nginx on a free loopback port, proxying to gunicorn on ``upstream``."""
    from live import free_port

    port = free_port()
    folder = OUT / "loadtest-nginx"
    folder.mkdir(exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=folder, upstream=upstream, port=port))
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(folder)])
    return proc, port


def pg_backends() -> list[int]:
    import psycopg

    with psycopg.connect(URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DB],
        ).fetchall()
    return [r[0] for r in rows]


def machine() -> tuple[float, float]:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return float(sum(fields) - idle), float(sum(fields))


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    meta_path = OUT / f"loadtest-{SIZE}.json"
    t = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "setup_data.py"),
            "--orders",
            str(SIZE),
            "--meta",
            str(meta_path),
        ],
        env=env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"data: {SIZE} orders in {DB} ({time.monotonic() - t:.0f} s)", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    meta = json.loads(meta_path.read_text())
    os.environ.update(env())
    import django

    django.setup()
    from live import free_port, get, make_sessions

    sessions = make_sessions(CONSOLES, meta["community"])
    pages = OUT / "loadtest-sessions.json"
    pages.write_text(
        json.dumps(
            [
                {"cookie": s["cookie"], "page": f"/desk/{s['community']}/{PAGE[s['role']]}/"}
                for s in sessions
            ]
        )
    )
    from django.db import connections

    connections.close_all()

    port = free_port()
    log = OUT / "loadtest-gunicorn.log"
    gunicorn = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "propdesk.wsgi:application",
            "--config",
            "python:propdesk.web_server",
            "--chdir",
            str(ROOT),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WEB_WORKERS),
            "--graceful-timeout",
            "5",
            "--error-logfile",
            str(log),
        ],
        env=env(),
    )
    front = None
    front_port = port
    if NGINX:
        front, front_port = start_nginx(port)
    worker = None
    if WORKER:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--name", "loadtest"],
            cwd=ROOT,
            env=env(),
            stdout=subprocess.DEVNULL,
            stderr=(OUT / "loadtest-worker.log").open("wb"),
        )
    try:
        for _ in range(150):
            try:
                if get(port, "/health/", "")[0] in (200, 503):
                    break
            except OSError:
                pass
            time.sleep(0.2)
        # Warm every gunicorn worker (imports, first queries) outside the measurement.
        for _ in range(WEB_WORKERS * 4):
            get(port, "/desk/live/", sessions[0]["cookie"])
        for _ in range(50):
            try:
                if get(front_port, "/health/", "")[0] in (200, 503):
                    break
            except OSError:
                pass
            time.sleep(0.1)
        base = f"http://127.0.0.1:{front_port}"
        consoles = subprocess.Popen(
            [sys.executable, str(HERE / "consoles.py"), str(pages), base, str(DURATION)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "FRAGMENTS": "1" if FRAGMENTS else "0"},
        )
        # Each console opens its page first (not measured); the run starts when all have.
        assert consoles.stdout
        t_pages = time.monotonic()
        if consoles.stdout.readline().strip() != "ready":
            raise SystemExit("consoles.py did not start")
        print(f"pages: {CONSOLES} opened in {time.monotonic() - t_pages:.0f} s", flush=True)
        web = [gunicorn.pid, *children(gunicorn.pid)]
        fronts = [front.pid, *children(front.pid)] if front else []
        backends = pg_backends()
        extra = [worker.pid] if worker else []
        cpu0 = (cpu(web), cpu(backends), cpu(extra))
        busy0, total0 = machine()
        load0 = loadavg()
        started = datetime.now(UTC)
        hh = meta["households"]
        creates = subprocess.Popen(
            [
                "wrk",
                "-t2",
                f"-c{CREATE_CONNECTIONS}",
                f"-d{DURATION}s",
                "--timeout",
                "10s",
                "-s",
                str(HERE / "create.lua"),
                base,
                "--",
                meta["token"],
                str(meta["community"]),
                str(hh[0]),
                str(hh[1]),
                str(CREATE_RATE),
                "2",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        # Sampled every second while wrk runs: a backend or worker that ends keeps the CPU
        # time it had at its last sample.
        first: dict[int, float] = {}
        last: dict[int, float] = {}
        kind: dict[int, str] = {}

        def sample() -> None:
            groups = {
                "gunicorn": [gunicorn.pid, *children(gunicorn.pid)],
                "postgres": pg_backends(),
                "worker": extra,
                "nginx": fronts,
                "client": [consoles.pid],
            }
            for name, pids in groups.items():
                for pid in pids:
                    seconds = cpu([pid])
                    if pid in last and seconds == 0:
                        continue  # gone
                    first.setdefault(pid, seconds if pid in seen_before else 0.0)
                    last[pid] = seconds
                    kind[pid] = name

        # What ran before the run started does not count: start from the current times.
        seen_before = set(web) | set(backends) | set(extra) | set(fronts) | {consoles.pid}
        sample()
        for pid in seen_before:
            first[pid] = cpu([pid])
        while consoles.poll() is None or creates.poll() is None:
            time.sleep(1)
            sample()
        outs = [consoles.communicate()[0], creates.communicate()[0]]
        sample()
        totals = {"gunicorn": 0.0, "postgres": 0.0, "worker": 0.0, "nginx": 0.0, "client": 0.0}
        for pid, seconds in last.items():
            totals[kind[pid]] += seconds - first[pid]
        cpu1 = (totals["gunicorn"], totals["postgres"], totals["worker"])
        nginx_s = totals["nginx"]
        cpu0 = (0.0, 0.0, 0.0)
        new = [p for p in kind if kind[p] == "postgres" and p not in seen_before]
        busy1, total1 = machine()
        load1 = loadavg()
    finally:
        if front:
            front.send_signal(signal.SIGQUIT)
            front.wait(30)
        gunicorn.send_signal(signal.SIGTERM)
        if worker:
            worker.send_signal(signal.SIGTERM)
        gunicorn.wait(30)
        if worker:
            worker.wait(30)
    page, *results = json.loads(outs[0].strip().splitlines()[-1])
    results.append(json.loads(outs[1].strip().splitlines()[-1]))
    # What the load asked for: live.js's pace for every page (a page with a calls region polls
    # every second), every poll that said changed (a page without the back-off fetched then),
    # the creates' schedule.
    calls_pages = sum(1 for s in sessions if s["role"] in CALLS_ROLES)
    asked = {
        "live": (CONSOLES - calls_pages) / 2.0 + calls_pages / 1.0,
        "fragment": results[1]["changed_polls"] / results[1]["seconds"],
        "create": CREATE_RATE,
    }
    for r in results:
        r["asked_per_s"] = round(asked[r["kind"]], 1)
        r["done_per_s"] = round(r["requests"] / r["seconds"], 1)
    seconds = DURATION
    web_s, pg_s, worker_s = (b - a for a, b in zip(cpu0, cpu1, strict=True))
    n_requests = sum(r["requests"] for r in results)
    record = {
        "at": started.isoformat(timespec="seconds"),
        "duration_s": DURATION,
        "consoles": CONSOLES,
        "fragments": FRAGMENTS,
        "create_rate": CREATE_RATE,
        "size": SIZE,
        "web_workers": WEB_WORKERS,
        "worker": WORKER,
        "nginx": NGINX,
        "results": results,
        "cpu_s": {
            "gunicorn": round(web_s, 1),
            "postgres": round(pg_s, 1),
            "worker": round(worker_s, 1),
            "nginx": round(nginx_s, 1),
        },
        "client_cpu_s": round(totals["client"], 1),
        "page_loads": page,
        "server_cores": round((web_s + pg_s + worker_s + nginx_s) / seconds, 2),
        "server_cpu_ms_per_request": round((web_s + pg_s) * 1000 / max(n_requests, 1), 2),
        "pg_backends_opened_late": len(new),
        "machine_busy_cores": round((busy1 - busy0) / (total1 - total0) * (os.cpu_count() or 1), 2),
        "load_before": load0,
        "load_after": load1,
        "cpus": os.cpu_count(),
    }
    with (OUT / "loadtest.jsonl").open("a") as fh:
        fh.write(json.dumps(record) + "\n")
    print(json.dumps(record, indent=1))
    print(
        f"\n{'type':<8} {'asked/s':>7} {'done/s':>7} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}"
        f" {'max ms':>8}  status / errors"
    )
    for r in results:
        print(
            f"{r['kind']:<8} {r['asked_per_s']:>7.1f} {r['done_per_s']:>7.1f} {r['p50_ms']:>8.1f} "
            f"{r['p90_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['max_ms']:>8.0f}"
            f"  {r['status']} {r['errors']}"
        )
    print(
        f"server CPU: gunicorn {web_s:.1f} s + PostgreSQL {pg_s:.1f} s + worker {worker_s:.1f} s "
        f"+ nginx {nginx_s:.1f} s "
        f"in {seconds} s = {record['server_cores']} cores; machine {record['machine_busy_cores']} "
        f"of {os.cpu_count()} cores busy; load {load0} → {load1}; "
        f"the consoles' client {totals['client']:.1f} s"
    )
    gap = results[1]["refresh_gap_ms"]
    print(
        f"a page's fragment refreshes: every {gap['p50'] / 1000:.1f} s (median), "
        f"{gap['p90'] / 1000:.1f} s (p90), at most {gap['max'] / 1000:.1f} s; "
        f"{results[1]['held']} refreshes held back by live.js's back-off; "
        f"by page: {results[1]['by_page']}"
    )


if __name__ == "__main__":
    main()
