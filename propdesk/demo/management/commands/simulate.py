"""manage.py simulate SCENARIO.yaml …: replay office life on a fake clock, print each clock's
outcome, and fail when a scenario's expectations are not met. Nothing is kept."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from propdesk.demo.simulate import ScenarioError, run_scenario

SH = ZoneInfo("Asia/Shanghai")


class Command(BaseCommand):
    help = "Replay scenario files on a fake clock and print every clock's outcome."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenarios", nargs="+", help="YAML scenario files")
        parser.add_argument("--quiet", action="store_true", help="only the summary line")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for name in options["scenarios"]:
            path = Path(name)
            started = time.perf_counter()
            try:
                report = run_scenario(path.read_text(encoding="utf-8"))
            except (OSError, ScenarioError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            took = time.perf_counter() - started
            if not options["quiet"]:
                self.stdout.write(f"\n# {report.name or path.name}")
                self.stdout.write(
                    f"{'order':<10}{'rule':<20}{'#':>3}  {'started':<12}"
                    f"{'due':<12}{'outcome':<10}{'at':<12}esc"
                )
                for o in report.outcomes:

                    def t(d: datetime | None) -> str:
                        return d.astimezone(SH).strftime("%m-%d %H:%M") if d else "-"

                    self.stdout.write(
                        f"{o.owner:<10}{o.rule_id:<20}{o.period:>3}  {t(o.started_at):<12}"
                        f"{t(o.due_at):<12}{o.outcome:<10}{t(o.at):<12}{o.escalations}"
                    )
            verdict = "ok" if report.ok else "FAILED"
            self.stdout.write(
                f"{path.name}: {verdict}: {report.steps} steps, {len(report.outcomes)} clocks, "
                f"{report.sweeps} sweeps in {took:.2f}s"
            )
            for failure in report.failures:
                self.stdout.write(f"  expected: {failure}")
            failed += not report.ok
        if failed:
            raise CommandError(f"{failed} scenario(s) did not go as expected")
