"""``manage.py bootstrap --host HOST``: what `bin/run` (make run) does to the database before it
starts serving. A demo start (loopback, SQLite, no PROPDESK_PRODUCTION) seeds the demo on an
empty database; a production start never does: on an empty database it creates the ``admin``
superuser with a generated password and prints it once, and it refuses to start while any
active login still has the demo's published password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from propdesk.demo.bootstrap import (
    production_admin_create,
    start_mode,
    users_with_the_demo_password,
)


class Command(BaseCommand):
    help = "Prepare the database for a start: the demo on loopback, the admin in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="the address the server binds")

    def handle(self, *args: Any, **options: Any) -> None:
        mode = start_mode(
            host=options["host"],
            database_vendor=connection.vendor,
            production=settings.PROPDESK_PRODUCTION,
        )
        if mode == "demo":
            self.stdout.write(
                _("Demo start (loopback address, embedded database): the demo is seeded once.")
            )
            call_command("seed_demo", "--if-empty", stdout=self.stdout, stderr=self.stderr)
            return
        self.stdout.write(_("Production start: no demo data, no known password."))
        known = users_with_the_demo_password()
        if known:
            raise CommandError(
                _(
                    "These logins still have the demo's published password: %(users)s. "
                    "Change their passwords (manage.py changepassword NAME) or deactivate them "
                    "before a production start."
                )
                % {"users": ", ".join(known)}
            )
        created = production_admin_create()
        if created is None:
            return
        line = "=" * 64
        self.stdout.write(line)
        self.stdout.write(
            _("Created the superuser %(user)s with the password:") % {"user": created.username}
        )
        self.stdout.write(f"    {created.password}")
        self.stdout.write(
            _("It is shown only this once: note it now, and change it after the first login.")
        )
        self.stdout.write(line)
