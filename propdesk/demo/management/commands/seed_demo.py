"""``manage.py seed_demo``: the demo company, its staff and a few weeks of office life.

``make run`` calls it with ``--if-empty`` on every start: then it does nothing (one line, one
query) as soon as any property company exists, so a real installation is never touched.
"""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from propdesk.community.models import Company
from propdesk.core.clock import get_clock
from propdesk.demo.seed import (
    DEFAULT_HOUSEHOLDS_PER_COMMUNITY,
    SeedRefused,
    SeedReport,
    seed_demo,
)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    # Chinese characters take two columns in a terminal; ljust would misalign the table.
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Seed a demo property company with two communities, staff and weeks of work orders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when a property company already exists (used by make run)",
        )
        parser.add_argument(
            "--households",
            type=int,
            default=DEFAULT_HOUSEHOLDS_PER_COMMUNITY,
            help="households per community (default %(default)s)",
        )
        parser.add_argument(
            "--weeks", type=int, default=3, help="weeks of history (default %(default)s)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Company.objects.exists():
            self.stdout.write("seed_demo: a property company already exists; nothing seeded.")
            return
        if options["households"] < 1 or options["weeks"] < 1:
            raise CommandError("--households and --weeks must be at least 1")
        started = time.monotonic()  # elapsed time for the operator, not business time
        try:
            report = seed_demo(
                now=get_clock().now(),
                households_per_community=options["households"],
                weeks=options["weeks"],
                seed=options["seed"],
            )
        except SeedRefused as exc:
            raise CommandError(f"{exc} Use --if-empty to skip, or seed an empty database.") from exc
        self._summary(report, time.monotonic() - started)

    def _summary(self, r: SeedReport, seconds: float) -> None:
        out = self.stdout.write
        out(
            self.style.SUCCESS(
                f"Demo data seeded in {seconds:.1f} s: {r.company}, "
                f"{len(r.communities)} communities ({', '.join(r.communities)})"
            )
        )
        out(
            f"  {r.households} households, {r.residents} residents, {r.staff} staff, "
            f"{r.shifts} duty shifts, {r.service_items} service items"
        )
        out(f"  {r.contacts} contacts, {r.work_orders} work orders, {r.events} events")
        out("  work orders by state: " + ", ".join(f"{s} {n}" for s, n in r.states.items()))
        out("")
        out(self.style.MIGRATE_HEADING(f"Demo logins (every password: {r.password})"))
        rows = [("username", "name", "role", "community")] + [
            (x.username, x.name, x.role, x.community) for x in r.logins
        ]
        widths = [max(_width(row[i]) for row in rows) + 2 for i in range(4)]
        for row in rows:
            out("  " + "".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        out("")
        out(
            f"Resident portal /portal/: sign in with {r.resident_phone}; the SMS code is written "
            "to the log (console SMS backend)"
        )
        if r.portal_resident and r.portal_resident != r.resident_phone:
            out(
                f"  the owner {r.portal_resident} has orders to follow "
                "(report, 催单, messages on 派单/到场/完工)"
            )
