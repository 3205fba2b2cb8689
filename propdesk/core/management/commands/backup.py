"""``manage.py backup FILE``: the whole database to FILE (SQLite's online backup, WAL included;
pg_dump's custom format on PostgreSQL). Safe while the application runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from propdesk.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database to a file (restore it with manage.py restore)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup(options["file"])
        except BackupError as exc:
            raise CommandError(_("Backup failed: %(e)s") % {"e": exc}) from exc
        self.stdout.write(_("Backup written to %(file)s") % {"file": options["file"]})
