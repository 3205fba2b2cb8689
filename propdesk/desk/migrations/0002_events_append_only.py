"""Work-order events are append-only in the database too, not only in the ORM and the admin."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER desk_event_no_update BEFORE UPDATE ON desk_workorderevent
       BEGIN SELECT RAISE(ABORT, 'work order events are append-only'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS desk_event_no_update;"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION desk_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'work order events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER desk_event_no_change BEFORE UPDATE OR DELETE ON desk_workorderevent
       FOR EACH ROW EXECUTE FUNCTION desk_event_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS desk_event_no_change ON desk_workorderevent;",
    "DROP FUNCTION IF EXISTS desk_event_append_only();",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
