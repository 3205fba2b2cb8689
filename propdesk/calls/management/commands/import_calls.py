"""manage.py import_calls FILE --community CODE_OR_ID --user USERNAME"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from propdesk.calls.csvlog import MAX_BYTES, call_log_import
from propdesk.community.management.commands._register import (
    acting_user,
    add_common_arguments,
    community_for,
)
from propdesk.core.clock import get_clock
from propdesk.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Import the phone system's call log (.csv: 通话编号 主叫号码 线路 接听分机 振铃时间 "
        "接听时间 结束时间). All or nothing: any bad row is listed and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv file")
        add_common_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        user = acting_user(options["user"])
        community = community_for(options["community"], user)
        try:
            with path.open("rb") as file:
                data = file.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(
                _("Cannot open the file %(path)s: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from exc
        try:
            report = call_log_import(
                community=community, by=user, now=get_clock().now(), data=data, filename=path.name
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(n)s errors; nothing was imported.") % {"n": len(report.errors)})
        self.stdout.write(
            _("Imported %(n)d calls (%(skipped)d already imported).")
            % {"n": report.imported, "skipped": report.skipped}
        )
