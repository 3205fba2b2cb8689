"""A lean multi-row INSERT for hot paths (the sweeper writes thousands of rows a second, every
create writes its order, clocks and events).

Django's bulk_create compiles an expression tree per value; here each value goes through its
field's own ``get_db_prep_save`` (so JSON, datetimes and time zones are stored exactly as the ORM
would) and the rows go to the driver in one ``executemany`` (``insert_many``), or in one
``INSERT … VALUES (…), (…) RETURNING id`` when their ids are needed (``create_many``; on
PostgreSQL several rows as one JSON parameter, ``json_populate_recordset``, or one array per
column, ``UNNEST``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Model
from psycopg.types.json import Jsonb

M = TypeVar("M", bound=Model)

# Fields whose stored form is the Python value: no conversion to pay for.
_PLAIN = (
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.ForeignKey,
)


def _prep(field: Any, value: Any, conn: Any) -> Any:
    """``field.get_db_prep_save(value, conn)``. For a ``DateTimeField`` given an aware
    ``datetime`` (what the services always pass), that chain (``get_db_prep_value``,
    ``get_prep_value``, ``to_python`` twice, the naive check) gives the value back unchanged to
    the backend's ``adapt_datetimefield_value``: called directly. Likewise a ``JSONField``
    given a plain ``dict`` or ``list`` (no expression, no lazy text: the chain's checks all
    pass it on) goes straight to ``adapt_json_value`` with the field's encoder (a create writes
    some dozen: its event's data, its clocks' progress and inputs, its announcement's lists).
    Anything else (naive, a string, None, an expression, a subclass of any) goes the field's
    own way."""
    kind = type(value)
    if kind is datetime:
        if type(field) is models.DateTimeField and value.utcoffset() is not None:
            return conn.ops.adapt_datetimefield_value(value)
    elif (kind is dict or kind is list) and type(field) is models.JSONField:
        return conn.ops.adapt_json_value(value, field.encoder)
    return field.get_db_prep_save(value, conn)


def insert_many(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
    defer: bool = False,
) -> int:
    """Insert ``rows`` (values in the order of ``fields``) into ``model``'s table.

    Every other column gets its field's default (as the ORM would), so a field added to the
    model later with a default does not break this caller. With ``ignore_conflicts`` a row that
    breaks a unique constraint is skipped (ON CONFLICT DO NOTHING, on SQLite and PostgreSQL
    alike). Model ``save()`` and signals are not run. Returns how many rows were inserted (the
    skipped ones not counted).

    ``defer``: rows nothing reads back in the transaction (a log). On PostgreSQL, inside a
    transaction, they go to the server in one multi-row INSERT with the transaction's next write
    instead of a round trip of their own (``propdesk.core.postgresql``); the count returned is
    then the rows given. Elsewhere, at once as without it.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    key = (model, tuple(fields), ignore_conflicts, conn.vendor)
    plan = _many_plans.get(key)
    if plan is None:
        plan = _many_plans[key] = _ManyPlan(model._meta, fields, ignore_conflicts, conn.ops)
    # Each call's defaults (a callable default gives a new value each time, as the ORM's).
    default_values = [f.get_default() for f in plan.defaults]
    convert = [None if c is False else (lambda v, f=f: _prep(f, v, conn)) for f, c in plan.steps]
    prepared = [
        [v if c is None else c(v) for c, v in zip(convert, [*row, *default_values], strict=True)]
        for row in rows
    ]
    if not prepared:
        return 0
    if defer and not ignore_conflicts and hasattr(conn, "defer_insert"):
        values = plan.values_sql(len(prepared))
        params = [v for row in prepared for v in row]
        if conn.defer_insert(model._meta.db_table, plan.head, values, params):
            return len(prepared)
    with conn.cursor() as cursor:
        if len(prepared) == 1:
            # One row: a plain statement. psycopg runs an executemany in pipeline mode, whose
            # setup and sync cost more than the row (a form's one-time token, a call's log).
            cursor.execute(plan.sql, prepared[0])
        else:
            cursor.executemany(plan.sql, prepared)
        return max(int(cursor.rowcount), 0)


class _ManyPlan:
    """What ``insert_many`` works out once per model, field list and database."""

    __slots__ = ("defaults", "head", "marks", "rows", "sql", "steps")

    def __init__(self, meta: Any, fields: Sequence[str], ignore_conflicts: bool, ops: Any) -> None:
        concrete: list[models.Field[Any, Any]] = []
        for name in fields:
            field = meta.get_field(name)
            assert isinstance(field, models.Field) and field.column, name
            concrete.append(field)
        self.defaults = [
            f for f in meta.concrete_fields if f not in concrete and not f.primary_key and f.column
        ]
        concrete += self.defaults
        qn = ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in concrete)
        self.marks = "(" + ", ".join(["%s"] * len(concrete)) + ")"
        self.head = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "  # noqa: S608 - names from the model, values bound
        self.sql = self.head + self.marks
        self.rows: dict[int, str] = {}
        if ignore_conflicts:
            self.sql += " ON CONFLICT DO NOTHING"
        # Only fields whose stored form differs from the Python value pay for a conversion.
        self.steps = [(f, not isinstance(f, _PLAIN)) for f in concrete]

    def values_sql(self, n: int) -> str:
        """The placeholders of ``n`` rows (``(…), (…)``, after ``head``), made once per n; the
        statement has no ON CONFLICT (``defer`` takes no ``ignore_conflicts``)."""
        sql = self.rows.get(n)
        if sql is None:
            sql = self.rows[n] = ", ".join([self.marks] * n)
        return sql


_many_plans: dict[tuple[Any, ...], _ManyPlan] = {}


# pre_save methods that return the attribute as it is, unless the field sets it (auto_now…).
_DATE_PRE_SAVES = (
    models.DateField.pre_save,
    models.DateTimeField.pre_save,
    models.TimeField.pre_save,
)


def _pre_save_reads(field: Any) -> bool:
    """Whether ``field.pre_save(obj, add=True)`` is just the attribute's value."""
    pre_save = type(field).pre_save
    if pre_save is models.Field.pre_save:
        return True
    return pre_save in _DATE_PRE_SAVES and not field.auto_now and not field.auto_now_add


class _InsertPlan:
    """What ``create_many`` works out once per model, number of rows and database: the
    statement, and per column how its value is read (``pre_save``, or the attribute itself where
    the field's ``pre_save`` is ``Field.pre_save``) and whether it goes through
    ``get_db_prep_save``.

    On PostgreSQL several rows go as one array per column (``INSERT … SELECT * FROM
    UNNEST(%s::type[], …)``, as Django's own ``bulk_create`` does there since 5.2): one
    parameter per column, however many rows. psycopg converts a statement of more than 50
    parameters anew at every call (a create's three clocks: 69), and each number of rows was
    its own prepared statement; so every count of rows is one statement, converted once and
    prepared on the server.

    Where every column is a number, a text, a flag, a key, a moment, a day or JSON with no
    encoder of its own (a clock, an event), the rows go as one JSON text instead (``INSERT …
    SELECT … FROM json_populate_recordset(NULL::table, %s)``): the table's own types read it
    back exactly (a moment as its ISO text with its offset, to the microsecond), and psycopg
    dumps one text where it dumped an array per column, each by a dumper of its own found by
    looking at the array's values (a create's three clocks: 23 arrays). A create on
    PostgreSQL: 11.9 M → 10.9 M instructions in the web process (bench/RESULTS.md). The rows
    come back in the order given, as UNNEST's do."""

    __slots__ = ("columns", "fields", "keys", "sql", "steps")

    def __init__(self, meta: Any, rows: int, conn: Any) -> None:
        pk = meta.pk
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        qn = conn.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in fields)
        many = rows > 1 and conn.vendor == "postgresql"
        self.keys = [str(f.column) for f in fields] if many and _as_json(fields, conn) else None
        self.columns = many and self.keys is None and _unnestable(fields, conn)
        if self.keys is not None:
            table = qn(meta.db_table)
            values = f"SELECT {columns} FROM json_populate_recordset(NULL::{table}, %s::json)"  # noqa: S608 - names from the model
        elif self.columns:
            # The type without its length (varchar[], not varchar(200)[]): nothing is cut.
            arrays = ", ".join(f"(%s)::{f.db_type(conn).split('(')[0]}[]" for f in fields)
            values = f"SELECT * FROM UNNEST({arrays})"  # noqa: S608 - types from the model
        else:
            values = "VALUES " + ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
        # Names from the model, values bound.
        self.sql = (
            f"INSERT INTO {qn(meta.db_table)} ({columns}) {values} RETURNING {qn(str(pk.column))}"
        )
        self.fields = fields
        # (field, attname or None when pre_save must run, converts)
        self.steps = [
            (f, f.attname if _pre_save_reads(f) else None, not isinstance(f, _PLAIN))
            for f in fields
        ]


_plans: dict[tuple[type[Model], int, str], _InsertPlan] = {}


# Columns that go in a JSON text as their ISO text (a moment with its offset, a day).
_AS_TEXT = (models.DateTimeField, models.DateField)


def _as_json(fields: Sequence[Any], conn: Any) -> bool:
    """Whether every column can go in one JSON text: a standard type (``_unnestable``) whose
    value JSON carries as the column reads it; a JSON field without an encoder of its own."""
    return _unnestable(fields, conn) and all(
        isinstance(f, _AS_TEXT)
        or (isinstance(f, _PLAIN) and not isinstance(f, models.JSONField))
        or (type(f) is models.JSONField and f.encoder is None)
        for f in fields
    )


def _as_read(field: Any, value: Any, conn: Any) -> Any:
    """``value`` (not None) of ``field`` as JSON carries it to ``json_populate_recordset``: an
    aware datetime as its ISO text with its offset, a JSON field's dict or list as it is;
    anything else the field's own way (``_prep``), then a day or a time as its ISO text and a
    JSON field's value unwrapped."""
    kind = type(value)
    if kind is datetime:
        if type(field) is models.DateTimeField and value.utcoffset() is not None:
            return value.isoformat()
    elif (kind is dict or kind is list) and type(field) is models.JSONField:
        return value
    value = _prep(field, value, conn)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Jsonb):
        return value.obj
    return value


def _unnestable(fields: Sequence[Any], conn: Any) -> bool:
    """Whether every column can go as one typed array (Django's own test for its UNNEST insert):
    a standard type of the database, one placeholder whatever the value."""
    return not any(
        hasattr(f, "get_placeholder")
        or (f.target_field if f.is_relation else f).get_internal_type() not in conn.data_types
        for f in fields
    )


def create_many(objs: Sequence[M]) -> Sequence[M]:
    """Insert a few new instances of one model (auto id) in one ``INSERT … VALUES (…), (…)
    RETURNING id`` and give them their ids, as ``bulk_create`` does on PostgreSQL and SQLite
    (3.35+), without its per-value expression machinery: every concrete column is written with
    the instance's value (its default when not set, as the model's ``__init__`` left it), through
    the field's ``pre_save`` and ``get_db_prep_save``. Model ``save()`` and signals are not run;
    the instances are marked saved (``_state``) on the default database. For a handful of rows
    (one parameter per column and row). Returns ``objs``.

    The statement is built once per model, number of rows and database vendor (a create writes
    the same few shapes every time)."""
    if not objs:
        return objs
    model = type(objs[0])
    conn = connections[DEFAULT_DB_ALIAS]
    key = (model, len(objs), conn.vendor)
    plan = _plans.get(key)
    if plan is None:
        meta = model._meta
        assert meta.pk is not None and isinstance(meta.pk, models.AutoField), meta.label
        plan = _plans[key] = _InsertPlan(meta, len(objs), conn)
    params: list[Any] = []
    if plan.keys is not None:
        keys = plan.keys
        rows = []
        for obj in objs:
            row: list[Any] = []
            append = row.append
            for f, attname, c in plan.steps:
                value = getattr(obj, attname) if attname is not None else f.pre_save(obj, True)
                append(_as_read(f, value, conn) if c and value is not None else value)
            rows.append(dict(zip(keys, row, strict=True)))
        params.append(json.dumps(rows, ensure_ascii=False))
    else:
        append = params.append
        for obj in objs:
            for f, attname, c in plan.steps:
                value = getattr(obj, attname) if attname is not None else f.pre_save(obj, True)
                append(_prep(f, value, conn) if c and value is not None else value)
        if plan.columns:
            width = len(plan.fields)
            params = [params[i::width] for i in range(width)]
    with conn.cursor() as cursor:
        cursor.execute(plan.sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = conn.alias
    return objs
