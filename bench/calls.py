"""What the phone system's calls cost (FD-1), at 100,000 orders.

    bench/calls.py --db sqlite   [--orders 100000] [--duration 20] [--clients 4] [--rings 30]
    bench/calls.py --db postgres [...]   # database propdesk_callsbench on 127.0.0.1:5432

Loads the bench data (bench/setup_data.py: one company, three communities, N orders; here in
bench/out/calls-bench.sqlite3 or PostgreSQL propdesk_callsbench), gives the main community a
phone system (a webhook secret) and its receptionists extensions, then:

1. in-process (django.test.Client, no HTTP): the receptionist's live poll "nothing changed"
   without and with ``r`` (the intake screen's call cursor), median of 300: what the call cursor
   adds to every poll of the pages that show calls;
2. starts gunicorn with ONE sync worker (as bin/run does, DEBUG off, 127.0.0.1, a free port);
3. ``throughput``: ``--clients`` threads post signed events to ``POST /api/calls/events/`` for
   ``--duration`` seconds, each call ringing → answered → ended (one in ten ringing → missed,
   which starts or joins a call-back clock), one new TCP connection per request as a PBX's
   webhook client does: accepted events per second, latency p50/p99, the worker's CPU per event;
4. ``ring to screen``: a receptionist's intake screen polls as live.js does (``/desk/live/`` with
   ``r`` every second; on a moved ``r`` it fetches ``/desk/<id>/calls/ringing/``); ``--rings``
   calls from registered residents ring 2-3 s apart; for each, the time from the webhook's POST
   to the banner's HTML holding the caller's household (p50, p95, max).

Results: bench/out/calls-<db>.json and a table on stdout; summary in bench/RESULTS.md. Loopback
only; every phase is bounded. The machine is shared: compare medians.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import live as livebench  # noqa: E402  (bench/live.py: gunicorn, CPU, the HTTP client)

APP = livebench.APP
OUT = livebench.OUT
PG = "postgres://postgres@127.0.0.1:5432/propdesk_callsbench"
SECRET = "bench-calls-pbx-secret"  # noqa: S105 - a bench-only key


def database_url(db: str) -> str:
    return PG if db == "postgres" else f"sqlite:///{OUT / 'calls-bench.sqlite3'}"


livebench.database_url = database_url  # the same helpers, our own database


def sign(ts: str, raw: bytes) -> str:
    return hmac.new(SECRET.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()


def post_event(port: int, community: int, body: dict[str, Any]) -> tuple[int, float]:
    raw = json.dumps(body, separators=(",", ":")).encode()
    ts = str(int(time.time()))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    t = time.perf_counter()
    try:
        conn.request(
            "POST",
            f"/api/calls/events/?community={community}",
            body=raw,
            headers={
                "Content-Type": "application/json",
                "X-Propdesk-Timestamp": ts,
                "X-Propdesk-Signature": sign(ts, raw),
            },
        )
        r = conn.getresponse()
        r.read()
        return r.status, (time.perf_counter() - t) * 1000
    finally:
        conn.close()


def prepare(meta: dict[str, Any]) -> dict[str, Any]:
    """The phone system and extensions of the main community; a receptionist's session; the
    residents' numbers and their households' codes."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from propdesk.calls.models import Extension
    from propdesk.calls.services import phone_system_set
    from propdesk.community.models import Community, Membership, Resident

    community = Community.objects.get(pk=meta["community"])
    phone_system_set(community=community, secret=SECRET)
    desk = list(
        Membership.objects.filter(community=community, role="receptionist")
        .select_related("user")
        .order_by("user__username")
    )
    for i, m in enumerate(desk):
        Extension.objects.update_or_create(
            community=community, number=f"80{i + 1}", defaults={"user": m.user}
        )
    user = desk[0].user
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    residents = list(
        Resident.objects.filter(household__community=community)
        .exclude(phone="")
        .values_list("phone", "household__code")[:2000]
    )
    return {
        "community": community.pk,
        "cookie": f"sessionid={s.session_key}",
        "residents": residents,
        "extensions": [f"80{i + 1}" for i in range(len(desk))] or ["801"],
    }


def in_process(cookie: str, requests: int = 300) -> dict[str, float]:
    """The "nothing changed" poll, without and with the call cursor, interleaved; median ms."""
    from django.test import Client

    client = Client()
    client.cookies["sessionid"] = cookie.split("=", 1)[1]
    first = client.get("/desk/live/?r=0").json()
    plain = f"/desk/live/?c={first['c']}&n={first['n']}"
    calls = f"{plain}&r={first['r']}"
    out: dict[str, list[float]] = {"without_r": [], "with_r": []}
    for i in range(requests + 30):
        for key, url in (("without_r", plain), ("with_r", calls)):
            t = time.perf_counter()
            r = client.get(url)
            dt = (time.perf_counter() - t) * 1000
            assert r.status_code == 200 and r.json()["changed"] is False, r.content
            if i >= 30:
                out[key].append(dt)
    return {k: round(statistics.median(v), 3) for k, v in out.items()}


def throughput(
    port: int, prep: dict[str, Any], clients: int, duration: float, pids: list[int]
) -> dict[str, Any]:
    stop_at = time.monotonic() + duration
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    run = f"{int(time.time())}"

    def client(n: int) -> None:
        rnd = random.Random(n)
        i = 0
        while time.monotonic() < stop_at:
            i += 1
            call = f"bench-{run}-{n}-{i}"
            phone = rnd.choice(prep["residents"])[0]
            at = datetime.now(UTC)
            seq = [{"type": "ringing", "at": at, "phone": phone, "line": "88881234"}]
            if rnd.random() < 0.1:
                seq.append({"type": "missed", "at": at + timedelta(seconds=30)})
            else:
                seq.append(
                    {
                        "type": "answered",
                        "at": at + timedelta(seconds=rnd.uniform(2, 20)),
                        "extension": rnd.choice(prep["extensions"]),
                    }
                )
                seq.append({"type": "ended", "at": at + timedelta(seconds=90)})
            for ev in seq:
                body = {
                    **ev,
                    "id": f"{call}:{ev['type']}",
                    "call": call,
                    "at": ev["at"].isoformat(),
                }
                status, ms = post_event(port, prep["community"], body)
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    latencies.append(ms)

    cpu0, t0 = livebench.cpu_seconds(pids), time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    cpu = livebench.cpu_seconds(pids) - cpu0
    accepted = statuses.get(202, 0)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "statuses": statuses,
        "events_per_s": round(accepted / elapsed, 1),
        "p50_ms": round(livebench.pct(latencies, 0.5), 1),
        "p99_ms": round(livebench.pct(latencies, 0.99), 1),
        "cpu_ms_per_event": round(cpu * 1000 / max(accepted, 1), 2),
    }


def ring_to_screen(port: int, prep: dict[str, Any], rings: int) -> dict[str, Any]:
    """The intake screen (live.js: a poll every second with r) against calls ringing; for each,
    POST → the banner's HTML holding the household's code."""
    cid, cookie = prep["community"], prep["cookie"]
    rnd = random.Random(7)
    state = json.loads(livebench.get(port, "/desk/live/?r=0", cookie)[1])
    r_seen = state["r"]
    results: list[float] = []
    missing = 0
    for i in range(rings):
        phone, code = rnd.choice(prep["residents"])
        call = f"screen-{int(time.time())}-{i}"
        # The poll runs on its own 1 s schedule: the ring lands at a random point of it.
        next_poll = time.monotonic() + rnd.uniform(0, 1.0)
        t0 = time.monotonic()
        status, _ms = post_event(
            port,
            cid,
            {
                "id": f"{call}:ringing",
                "call": call,
                "type": "ringing",
                "at": datetime.now(UTC).isoformat(),
                "phone": phone,
                "line": "88881234",
            },
        )
        assert status == 202, status
        shown = None
        while time.monotonic() - t0 < 10:
            time.sleep(max(0.0, next_poll - time.monotonic()))
            next_poll += 1.0
            answer = json.loads(livebench.get(port, f"/desk/live/?r={r_seen}", cookie)[1])
            if answer["r"] != r_seen:
                r_seen = answer["r"]
                html = livebench.get(port, f"/desk/{cid}/calls/ringing/", cookie)[1].decode()
                if code in html:
                    shown = time.monotonic() - t0
                    break
        if shown is None:
            missing += 1
        else:
            results.append(shown * 1000)
        # Answer and end it, so the banner holds one call at a time.
        for kind in ("answered", "ended"):
            post_event(
                port,
                cid,
                {
                    "id": f"{call}:{kind}",
                    "call": call,
                    "type": kind,
                    "at": datetime.now(UTC).isoformat(),
                    "extension": prep["extensions"][0],
                },
            )
        time.sleep(rnd.uniform(1.0, 2.0))
    return {
        "rings": rings,
        "not_shown_within_10s": missing,
        "p50_ms": round(livebench.pct(results, 0.5), 0),
        "p95_ms": round(livebench.pct(results, 0.95), 0),
        "max_ms": round(max(results), 0) if results else None,
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--orders", type=int, default=100_000)
    p.add_argument("--duration", type=float, default=20.0)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--rings", type=int, default=30)
    args = p.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    meta_path = OUT / f"meta-calls-{args.db}.json"
    t0 = time.monotonic()
    livebench.load(args.db, args.orders, meta_path)
    meta = json.loads(meta_path.read_text())
    print(f"{args.db}: data ready in {time.monotonic() - t0:.0f} s ({meta['total_orders']} orders)")
    os.environ.update(livebench.server_env(args.db))
    (APP / "var" / "static").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.db import connection

    prep = prepare(meta)
    inproc = in_process(prep["cookie"])
    print(f"in-process poll, nothing changed (ms): {inproc}")
    connection.close()
    log = OUT / "logs" / f"gunicorn-calls-{args.db}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server, port = livebench.start_gunicorn(args.db, 1, log)
    try:
        pids = [server.pid, *livebench.children(server.pid)]
        tp = throughput(port, prep, args.clients, args.duration, pids)
        print(f"throughput (1 worker, {args.clients} clients): {tp}")
        screen = ring_to_screen(port, prep, args.rings)
        print(f"ring to screen: {screen}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "db": args.db,
        "orders": meta["total_orders"],
        "in_process_poll_ms": inproc,
        "throughput": tp,
        "ring_to_screen": screen,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
    }
    (OUT / f"calls-{args.db}.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
