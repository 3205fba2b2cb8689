"""manage.py export_households FILE --community CODE_OR_ID --user USERNAME"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from propdesk.community import tabular
from propdesk.community.management.commands._register import (
    acting_user,
    add_common_arguments,
    community_for,
)
from propdesk.community.selectors import household_export_rows
from propdesk.core.errors import NotFound, ServiceError


class Command(BaseCommand):
    help = (
        "Export a community's households and residents to an .xlsx or .csv file (format from "
        "the file name), in the columns import_households reads back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="where to write: name ends .xlsx or .csv")
        add_common_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            fmt = tabular.file_format(path.name)
        except tabular.TabularError as exc:
            raise CommandError(exc.message) from exc
        user = acting_user(options["user"])
        community = community_for(options["community"], user)
        try:
            rows = household_export_rows(user, community.pk)
        except NotFound as exc:
            raise CommandError(f"{user} 看不到小区 {options['community']}") from exc
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        data = tabular.household_file(rows, fmt=fmt)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入文件 {path}：{exc.strerror or exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"{community}：已导出 {len(rows)} 行到 {path}"))
