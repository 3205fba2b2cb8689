"""``manage.py restore FILE``: replace the database's content with a backup made by
``manage.py backup``. Stop the web processes and the worker first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from propdesk.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database from a backup file (everything in the database is replaced)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", default=True
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interactive"]:
            answer = input(
                _(
                    "Everything in the database will be replaced by %(file)s. "
                    "Stop the web server and the worker first. Type yes to continue: "
                )
                % {"file": options["file"]}
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("Restore cancelled; nothing changed."))
        try:
            restore(options["file"])
        except BackupError as exc:
            raise CommandError(
                _("Restore failed, the database is unchanged: %(e)s") % {"e": exc}
            ) from exc
        self.stdout.write(_("Database restored from %(file)s") % {"file": options["file"]})
