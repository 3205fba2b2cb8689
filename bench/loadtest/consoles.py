"""Staff consoles keeping their screens live as a browser does (issue 15): bench/loadtest/run.py.

    consoles.py SESSIONS.json BASE_URL DURATION_S   # prints "ready", then one JSON line at the end

Each console is one open page of one staff member (SESSIONS: cookie and page path, chosen by
run.py from the role), in one asyncio loop, on keep-alive connections as a browser keeps them:

1. Before the run (not measured): the page itself, as a navigation, a few at a time; its live
   region's cursor (``data-live-c``) and call cursor (``data-live-calls``) are read from it.
2. The poll (static/web/live.js): ``GET /desk/live/?c=&n=[&r=]`` with the session cookie and
   ``Accept: application/json``; the next one the page's interval after the answer (2 s, 1 s on a
   page with a calls region, doubled per failure up to 60 s). The first one waits a random part of
   the interval: the pages are not in lockstep. Each page sends its own cursors.
3. When the poll says ``changed`` (the first poll: when ``c`` moved past the page's cursor),
   live.js's ``refreshRegions``: the region is fetched now, or, if the last refresh took ``ms``,
   not before ``REGION_FACTOR * ms`` (at most ``MAX_REGION_GAP_MS``) after the last one began,
   with one timer at a time (``RegionPacer``). The fetch is htmx's: the region's ``hx-get`` with
   its ``hx-include`` values, ``HX-Request``, ``HX-Trigger``, ``HX-Target``, ``HX-Current-URL``
   and the cookie; a fetch asked while one is in flight waits for it (htmx's ``hx-sync``
   default: the last one queued). The board also refreshes every 60 s (its ``every 60s``), the
   queue when the call cursor moves (``live:calls``); those do not time the back-off.

Recorded per kind (``live``, ``fragment``; ``page`` for step 1): requests, latency percentiles,
status counts and errors (a connection error or no answer within 10 s); for the fragments also
the polls that said changed (what the pages would have fetched without the back-off), the
refreshes held back, and the gaps between one page's fragment swaps (what a person at the screen
sees: how often the page redraws).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# static/web/live.js (tests/web/test_loadtest_consoles.py checks they match)
VISIBLE_MS = 2000
CALLS_VISIBLE_MS = 1000
MAX_BACKOFF_MS = 60000
REGION_FACTOR = 10
MAX_REGION_GAP_MS = 30000
TIMEOUT_S = 10.0
PAGE_LOADS_AT_ONCE = 4
FRAGMENTS = os.environ.get("FRAGMENTS", "1") == "1"  # 0: the polls only (the load test before)

# The live region of each page a console keeps open (its template's hx-get element): its id,
# the query its hx-include adds on page 1 with no filter chosen, and its own timer (ms).
REGIONS: dict[str, tuple[str, str, int | None]] = {
    "board": ("board-rows", "?kind=&team=&state=&building=", 60000),  # .filters, #board-page
    "queue": ("queue-live", "", None),
    "jobs": ("jobs-live", "", None),  # #jobs-page: only past page 1
}


class RegionPacer:
    """live.js's ``refreshRegions`` on a clock in milliseconds: ``refresh(now)`` says whether
    the regions are fetched now (0.0), in ``w`` ms (a timer is set; call ``fired()`` then
    ``refresh`` again when it runs), or not at all (None: a timer is already waiting, and it
    will show every change since). ``took(ms)``: the last region refresh's time."""

    def __init__(self) -> None:
        self.ms = 0.0
        self.at: float | None = None
        self.timer = False

    def refresh(self, now: float) -> float | None:
        wait = 0.0
        if self.at is not None:
            wait = self.at + min(REGION_FACTOR * self.ms, MAX_REGION_GAP_MS) - now
        if wait > 0:
            if self.timer:
                return None
            self.timer = True
            return wait
        self.at = now
        return 0.0

    def fired(self) -> None:
        self.timer = False

    def took(self, ms: float) -> None:
        self.ms = ms


class Closed(Exception):
    pass


class Conn:
    """One keep-alive HTTP/1.1 connection to the front (nginx), reopened when it closes."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        reused = self.writer is not None
        try:
            return await self._get(path, headers)
        except (Closed, ConnectionError):
            self.close()
            if not reused:
                raise
        return await self._get(path, headers)  # the server closed an idle connection

    async def _get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            await self._open()
        assert self.reader and self.writer
        head = f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write((head + "\r\n").encode())
        status_line = await self.reader.readline()
        if not status_line:
            raise Closed
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            body = b"".join(parts)
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body, close = await self.reader.read(), True
        if close:
            self.close()
        return status, body


@dataclass
class Kind:
    ms: list[float] = field(default_factory=list)
    status: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=lambda: {"connect": 0, "timeout": 0})

    async def timed(self, conn: Conn, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        t = time.monotonic()
        try:
            status, body = await asyncio.wait_for(conn.get(path, headers), TIMEOUT_S)
        except TimeoutError:
            conn.close()
            self.errors["timeout"] += 1
            return 0, b""
        except (OSError, Closed, ValueError, asyncio.IncompleteReadError):
            conn.close()
            self.errors["connect"] += 1
            return 0, b""
        self.ms.append((time.monotonic() - t) * 1000)
        self.status[status] = self.status.get(status, 0) + 1
        return status, body


@dataclass
class Stats:
    page: Kind = field(default_factory=Kind)
    live: Kind = field(default_factory=Kind)
    fragment: Kind = field(default_factory=Kind)
    changed: int = 0  # polls that said changed: a page without the back-off fetches then
    held: int = 0  # refreshes that waited for the back-off's timer
    gaps: list[float] = field(default_factory=list)  # ms between one page's fragment swaps
    by_page: dict[str, list[float]] = field(default_factory=dict)  # fragment ms by page


class Console:
    def __init__(self, s: dict[str, Any], host: str, port: int, stats: Stats) -> None:
        self.cookie = s["cookie"]
        self.page = s["page"]
        self.kind = s["page"].rstrip("/").rsplit("/", 1)[1]
        self.region_id, query, self.every_ms = REGIONS[self.kind]
        self.region_url = s["page"] + query
        self.current_url = f"http://{host}:{port}{s['page']}"
        self.poll_conn, self.region_conn = Conn(host, port), Conn(host, port)
        self.stats = stats
        self.pacer = RegionPacer()
        self.c: int | None = None
        self.n: int | None = None
        self.r: int | None = None
        self.page_c: int | None = None
        self.first = True
        self.failures = 0
        self.in_flight = False
        self.queued: bool | None = None  # htmx's queued request: by live:changed or not
        self.swapped: float | None = None
        self.end = 0.0

    async def open(self) -> None:
        """The page, as a navigation: its cursors, and a check that its region is there."""
        status, body = await self.stats.page.timed(
            self.poll_conn, self.page, {"Cookie": self.cookie, "Accept": "text/html"}
        )
        html = body.decode("utf-8", "replace")
        if status != 200 or f'id="{self.region_id}"' not in html:
            raise SystemExit(f"{self.page}: {status}, no #{self.region_id} live region")
        m = re.search(r'data-live-c="(\d+)"', html)
        self.page_c = int(m.group(1)) if m else None
        m = re.search(r'data-live-calls="(\d+)"', html)
        self.r = int(m.group(1)) if m else None

    def delay_s(self) -> float:
        base = CALLS_VISIBLE_MS if self.r is not None else VISIBLE_MS
        return min(base * 2**self.failures, MAX_BACKOFF_MS) / 1000

    async def run(self, end: float) -> None:
        self.end = end
        tasks = []
        if self.every_ms and FRAGMENTS:
            tasks.append(asyncio.create_task(self.every()))
        await asyncio.sleep(random.uniform(0, self.delay_s()))
        while time.monotonic() < end:
            cursors = (("c", self.c), ("n", self.n), ("r", self.r))
            q = [f"{k}={v}" for k, v in cursors if v is not None]
            path = "/desk/live/" + ("?" + "&".join(q) if q else "")
            status, body = await self.stats.live.timed(
                self.poll_conn, path, {"Cookie": self.cookie, "Accept": "application/json"}
            )
            if status == 200:
                self.failures = 0
                self.answered(json.loads(body))
            else:
                self.failures = min(self.failures + 1, 5)
            await asyncio.sleep(self.delay_s())
        for t in tasks:
            t.cancel()

    def answered(self, a: dict[str, Any]) -> None:
        # The first answer: a change since the page was drawn (its own cursor).
        first = self.page_c is not None and a["c"] != self.page_c
        changed = first if self.first else a["changed"]
        self.first = False
        self.c, self.n = a["c"], a["n"]
        if isinstance(a.get("r"), int):
            if FRAGMENTS and self.r is not None and a["r"] != self.r:
                self.fetch(live=False)  # live:calls
            self.r = a["r"]
        if changed:
            self.stats.changed += 1
            if FRAGMENTS:
                self.refresh_regions()

    def refresh_regions(self) -> None:
        wait = self.pacer.refresh(time.monotonic() * 1000)
        if wait is None:
            return
        if wait > 0:
            self.stats.held += 1
            asyncio.get_running_loop().call_later(wait / 1000, self.timer_fired)
            return
        self.fetch(live=True)

    def timer_fired(self) -> None:
        self.pacer.fired()
        if time.monotonic() < self.end:
            self.refresh_regions()

    def fetch(self, live: bool) -> None:
        if self.in_flight:
            self.queued = live  # hx-sync's default for an element: the last one waits
            return
        self.in_flight = True
        asyncio.get_running_loop().create_task(self.fetch_now(live))

    async def fetch_now(self, live: bool) -> None:
        t = time.monotonic()
        status, _ = await self.stats.fragment.timed(
            self.region_conn,
            self.region_url,
            {
                "Cookie": self.cookie,
                "Accept": "*/*",
                "HX-Request": "true",
                "HX-Trigger": self.region_id,
                "HX-Target": self.region_id,
                "HX-Current-URL": self.current_url,
            },
        )
        done = time.monotonic()
        self.stats.by_page.setdefault(self.kind, []).append((done - t) * 1000)
        if live:
            self.pacer.took((done - t) * 1000)  # htmx:afterRequest, an error too
        if status == 200:
            if self.swapped is not None:
                self.stats.gaps.append((done - self.swapped) * 1000)
            self.swapped = done
        self.in_flight = False
        if self.queued is not None and done < self.end:
            live, self.queued = self.queued, None
            self.fetch(live)

    async def every(self) -> None:
        assert self.every_ms
        while True:
            await asyncio.sleep(self.every_ms / 1000)
            self.fetch(live=False)


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def summary(name: str, k: Kind, seconds: float, **extra: Any) -> dict[str, Any]:
    return {
        "kind": name,
        "requests": len(k.ms),
        "seconds": round(seconds, 2),
        "status": {str(s): n for s, n in sorted(k.status.items())},
        "errors": k.errors,
        "p50_ms": round(pct(k.ms, 0.5), 1),
        "p90_ms": round(pct(k.ms, 0.9), 1),
        "p99_ms": round(pct(k.ms, 0.99), 1),
        "max_ms": round(max(k.ms, default=0.0), 1),
        **extra,
    }


async def main(sessions_file: str, base: str, duration: float) -> None:
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    stats = Stats()
    consoles = [Console(s, host, port, stats) for s in json.loads(Path(sessions_file).read_text())]
    t = time.monotonic()
    gate = asyncio.Semaphore(PAGE_LOADS_AT_ONCE)

    async def opened(c: Console) -> None:
        async with gate:
            await c.open()

    await asyncio.gather(*(opened(c) for c in consoles))
    page_s = time.monotonic() - t
    print("ready", flush=True)
    start = time.monotonic()
    end = start + duration
    await asyncio.gather(*(c.run(end) for c in consoles))
    # Fragments still in flight at the end: let them finish (bounded by their timeout).
    while any(c.in_flight for c in consoles) and time.monotonic() < end + TIMEOUT_S:
        await asyncio.sleep(0.05)
    seconds = time.monotonic() - start
    gaps = stats.gaps
    out = [
        summary("page", stats.page, page_s),
        summary("live", stats.live, seconds, changed=stats.changed),
        summary(
            "fragment",
            stats.fragment,
            seconds,
            changed_polls=stats.changed,
            held=stats.held,
            refresh_gap_ms={
                "n": len(gaps),
                "p50": round(pct(gaps, 0.5)),
                "p90": round(pct(gaps, 0.9)),
                "max": round(max(gaps, default=0.0)),
            },
            by_page={
                k: {"n": len(v), "p50_ms": round(pct(v, 0.5)), "p90_ms": round(pct(v, 0.9))}
                for k, v in sorted(stats.by_page.items())
            },
        ),
    ]
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
