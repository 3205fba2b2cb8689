"""Migration operations the framework does not offer as we need them.

``DropColumnIndex``: drop the single-column index of a foreign key whose column already leads a
composite index. Django's own AlterField(db_index=False) rebuilds the whole table on SQLite
(copying every row: minutes at millions of events); this drops only the index, on SQLite and
PostgreSQL alike, found by introspection (its name is Django's hash). Reversed, it creates the
index again the way Django names it.

``AddIndexConcurrently``: Django's ``AddIndex``, built on PostgreSQL without holding the table's
writes for the build (``CREATE INDEX CONCURRENTLY``), and on SQLite as usual; Django's own
(``django.contrib.postgres.operations``) is PostgreSQL's alone.
"""

from __future__ import annotations

from typing import Any

from django.db import NotSupportedError, migrations


def _single_column_indexes(schema_editor: Any, table: str, column: str) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, c in constraints.items()
        if c["index"] and not c["unique"] and not c["primary_key"] and c["columns"] == [column]
    ]


def drop_column_index(app_label: str, model_name: str, field_name: str) -> migrations.RunPython:
    def forward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
        table = model._meta.db_table
        for name in _single_column_indexes(schema_editor, table, field.column):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")

    def backward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        field = model._meta.get_field(field_name)
        if not _single_column_indexes(schema_editor, model._meta.db_table, field.column):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    return migrations.RunPython(forward, backward)


class AddIndexConcurrently(migrations.AddIndex):
    """``AddIndex``, built CONCURRENTLY on PostgreSQL: an office's server goes on writing orders
    while a table of millions is indexed (a plain ``CREATE INDEX`` holds every write until it
    is done). Its migration says ``atomic = False``: a concurrent build runs outside a
    transaction. A build that was cancelled or timed out leaves the index INVALID (written on
    every insert, read by no query): running the migration again drops it and builds it anew.
    SQLite builds it as ``AddIndex`` does."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        _outside_a_transaction(schema_editor)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s",
                [self.index.name],
            )
            row = cursor.fetchone()
        if row is not None and row[0]:
            schema_editor.remove_index(model, self.index, concurrently=True)
        schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
            return
        _outside_a_transaction(schema_editor)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)

    def describe(self) -> str:
        return f"{super().describe()} (concurrently on PostgreSQL)"


def _outside_a_transaction(schema_editor: Any) -> None:
    if schema_editor.connection.in_atomic_block:
        raise NotSupportedError(
            "An index is built concurrently outside a transaction: set atomic = False on the "
            "migration."
        )
