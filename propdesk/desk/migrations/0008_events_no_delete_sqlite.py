"""Work-order events cannot be deleted on SQLite either (0002 stopped only UPDATE there), as on
PostgreSQL, whose trigger has stopped UPDATE and DELETE since 0002. The UPDATE trigger is
created again if it is missing (IF NOT EXISTS), so a database that lost it gets it back."""

from django.db import migrations

NO_DELETE = """CREATE TRIGGER IF NOT EXISTS desk_event_no_delete BEFORE DELETE ON desk_workorderevent
       BEGIN SELECT RAISE(ABORT, 'work order events are append-only'); END;"""
NO_UPDATE = """CREATE TRIGGER IF NOT EXISTS desk_event_no_update BEFORE UPDATE ON desk_workorderevent
       BEGIN SELECT RAISE(ABORT, 'work order events are append-only'); END;"""
SQLITE = [NO_DELETE, NO_UPDATE]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS desk_event_no_delete;"]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_REVERSE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("desk", "0007_event_actions")]
    operations = [migrations.RunPython(forwards, backwards)]
