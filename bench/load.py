"""HTTP latency of GET requests against a running server, from a Python client.

Sequential by default (one request at a time: the latency an idle server gives one user), or
with --concurrency C threads, each with its own http.client connection (kept alive when the
server allows; gunicorn's sync workers close it after each response, and then each request
opens a new one, as a browser behind no proxy would).

    .venv/bin/python bench/load.py --port 8000 --token KEY \
        --path '/api/work-orders/?open=1&community=1'
    .venv/bin/python bench/load.py --port 8000 --token KEY --path '/api/work-orders/{id}/' \
        --ids-from bench/out/meta-sqlite-100000.json --requests 200 --json

Paths with {id} take the ids from the meta file's detail_ids in turn. Prints the median, p90,
p99 and throughput; --json prints one JSON line instead.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from pathlib import Path


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


class Worker(threading.Thread):
    def __init__(self, host: str, port: int, headers: dict[str, str], paths: list[str]) -> None:
        super().__init__(daemon=True)
        self.host, self.port, self.headers, self.paths = host, port, headers, paths
        self.latencies: list[float] = []
        self.errors: dict[int, int] = {}
        self.bytes = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        for path in self.paths:
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers=self.headers)
                r = conn.getresponse()
                body = r.read()
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.errors[-1] = self.errors.get(-1, 0) + 1
                continue
            self.latencies.append(time.perf_counter() - t)
            self.bytes += len(body)
            if r.status != 200:
                self.errors[r.status] = self.errors.get(r.status, 0) + 1
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
        conn.close()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--ids-from", type=Path, help="meta JSON whose detail_ids fill {id}")
    p.add_argument("--requests", type=int, default=200, help="measured requests (all threads)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--label", default="")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    ids = json.loads(args.ids_from.read_text())["detail_ids"] if args.ids_from else [0]
    total = args.warmup + args.requests
    paths = [args.path.replace("{id}", str(ids[i % len(ids)])) for i in range(total)]
    headers = {"Authorization": f"Token {args.token}", "Accept": "application/json"}

    warm = Worker(args.host, args.port, headers, paths[: args.warmup])
    warm.run()
    measured = paths[args.warmup :]
    workers = [
        Worker(args.host, args.port, headers, measured[i :: args.concurrency])
        for i in range(args.concurrency)
    ]
    t = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - t
    lat = [x for w in workers for x in w.latencies]
    errors: dict[int, int] = {}
    for w in workers:
        for k, v in w.errors.items():
            errors[k] = errors.get(k, 0) + v
    out = {
        "label": args.label or args.path,
        "requests": len(lat),
        "concurrency": args.concurrency,
        "median_ms": round(statistics.median(lat) * 1000, 2),
        "p90_ms": round(pct(lat, 90) * 1000, 2),
        "p99_ms": round(pct(lat, 99) * 1000, 2),
        "max_ms": round(max(lat) * 1000, 2),
        "rps": round(len(lat) / wall, 1),
        "bytes_per_response": sum(w.bytes for w in workers) // max(1, len(lat)),
        "errors": errors,
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(
            f"{out['label']}: median {out['median_ms']} ms, p90 {out['p90_ms']} ms,"
            f" p99 {out['p99_ms']} ms, max {out['max_ms']} ms, {out['rps']}/s"
            f" over {out['requests']} requests x{args.concurrency}; errors {errors or 'none'}"
        )


if __name__ == "__main__":
    main()
