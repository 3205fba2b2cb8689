"""A lean multi-row INSERT for hot paths (the sweeper writes thousands of rows a second).

Django's bulk_create compiles an expression tree per value; here each value goes through its
field's own ``get_db_prep_save`` (so JSON, datetimes and time zones are stored exactly as the ORM
would) and the rows go to the driver in one ``executemany``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Model


def insert_many(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """Insert ``rows`` (values in the order of ``fields``) into ``model``'s table.

    Every other column gets its field's default (as the ORM would), so a field added to the
    model later with a default does not break this caller. With ``ignore_conflicts`` a row that
    breaks a unique constraint is skipped (ON CONFLICT DO NOTHING, on SQLite and PostgreSQL
    alike). Model ``save()`` and signals are not run. Returns how many rows were inserted (the
    skipped ones not counted).
    """
    meta = model._meta
    concrete: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        assert isinstance(field, models.Field) and field.column, name
        concrete.append(field)
    defaults = [
        f for f in meta.concrete_fields if f not in concrete and not f.primary_key and f.column
    ]
    default_values = [f.get_default() for f in defaults]
    concrete += defaults
    qn = connection.ops.quote_name
    columns = ", ".join(qn(str(f.column)) for f in concrete)
    marks = ", ".join(["%s"] * len(concrete))
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model, values bound
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    # Only fields whose stored form differs from the Python value pay for a conversion.
    plain = (
        models.IntegerField,
        models.CharField,
        models.TextField,
        models.BooleanField,
        models.ForeignKey,
    )
    convert = [
        None if isinstance(f, plain) else (lambda v, f=f: f.get_db_prep_save(v, connection))
        for f in concrete
    ]
    prepared = [
        [v if c is None else c(v) for c, v in zip(convert, [*row, *default_values], strict=True)]
        for row in rows
    ]
    if not prepared:
        return 0
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
        return max(int(cursor.rowcount), 0)
