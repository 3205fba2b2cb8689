"""The embedded background worker: each periodic job in its own loop, every ``job_interval`` of
it (settings.WORKER_INTERVAL_SECONDS for the sweeper, the telling and the delivery; longer for
housekeeping), so a slow job never delays another; a heartbeat for /health/ every
``record_interval()``, with each job's last tick (the start of its latest run: a job stuck in
one run goes stale). `bin/run` keeps it running (bin/supervise restarts it when it dies)."""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connections

from propdesk.core.clock import get_clock
from propdesk.core.jobs import (
    heartbeat,
    job_interval,
    job_ticks,
    registered_jobs,
    run_job,
    run_tick,
)


def job_loop(
    name: str,
    *,
    started: dict[str, datetime],
    wait: Callable[[float], bool],
    run: Callable[[str, datetime], object] = run_job,
) -> None:
    """Run the job ``name`` with the clock's ``now``, then ``wait(job_interval(name))``, until
    the wait says the worker is stopping (``threading.Event.wait``: True once set). Each run's
    start goes to ``started`` for the main loop to record. The interval counts from the end of
    a run, so a long run is never followed by another at once."""
    interval = job_interval(name)
    while True:
        now = get_clock().now()
        started[name] = now
        run(name, now)
        if wait(interval):
            return


def run_and_tidy(name: str, now: datetime) -> object:
    try:
        return run_job(name, now)
    finally:
        close_old_connections()  # never keep a broken connection for long


def record_interval() -> float:
    """Seconds between two writes of the jobs' ticks and the heartbeat: a fifth of the least
    time /health/ allows a job (settings.HEALTH_STALE_MIN_SECONDS), so a recorded tick lags its
    run by that and one interval at most, far inside what /health/ allows; never more often than
    settings.WORKER_INTERVAL_SECONDS. 2 s by default: on SQLite one write transaction a second
    where there were four."""
    return max(
        float(settings.WORKER_INTERVAL_SECONDS), float(settings.HEALTH_STALE_MIN_SECONDS) / 5
    )


class Command(BaseCommand):
    help = "Run the background worker (periodic jobs) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument("--name", default=f"embedded@{socket.gethostname()}")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            run_tick(get_clock().now(), worker=options["name"])
            return
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        jobs = list(registered_jobs())
        listed = ", ".join(f"{name} {job_interval(name):g}s" for name in jobs)
        self.stdout.write(f"worker {options['name']}: jobs {listed or '(none yet)'}")

        started: dict[str, datetime] = {}  # each job's latest run, written by the main loop

        def loop(name: str) -> None:
            try:
                if not stopping.is_set():
                    job_loop(name, started=started, wait=stopping.wait, run=run_and_tidy)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=loop, args=(n,), name=n, daemon=True) for n in jobs]
        for thread in threads:
            thread.start()
        recorded: dict[str, datetime] = {}
        record_every = record_interval()
        while not stopping.is_set():
            now = get_clock().now()
            # Only the jobs that started a run since the last write: a job waiting out its
            # minute costs no row.
            fresh = {name: at for name, at in list(started.items()) if recorded.get(name) != at}
            job_ticks(fresh)
            recorded.update(fresh)
            heartbeat(now, options["name"])
            close_old_connections()
            stopping.wait(record_every)
        for thread in threads:
            thread.join(timeout=30)
        self.stdout.write("worker stopped")
