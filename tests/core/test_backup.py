"""Backup and restore round trip, on SQLite (the online backup API: what is in the WAL is
included) and on PostgreSQL (pg_dump/pg_restore): every table's row count and a checksum of the
work-order events come back exactly; a file that is not a backup is refused, changing nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from propdesk.desk.models import WorkOrderEvent
from propdesk.desk.services import WorkOrderDraft, work_order_create
from tests.conftest import Office

pytestmark = pytest.mark.django_db(transaction=True)


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cur:
        for table in sorted(connection.introspection.table_names(cur)):
            cur.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the schema
            counts[table] = cur.fetchone()[0]
    return counts


def events_checksum() -> str:
    digest = hashlib.sha256()
    for row in WorkOrderEvent.objects.order_by("id").values_list(
        "id", "order_id", "at", "actor_id", "action", "from_state", "to_state", "note", "data"
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def open_orders(office: Office, clock, n: int) -> None:
    for i in range(n):
        work_order_create(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            draft=WorkOrderDraft(
                kind="repair", description=f"楼道灯不亮 {i}", household=office.household
            ),
        )


def test_backup_then_restore_gives_back_every_row_and_the_same_events(
    office, clock, tmp_path: Path
) -> None:
    open_orders(office, clock, 3)
    counts, checksum = row_counts(), events_checksum()
    assert counts["desk_workorderevent"] == 3
    if connection.vendor == "sqlite":  # the rows are in the WAL file: the backup must have them
        with connection.cursor() as cur:
            cur.execute("PRAGMA journal_mode")
            assert cur.fetchone()[0] == "wal"
        assert Path(f"{connection.settings_dict['NAME']}-wal").stat().st_size > 0
    backup = tmp_path / "propdesk.backup"
    call_command("backup", str(backup))
    assert backup.stat().st_size > 0

    open_orders(office, clock, 2)  # life goes on after the backup
    assert row_counts() != counts

    call_command("restore", str(backup), "--noinput")
    assert row_counts() == counts
    assert events_checksum() == checksum
    # The restored database still refuses to rewrite history.
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cur:
        cur.execute("DELETE FROM desk_workorderevent")
    assert row_counts() == counts


def test_restore_refuses_a_file_that_is_not_a_backup(office, clock, tmp_path: Path) -> None:
    open_orders(office, clock, 1)
    counts, checksum = row_counts(), events_checksum()
    bogus = tmp_path / "not-a-backup.sqlite3"
    bogus.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(CommandError):
        call_command("restore", str(bogus), "--noinput")
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "missing"), "--noinput")
    assert (row_counts(), events_checksum()) == (counts, checksum)
