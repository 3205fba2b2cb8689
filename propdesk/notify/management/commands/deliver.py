"""Deliver the outbox once: what is due now goes out (the worker does this every tick; this
command is for operators and tests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from propdesk.core.clock import get_clock
from propdesk.notify.services import notifications_deliver


class Command(BaseCommand):
    help = "Deliver due notifications once and print what was done."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO time with offset (default: the clock's now)")
        parser.add_argument("--batch", type=int, default=None)
        parser.add_argument("--max-batches", type=int, default=None)
        parser.add_argument(
            "--budget",
            type=float,
            default=float("inf"),
            help="seconds of real time at most (default: until nothing is due)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = get_clock().now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-11-26T10:00:00+08:00")
        r = notifications_deliver(
            now=now,
            batch_size=options["batch"],
            max_batches=options["max_batches"],
            budget_seconds=options["budget"],
        )
        self.stdout.write(
            f"expanded {r.expanded} claimed {r.claimed} sent {r.sent} retried {r.retried} "
            f"failed {r.failed} released {r.released} lost {r.lost} batches {r.batches}"
        )
