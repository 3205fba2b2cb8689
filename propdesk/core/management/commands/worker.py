"""The embedded background worker: runs the periodic jobs every WORKER_INTERVAL_SECONDS."""

from __future__ import annotations

import signal
import socket
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from propdesk.core.clock import get_clock
from propdesk.core.jobs import registered_jobs, run_tick


class Command(BaseCommand):
    help = "Run the background worker (periodic jobs) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one tick and exit")
        parser.add_argument("--name", default=f"embedded@{socket.gethostname()}")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(
            f"worker {options['name']}: jobs {', '.join(registered_jobs()) or '(none yet)'}; "
            f"every {settings.WORKER_INTERVAL_SECONDS}s"
        )
        while True:
            run_tick(get_clock().now(), worker=options["name"])
            if options["once"] or stopping:
                break
            close_old_connections()  # a long-lived process must not keep a broken connection
            deadline = time.monotonic() + settings.WORKER_INTERVAL_SECONDS
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.1)
            if stopping:
                break
        self.stdout.write("worker stopped")
