"""The embedded background worker: each periodic job in its own loop, every
WORKER_INTERVAL_SECONDS, so a slow job never delays another; a heartbeat for /health/, with each
job's last tick (the start of its latest run: a job stuck in one run goes stale). `bin/run`
keeps it running (bin/supervise restarts it when it dies)."""

from __future__ import annotations

import signal
import socket
import threading
from datetime import datetime
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connections

from propdesk.core.clock import get_clock
from propdesk.core.jobs import heartbeat, job_ticks, registered_jobs, run_job, run_tick


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
        interval = settings.WORKER_INTERVAL_SECONDS
        jobs = list(registered_jobs())
        self.stdout.write(
            f"worker {options['name']}: jobs {', '.join(jobs) or '(none yet)'}; every {interval}s"
        )

        started: dict[str, datetime] = {}  # each job's latest run, written by the main loop

        def loop(name: str) -> None:
            try:
                while not stopping.is_set():
                    now = get_clock().now()
                    started[name] = now
                    run_job(name, now)
                    close_old_connections()  # never keep a broken connection for long
                    stopping.wait(interval)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=loop, args=(n,), name=n, daemon=True) for n in jobs]
        for thread in threads:
            thread.start()
        while not stopping.is_set():
            now = get_clock().now()
            job_ticks(dict(started))
            heartbeat(now, options["name"])
            close_old_connections()
            stopping.wait(interval)
        for thread in threads:
            thread.join(timeout=30)
        self.stdout.write("worker stopped")
