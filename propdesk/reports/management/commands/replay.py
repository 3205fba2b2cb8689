"""manage.py replay --community X --month YYYY-MM --policy FILE.yaml [--json] [--now ISO]

The month's real clock inputs replayed under another policy: per rule, compliance now and under
the new policy, and the orders whose outcome would change."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from propdesk.clocks.models import ClockState
from propdesk.community.models import Community
from propdesk.core.clock import get_clock
from propdesk.policy.replay import RuleCompliance
from propdesk.policy.rules import PolicyError
from propdesk.reports.whatif import policy_from_text, what_if


def parse_month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in text.split("-"))
        if not (1 <= month <= 12 and 1 <= year <= 9999):
            raise ValueError(text)
    except ValueError as exc:
        raise CommandError(_("Give the month as YYYY-MM, e.g. 2026-11.")) from exc
    return year, month


def find_community(text: str) -> Community:
    """By id, code or name."""
    found = list(
        (Community.objects.filter(pk=int(text)) if text.isdigit() else Community.objects.none())
        or Community.objects.filter(code=text)
        or Community.objects.filter(name=text)
    )
    if not found:
        raise CommandError(_("No such community: %(name)s") % {"name": text})
    if len(found) > 1:
        raise CommandError(
            _("Several communities are called %(name)s: give its id.") % {"name": text}
        )
    return found[0]


def outcome_word(state: str) -> str:
    return str(ClockState(state).label) if state else _("none")


def _cell(r: RuleCompliance | None) -> str:
    if r is None:
        return "-"
    pct = "-" if r.compliance is None else f"{r.compliance}%"
    return f"{pct} ({r.met}/{r.breached}/{r.running}/{r.started})"


class Command(BaseCommand):
    help = (
        "Replay a community's month of real clock events under another policy and print, per "
        "rule, compliance now and under that policy, with the orders whose outcome changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--community", required=True, help="the community's id, code or name")
        parser.add_argument("--month", required=True, help="YYYY-MM, the community's local month")
        parser.add_argument(
            "--policy",
            required=True,
            type=Path,
            help="a whole policy (YAML with its version) or a community's overrides of the default",
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
        parser.add_argument("--now", help="ISO time with offset (default: the clock's now)")

    def handle(self, *args: Any, **options: Any) -> None:
        community = find_community(options["community"])
        year, month = parse_month(options["month"])
        path: Path = options["policy"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("Cannot open the file %(path)s: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from exc
        try:
            policy, _overrides = policy_from_text(text, community)
        except PolicyError as exc:
            raise CommandError(_("The policy is not valid: %(error)s") % {"error": exc}) from exc
        now = get_clock().now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-12-01T10:00:00+08:00")
        result = what_if(community, year, month, policy=policy, now=now)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=1))
            return
        self.stdout.write(
            _("%(community)s, %(month)s: %(n)d inputs replayed")
            % {"community": community.name, "month": result.month, "n": result.inputs}
        )
        self.stdout.write(_("compliance (met/breached/running/started): now → under the policy"))
        for line in result.rules:
            self.stdout.write(
                f"  {line.rule_id:<20} {line.name}: {_cell(line.now)} → {_cell(line.then)}"
            )
        if not result.changed:
            self.stdout.write(_("No order's outcome changes."))
            return
        self.stdout.write(_("%(n)d clocks change:") % {"n": len(result.changed)})
        for c in result.changed:
            self.stdout.write(
                f"  {c.label}  {c.rule_id} {c.name}: {outcome_word(c.now)} → {outcome_word(c.then)}"
            )
