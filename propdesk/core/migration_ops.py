"""Migration operations the framework does not offer as we need them.

``DropColumnIndex``: drop the single-column index of a foreign key whose column already leads a
composite index. Django's own AlterField(db_index=False) rebuilds the whole table on SQLite
(copying every row: minutes at millions of events); this drops only the index, on SQLite and
PostgreSQL alike, found by introspection (its name is Django's hash). Reversed, it creates the
index again the way Django names it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


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
