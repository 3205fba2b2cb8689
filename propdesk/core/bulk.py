"""A lean multi-row INSERT for hot paths (the sweeper writes thousands of rows a second, every
create writes its order, clocks and events).

Django's bulk_create compiles an expression tree per value; here each value goes through its
field's own ``get_db_prep_save`` (so JSON, datetimes and time zones are stored exactly as the ORM
would) and the rows go to the driver in one ``executemany`` (``insert_many``), or in one
``INSERT … VALUES (…), (…) RETURNING id`` when their ids are needed (``create_many``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Model

M = TypeVar("M", bound=Model)

# Fields whose stored form is the Python value: no conversion to pay for.
_PLAIN = (
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.ForeignKey,
)


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
    convert = [
        None if isinstance(f, _PLAIN) else (lambda v, f=f: f.get_db_prep_save(v, connection))
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


def create_many(objs: Sequence[M]) -> Sequence[M]:
    """Insert a few new instances of one model (auto id) in one ``INSERT … VALUES (…), (…)
    RETURNING id`` and give them their ids, as ``bulk_create`` does on PostgreSQL and SQLite
    (3.35+), without its per-value expression machinery: every concrete column is written with
    the instance's value (its default when not set, as the model's ``__init__`` left it), through
    the field's ``pre_save`` and ``get_db_prep_save``. Model ``save()`` and signals are not run;
    the instances are marked saved (``_state``) on the default database. For a handful of rows
    (one parameter per column and row). Returns ``objs``."""
    if not objs:
        return objs
    meta = type(objs[0])._meta
    pk = meta.pk
    assert pk is not None and isinstance(pk, models.AutoField), meta.label
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(str(f.column)) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(objs))} "  # noqa: S608 - names from the model, values bound
        f"RETURNING {qn(str(pk.column))}"
    )
    convert = [not isinstance(f, _PLAIN) for f in fields]
    params: list[Any] = []
    for obj in objs:
        for f, c in zip(fields, convert, strict=True):
            value = f.pre_save(obj, True)
            params.append(
                f.get_db_prep_save(value, connection) if c and value is not None else value
            )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
