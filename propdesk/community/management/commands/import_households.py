"""manage.py import_households FILE --community CODE_OR_ID --user USERNAME [--dry-run]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from propdesk.community.management.commands._register import (
    acting_user,
    add_common_arguments,
    community_for,
)
from propdesk.community.services import household_import
from propdesk.core.clock import get_clock
from propdesk.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Import households and residents from an .xlsx or .csv file (columns 房号 面积 姓名 身份 "
        "电话 备注). All or nothing: any bad row is listed as 第 N 行 and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="an .xlsx or .csv file")
        add_common_arguments(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count only, write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        user = acting_user(options["user"])
        community = community_for(options["community"], user)
        try:
            with path.open("rb") as file:
                report = household_import(
                    community=community,
                    by=user,
                    now=get_clock().now(),
                    file=file,
                    filename=path.name,
                    dry_run=options["dry_run"],
                )
        except OSError as exc:
            raise CommandError(
                _("Cannot open the file %(path)s: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from exc
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(n)s errors; nothing was imported.") % {"n": len(report.errors)})
        done = (
            _("%(community)s: checked, nothing written: %(summary)s")
            if report.dry_run
            else _("%(community)s: import done: %(summary)s")
        )
        self.stdout.write(
            self.style.SUCCESS(done % {"community": community, "summary": report.summary()})
        )
