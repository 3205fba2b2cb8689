"""A real failing write for rollback tests: the database itself refuses a statement (a trigger,
as a constraint would), so the code under test is not mocked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

REFUSED = "refused by the database"


@contextmanager
def refused(table: str, op: str = "INSERT", *, once_exists: str | None = None) -> Iterator[None]:
    """Inside the block, the database refuses every ``op`` on ``table`` (only once the table
    ``once_exists`` has a row, when given) with DatabaseError(REFUSED)."""
    q = connection.ops.quote_name
    table = q(table)
    exists = f"EXISTS (SELECT 1 FROM {q(once_exists)})" if once_exists else ""  # noqa: S608 - our names
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            check = exists or "TRUE"
            cursor.execute(
                "CREATE FUNCTION pg_temp.refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN IF {check} THEN RAISE EXCEPTION '{REFUSED}' "
                "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_write BEFORE {op} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_write()"
            )
        else:
            when = f"WHEN {exists}" if exists else ""
            cursor.execute(
                f"CREATE TEMP TRIGGER refuse_write BEFORE {op} ON {table} {when} "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER refuse_write ON {table}")
                cursor.execute("DROP FUNCTION pg_temp.refuse_write()")
            else:
                cursor.execute("DROP TRIGGER temp.refuse_write")
