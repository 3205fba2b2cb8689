"""A web worker's memory over many requests: resident size after each 1,000, to see it level off.

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench DEBUG=0 LOG_LEVEL=WARNING \
        DATABASE_URL=sqlite:////tmp/pd/propdesk-bench-100000.sqlite3 \
        .venv/bin/python bench/memory.py --meta META.json --out DIR [--server gunicorn-sync] \
        [--requests 10000]

One server configuration of bench/servers.py with ONE worker process (so every request lands in
the process measured), then ``--requests`` requests one after another, a mix of what a day at
the desk asks: the open list (API), one order by id (API), a create (API, every 10th request),
the console's board and an order page (signed in as the receptionist of the bench data). The
worker's RSS (VmRSS) is read after every 1,000. Target (issue 15): at most 150 MB after 10,000,
with no growth over the last half. Results: DIR/memory.json and a line per sample.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import CONFIGS, ROOT, rss_mb, start, stop, tree


def request(
    port: int, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> tuple[int, bytes, http.client.HTTPResponse]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read(), r
    finally:
        conn.close()


def console_session(port: int, username: str, password: str) -> dict[str, str]:
    """Sign in to the console like a browser: the login form's CSRF cookie and token, then the
    session cookie."""
    status, body, r = request(port, "GET", "/desk/login/", {})
    cookies = dict(re.findall(r"(csrftoken)=([^;]+)", r.getheader("Set-Cookie") or ""))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None or "csrftoken" not in cookies:
        raise SystemExit(f"login page: HTTP {status}")
    form = f"username={username}&password={password}&csrfmiddlewaretoken={token.group(1).decode()}"
    status, _body, r = request(
        port,
        "POST",
        "/desk/login/",
        {
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}/desk/login/",
        },
        form,
    )
    session = re.search(r"sessionid=([^;]+)", r.getheader("Set-Cookie") or "")
    if status != 302 or session is None:
        raise SystemExit(f"console login refused (HTTP {status}): check the bench user's password")
    return {"Cookie": f"sessionid={session.group(1)}; csrftoken={cookies['csrftoken']}"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--meta", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--server", default="gunicorn-sync", choices=list(CONFIGS))
    p.add_argument("--requests", type=int, default=10000)
    p.add_argument("--port", type=int, default=8871)
    p.add_argument("--username", default="")
    p.add_argument("--password", default="")
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    meta = json.loads(a.meta.read_text())
    # One worker: every request lands in the process whose memory is read.
    CONFIGS[a.server] = [x if x != "2" else "1" for x in CONFIGS[a.server]]
    # The console's pages need the collected static files (as bin/run does before it starts).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    proc = start(a.server, a.port, a.out / f"memory-{a.server}.log")
    samples: list[dict[str, Any]] = []
    try:
        workers = [pid for pid in tree(proc.pid) if pid != proc.pid] or [proc.pid]
        api = {"Authorization": f"Token {meta['token']}", "Accept": "application/json"}
        console = console_session(a.port, a.username, a.password) if a.username else None
        rng = random.Random(11)
        ids = list(meta["detail_ids"])
        hmin, hmax = meta["households"]
        community = meta["community"]
        errors = 0
        t0 = time.perf_counter()
        for i in range(1, a.requests + 1):
            kind = i % 10
            if kind == 0:
                body = json.dumps(
                    {
                        "community": community,
                        "kind": "repair",
                        "description": "厨房水龙头漏水",
                        "household": rng.randint(hmin, hmax),
                    }
                )
                status = request(
                    a.port,
                    "POST",
                    "/api/work-orders/",
                    {**api, "Content-Type": "application/json"},
                    body,
                )[0]
                errors += status != 201
            elif kind in (1, 2, 3) or console is None:
                status = request(a.port, "GET", f"/api/work-orders/{rng.choice(ids)}/", api)[0]
                errors += status != 200
            elif kind in (4, 5):
                path = f"/api/work-orders/?open=1&community={community}"
                errors += request(a.port, "GET", path, api)[0] != 200
            elif kind in (6, 7):
                errors += request(a.port, "GET", f"/desk/{community}/board/", console)[0] != 200
            else:
                path = f"/desk/orders/{rng.choice(ids)}/"
                errors += request(a.port, "GET", path, console)[0] != 200
            if i % 1000 == 0:
                rss = [round(rss_mb(pid), 1) for pid in workers]
                samples.append({"requests": i, "rss_mb": rss, "errors": errors})
                print(
                    f"memory: {i} requests, worker RSS {rss} MB, errors {errors}, "
                    f"{i / (time.perf_counter() - t0):.0f} req/s",
                    file=sys.stderr,
                )
    finally:
        stop(proc)
    (a.out / "memory.json").write_text(json.dumps({"server": a.server, "samples": samples}))
    if samples:
        half = samples[len(samples) // 2]["rss_mb"][0]
        last = samples[-1]["rss_mb"][0]
        print(
            f"memory {a.server}: {samples[-1]['requests']} requests, worker RSS {last} MB "
            f"(at half way {half} MB, growth {last - half:+.1f} MB), errors {samples[-1]['errors']}"
        )


if __name__ == "__main__":
    main()
