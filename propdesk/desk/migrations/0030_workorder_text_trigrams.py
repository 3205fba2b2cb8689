"""PostgreSQL: the words of an order (its description and location) in a trigram index, for the
console's 查找工单 (``desk.search``).

Without it, a search for words no order has (or only old ones) reads every order of the
community: 250–300 ms at 1,000,000 orders, and more as the years add up. With ``pg_trgm``'s GIN
index a search of three characters or more (地下车库, 不存在, LED) finds its rows from the index
(0.1–0.5 ms there); shorter ones walk the community's newest orders (``desk.search``'s notes).
``pg_trgm`` ships with PostgreSQL (contrib) and is a trusted extension: the database's owner
may create it. The index is built CONCURRENTLY, so an office's running server keeps writing
orders while a big table is indexed. SQLite has no such index: its LIKE reads the rows."""

from typing import Any

from django.db import migrations

INDEX = "wo_words_trgm"


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # A concurrent build that was cancelled or timed out leaves the index INVALID: kept up to
    # date by every write, used by no search. Built again, then (IF NOT EXISTS would skip it).
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s",
            [INDEX],
        )
        row = cursor.fetchone()
    if row is not None and row[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY {INDEX}")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON desk_workorder "
        "USING gin (description gin_trgm_ops, location gin_trgm_ops)"
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("desk", "0029_workorder_vacuumed_often"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
