"""manage.py play_calls --community X --day YYYY-MM-DD --url http://127.0.0.1:8000/api/calls/events/

Plays a day of calls into the webhook, each event signed with the community's secret like a real
phone system (for demos and tests)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from propdesk.calls.management.commands.ami_listen import _community
from propdesk.calls.models import PhoneSystem
from propdesk.calls.player import day_of_calls, post_signed
from propdesk.core.clock import get_clock


class Command(BaseCommand):
    help = "Play a day of calls into the calls webhook, signed like a real phone system."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--community", required=True, help="the community's code or id")
        parser.add_argument("--day", required=True, help="YYYY-MM-DD, the community's local day")
        parser.add_argument("--url", required=True, help="the webhook, …/api/calls/events/")
        parser.add_argument("--calls", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--secret", default="", help="default: the community's own secret")

    def handle(self, *args: Any, **options: Any) -> None:
        community = _community(options["community"])
        try:
            day = date.fromisoformat(options["day"])
        except ValueError as exc:
            raise CommandError(f"--day: {exc}") from exc
        secret = options["secret"]
        if not secret:
            system = PhoneSystem.objects.filter(community=community).first()
            if system is None:
                raise CommandError("这个小区没有设置电话系统（后台 → 电话系统），或用 --secret")
            secret = system.secret
        sent = refused = 0
        for body in day_of_calls(community, day, calls=options["calls"], seed=options["seed"]):
            status, answer = post_signed(
                options["url"], community.pk, secret, body, timestamp=get_clock().now().timestamp()
            )
            if status == 202:
                sent += 1
            else:
                refused += 1
                self.stderr.write(f"{body['id']}: {status} {answer}")
        self.stdout.write(f"{sent} events accepted, {refused} refused")
