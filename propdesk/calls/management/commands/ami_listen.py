"""manage.py ami_listen --community CODE_OR_ID --host HOST --port 5038 --username U

Connects to Asterisk's Manager Interface, logs in and feeds every call event to the calls
service (the same door as the webhook) until the connection closes (or --max-events). The secret
comes from --secret or the environment variable AMI_SECRET."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from propdesk.calls.ami import AmiConnection, AmiError, AmiTranslator
from propdesk.calls.services import call_event_record
from propdesk.community.models import Community
from propdesk.core.clock import get_clock
from propdesk.core.errors import Conflict

SOURCE = "ami"


def _community(text: str) -> Community:
    qs = Community.objects.filter(pk=int(text)) if text.isdigit() else Community.objects.none()
    found = list(qs[:1]) or list(Community.objects.filter(code=text)[:2])
    if len(found) != 1:
        raise CommandError(f"找不到小区（或代码不唯一，请改用小区 id）：{text}")
    return found[0]


class Command(BaseCommand):
    help = "Feed Asterisk's call events (AMI over TCP) into propdesk's calls (FD-1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--community", required=True, help="the community's code or id")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=5038)
        parser.add_argument("--username", required=True, help="the manager.conf user")
        parser.add_argument("--secret", default="", help="default: $AMI_SECRET")
        parser.add_argument(
            "--max-events", type=int, default=0, help="stop after this many call events (0: never)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        community = _community(options["community"])
        secret = options["secret"] or os.environ.get("AMI_SECRET", "")
        try:
            ami = AmiConnection(options["host"], options["port"])
            ami.login(options["username"], secret)
        except (OSError, AmiError) as exc:
            raise CommandError(f"AMI: {exc}") from exc
        translator = AmiTranslator()
        recorded = refused = 0
        try:
            for msg in ami.messages():
                now = get_clock().now()
                event = translator.translate(msg, now=now)
                if event is None:
                    continue
                try:
                    call_event_record(community=community, data=event, source=SOURCE, now=now)
                except (Conflict, ValidationError) as exc:
                    refused += 1
                    self.stderr.write(f"{event.event_id}: {exc}")
                    continue
                recorded += 1
                if options["max_events"] and recorded >= options["max_events"]:
                    break
        finally:
            ami.close()
        self.stdout.write(f"AMI: {recorded} call events recorded, {refused} refused")
