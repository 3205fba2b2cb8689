"""Which server `make run` starts: web server configurations side by side in one interleaved run.

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench DEBUG=0 LOG_LEVEL=WARNING \
        DATABASE_URL=sqlite:////tmp/pd/propdesk-bench-100000.sqlite3 \
        .venv/bin/python bench/servers.py --meta META.json --out DIR [--rounds 3] \
        [--configs gunicorn-sync,gunicorn-gthread,granian-wsgi,uvicorn-asgi]

The data comes from bench/setup_data.py (its --meta file). For each round, every configuration in
turn (the order rotates each round) is started on 127.0.0.1 with 2 worker processes (the machine
has 2 CPUs), DEBUG off, no access log, and measured by:

- create: wrk (bench/create.lua) at 8 connections, 5 s warm-up then --duration seconds; creates/s,
  latency p50/p99 (wrk's own), status codes, and the server's CPU (user+system ticks of every
  process of the server, from /proc) per create;
- item: 200 sequential GETs of one order by id (random ids of the big community): median and p99
  wall time, server CPU per request;
- rss: each worker's resident memory after the round.

Then the server is stopped (SIGTERM to its process group). Results: DIR/servers.json and a
markdown table DIR/servers.md (medians over rounds). Configurations needing a package that is
not installed are skipped with a line saying so.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
TICK = os.sysconf("SC_CLK_TCK")

CONFIGS: dict[str, list[str]] = {
    # What bin/run started until now: pre-forked processes, one request at a time each.
    "gunicorn-sync": [str(BIN / "gunicorn"), "propdesk.wsgi:application", "--workers", "2"],
    "gunicorn-gthread": [
        str(BIN / "gunicorn"),
        "propdesk.wsgi:application",
        "--workers",
        "2",
        "--threads",
        "4",
    ],
    # A Rust HTTP server calling the same WSGI application.
    "granian-wsgi": [
        str(BIN / "granian"),
        "--interface",
        "wsgi",
        "--workers",
        "2",
        "--blocking-threads",
        "1",
        "--no-ws",
        "--log-level",
        "warning",
        "propdesk.wsgi:application",
    ],
    # ASGI: Django runs the sync views in a thread per request (asgiref).
    "uvicorn-asgi": [
        str(BIN / "uvicorn"),
        "propdesk.asgi:application",
        "--workers",
        "2",
        "--no-access-log",
        "--log-level",
        "warning",
    ],
}


def bind_args(name: str, port: int) -> list[str]:
    if name.startswith("gunicorn"):
        return ["--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5", "--timeout", "120"]
    if name.startswith("granian"):
        return ["--host", "127.0.0.1", "--port", str(port)]
    return ["--host", "127.0.0.1", "--port", str(port)]


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    out = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        for child in children.read_text().split():
            out += tree(int(child))
    except OSError:
        pass
    return out


def cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, float]:
    t = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        r.read()
        return r.status, (time.perf_counter() - t) * 1000
    finally:
        conn.close()


def start(name: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = CONFIGS[name] + bind_args(name, port)
    # No worker runs beside the server: /health/ must not wait for one (setup_data ticked once).
    env = {**os.environ, "HEALTH_STALE_MIN_SECONDS": "1000000"}
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(240):
        try:
            if get(port, "/health/", {})[0] == 200:
                return proc
        except OSError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited ({proc.returncode}); see {log}")
        time.sleep(0.25)
    stop(proc)
    raise SystemExit(f"{name} did not answer /health/; see {log}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wrk_create(port: int, meta: dict[str, Any], seconds: int) -> dict[str, Any]:
    hmin, hmax = meta["households"]
    cmd = [
        "wrk",
        "-t2",
        "-c8",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(ROOT / "bench" / "create.lua"),
        f"http://127.0.0.1:{port}",
        "--",
        meta["token"],
        str(meta["community"]),
        str(hmin),
        str(hmax),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    codes = {int(k): int(v) for k, v in re.findall(r"status (\d+): (\d+)", out)}
    lat = {p: float(v) for p, v in re.findall(r"latency p([\d.]+): ([\d.]+) ms", out)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50_ms": lat.get("50"),
        "p99_ms": lat.get("99"),
        "codes": codes,
        "socket_errors": errors.group(1) if errors else "",
    }


def measure(name: str, port: int, meta: dict[str, Any], a: argparse.Namespace) -> dict[str, Any]:
    log = a.out / f"{name}.log"
    proc = start(name, port, log)
    try:
        pids = tree(proc.pid)
        headers = {"Authorization": f"Token {meta['token']}", "Accept": "application/json"}
        ids = list(meta["detail_ids"])
        rng = random.Random(7)
        for _ in range(20):  # warm every worker
            get(port, f"/api/work-orders/{rng.choice(ids)}/", headers)
        wrk_create(port, meta, a.warmup)
        pids = tree(proc.pid)
        c0 = cpu_ticks(pids)
        create = wrk_create(port, meta, a.duration)
        c1 = cpu_ticks(pids)
        made = create["codes"].get(201, 0)
        create["cpu_ms_per_create"] = round(1000 * (c1 - c0) / TICK / made, 2) if made else None
        lat: list[float] = []
        bad = 0
        c0 = cpu_ticks(pids)
        for _ in range(a.items):
            status, ms = get(port, f"/api/work-orders/{rng.choice(ids)}/", headers)
            bad += status != 200
            lat.append(ms)
        c1 = cpu_ticks(pids)
        item = {
            "median_ms": round(statistics.median(lat), 2),
            "p99_ms": round(sorted(lat)[int(0.99 * (len(lat) - 1))], 2),
            "errors": bad,
            "cpu_ms_per_request": round(1000 * (c1 - c0) / TICK / len(lat), 2),
        }
        rss = sorted(round(rss_mb(p), 1) for p in tree(proc.pid))
        return {"create": create, "item": item, "rss_mb": rss}
    finally:
        stop(proc)


def available(name: str) -> bool:
    return Path(CONFIGS[name][0]).exists()


def report(results: list[dict[str, Any]]) -> str:
    names = list(dict.fromkeys(r["config"] for r in results))

    def med(name: str, step: str, key: str) -> float | None:
        vals = [r[step][key] for r in results if r["config"] == name and r[step].get(key)]
        return round(statistics.median(vals), 2) if vals else None

    base = med(names[0], "create", "rps") or 1.0
    lines = [
        "| server (2 workers) | creates/s | vs " + names[0] + " | create p50 / p99 ms "
        "| CPU ms per create | item median / p99 ms | CPU ms per item | worker RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n in names:
        rps = med(n, "create", "rps")
        rss = max((max(r["rss_mb"]) for r in results if r["config"] == n), default=0)
        lines.append(
            f"| {n} | {rps} | ×{(rps or 0) / base:.2f} | {med(n, 'create', 'p50_ms')} / "
            f"{med(n, 'create', 'p99_ms')} | {med(n, 'create', 'cpu_ms_per_create')} | "
            f"{med(n, 'item', 'median_ms')} / {med(n, 'item', 'p99_ms')} | "
            f"{med(n, 'item', 'cpu_ms_per_request')} | {rss} |"
        )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--meta", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=int, default=15)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--items", type=int, default=200)
    p.add_argument("--port", type=int, default=8870)
    p.add_argument("--configs", default=",".join(CONFIGS))
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    meta = json.loads(a.meta.read_text())
    names = [n for n in a.configs.split(",") if n]
    for n in names:
        if n not in CONFIGS:
            raise SystemExit(f"unknown configuration {n}; use {', '.join(CONFIGS)}")
    missing = [n for n in names if not available(n)]
    for n in missing:
        print(f"servers: {n} skipped: {CONFIGS[n][0]} is not installed", file=sys.stderr)
    names = [n for n in names if n not in missing]
    results: list[dict[str, Any]] = []
    for rnd in range(a.rounds):
        order = names[rnd % len(names) :] + names[: rnd % len(names)]
        for n in order:
            load = Path("/proc/loadavg").read_text().split()[:3]
            r = {"round": rnd, "config": n, "load": load, **measure(n, a.port, meta, a)}
            results.append(r)
            print(
                f"servers: round {rnd} {n}: {r['create']['rps']:.1f} creates/s, p99 "
                f"{r['create']['p99_ms']} ms, {r['create']['cpu_ms_per_create']} ms CPU/create, "
                f"item {r['item']['median_ms']} ms, rss {r['rss_mb']}, load {' '.join(load)}",
                file=sys.stderr,
            )
            (a.out / "servers.json").write_text(json.dumps(results, indent=1))
    table = report(results)
    (a.out / "servers.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
