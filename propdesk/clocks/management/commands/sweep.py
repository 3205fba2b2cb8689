"""Run the clock sweeper once: warn, breach and escalate what is due (the worker does this every
tick; this command is for operators and tests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from propdesk.clocks.services import clocks_sweep
from propdesk.core.clock import get_clock


class Command(BaseCommand):
    help = "Sweep due clocks once and print what was done."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO time with offset (default: the clock's now)")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        now = get_clock().now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-11-26T10:00:00+08:00")
        report = clocks_sweep(now=now, batch_size=options["batch"])
        self.stdout.write(
            f"examined {report.examined} warned {report.warned} breached {report.breached} "
            f"escalations {report.escalations} (late {report.late}) "
            f"notifications {report.notifications} batches {report.batches}"
        )
