"""PostgreSQL: the work orders' table vacuumed after every thousand changes, not after a fifth of
the table's rows.

The board counts a community's open orders from an index alone (``wo_comm_state_time`` holds
each one's id) only on pages the visibility map marks all-visible, which a vacuum does. By
default autovacuum visits a table once a fifth of its rows changed or were added: at 1,000,000
orders, 200,000 changes, a year of an office's days, so the open orders' pages, the newest and
the most changed, would hardly ever be all visible and the count reads each open order's row.
At 1,000,000 orders (bench/RESULTS.md, "The open count and the visibility map"): the count of
41,479 open orders 14.9 ms with every page visible, 31.5 ms after a thousand orders changed
since, 42.0 ms on the bench's copy with 18,842 of them to fetch. A vacuum reads only the pages
changed since the last one. SQLite has no such thing: nothing to do there."""

from typing import Any

from django.db import migrations

# Every 1,000 changes (or inserts), whatever the table's size.
SETTINGS = {
    "autovacuum_vacuum_scale_factor": 0,
    "autovacuum_vacuum_threshold": 1000,
    "autovacuum_vacuum_insert_scale_factor": 0,
    "autovacuum_vacuum_insert_threshold": 1000,
}


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        pairs = ", ".join(f"{name} = {value}" for name, value in SETTINGS.items())
        schema_editor.execute(f"ALTER TABLE desk_workorder SET ({pairs})")


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE desk_workorder RESET ({', '.join(SETTINGS)})")


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0028_fewer_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
