"""Back-office events are append-only in the database, as the work orders' events are: UPDATE and
DELETE refused by a trigger on SQLite and on PostgreSQL."""

from django.db import migrations

NO_DELETE = """CREATE TRIGGER IF NOT EXISTS community_backoffice_no_delete
       BEFORE DELETE ON community_backofficeevent
       BEGIN SELECT RAISE(ABORT, 'back-office events are append-only'); END;"""
NO_UPDATE = """CREATE TRIGGER IF NOT EXISTS community_backoffice_no_update
       BEFORE UPDATE ON community_backofficeevent
       BEGIN SELECT RAISE(ABORT, 'back-office events are append-only'); END;"""
SQLITE = [NO_DELETE, NO_UPDATE]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS community_backoffice_no_delete;",
    "DROP TRIGGER IF EXISTS community_backoffice_no_update;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION community_backoffice_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'back-office events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER community_backoffice_no_change
       BEFORE UPDATE OR DELETE ON community_backofficeevent
       FOR EACH ROW EXECUTE FUNCTION community_backoffice_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS community_backoffice_no_change ON community_backofficeevent;",
    "DROP FUNCTION IF EXISTS community_backoffice_append_only();",
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
    dependencies = [("community", "0004_backoffice_event")]
    operations = [migrations.RunPython(forwards, backwards)]
