"""One row by its key, without the ORM's compiling on every call: for the reads that every API
request or every create makes (the token and its user, the community and its company, the
household, the team an order is routed to).

Django builds a query's expression tree and compiles it to SQL anew on each call: about a
thousand Python function calls for a one-row SELECT, three quarters of which give the same SQL
every time. A ``RowReader`` builds its SQL once per database vendor from the models' metadata
(every concrete column, as the ORM selects them, so a field added later is read too) and turns
each row into the instances the ORM would give: ``Model.from_db`` with the same converters
(backend's and field's, as ``SQLCompiler.get_converters``), the related object cached on the
instance as ``select_related`` caches it (and the reverse side of a one-to-one). A read that needs
anything more (a filter on a relation, a prefetch) stays an ORM query.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

M = TypeVar("M", bound=models.Model)

Converter = tuple[int, list[Callable[..., Any]], Any]  # column index, converters, expression


def column_converters(conn: Any, fields: Sequence[Any], start: int = 0) -> list[Converter]:
    """The converters the ORM applies to ``fields`` read as consecutive columns from ``start``
    (the backend's and the field's, as ``SQLCompiler.get_converters``); a field that needs none
    is left out."""
    converters: list[Converter] = []
    for i, field in enumerate(fields, start=start):
        col = field.get_col("t")
        found = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
        if found:
            converters.append((i, found, col))
    return converters


def convert_row(row: Sequence[Any], converters: list[Converter], conn: Any) -> list[Any]:
    """``row`` as a list, each column ``converters`` names converted as the ORM converts it."""
    out = list(row)
    for i, funcs, col in converters:
        value = out[i]
        for convert in funcs:
            value = convert(value, col, conn)
        out[i] = value
    return out


class _Plan:
    __slots__ = ("also_at", "names", "params", "pk_at", "spans", "sql")

    def __init__(self, reader: RowReader[Any], conn: Any) -> None:
        qn = conn.ops.quote_name
        meta = reader.model._meta
        columns: list[str] = []
        joins: list[str] = []
        # (model, its fields, first column, last column + 1, the foreign key it is read through)
        self.spans: list[tuple[Any, list[Any], int, int, Any]] = []

        def select(model: Any, alias: str, via: Any) -> None:
            fields = list(model._meta.concrete_fields)
            start = len(columns)
            columns.extend(f"{alias}.{qn(f.column)}" for f in fields)
            self.spans.append((model, fields, start, len(columns), via))

        # Each table under its own name, as the ORM writes it (T2… for a table read twice).
        main = qn(meta.db_table)
        select(reader.model, main, None)
        used = {meta.db_table}
        for i, name in enumerate(reader.related, start=2):
            field = meta.get_field(name)
            assert isinstance(field, models.ForeignKey), name  # one-to-one is one too
            table = field.related_model._meta.db_table
            alias = qn(table) if table not in used else f"T{i}"
            used.add(table)
            join = "LEFT OUTER JOIN" if field.null else "INNER JOIN"
            named = qn(table) if alias == qn(table) else f"{qn(table)} {alias}"
            joins.append(
                f" {join} {named} ON ({main}.{qn(field.column)} = "
                f"{alias}.{qn(field.target_field.column)})"
            )
            select(field.related_model, alias, field)
        where = " AND ".join(f"{main}.{qn(meta.get_field(k).column)} = %s" for k in reader.by)
        order = ""
        if reader.order_by:
            order = " ORDER BY " + ", ".join(
                f"{main}.{qn(meta.get_field(k).column)} ASC" for k in reader.order_by
            )
        # Further columns the caller asked for (``also``), after the models' own.
        self.also_at = len(columns)
        columns.extend(f"({make(conn, main)})" for make in reader.also)
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {main}{''.join(joins)} "  # noqa: S608 - names from the models, values bound
            f"WHERE ({where}){order} LIMIT {reader.limit}"
        )
        self.params = [meta.get_field(k) for k in reader.by]
        self.names = [[f.attname for f in fields] for _m, fields, _s, _e, _v in self.spans]
        self.pk_at = [s + fields.index(m._meta.pk) for m, fields, s, _e, _v in self.spans]


class RowReader(Generic[M]):
    """``model``'s row whose fields ``by`` equal the values given (in ``order_by`` order, the
    first), with the foreign keys ``related`` read in the same statement (select_related).

    ``first(*values)`` is ``Model.objects.select_related(*related).filter(**dict(zip(by,
    values))).order_by(*order_by).first()``; ``get`` is ``.get()`` for a unique key (DoesNotExist
    when there is none). A value goes through its field's ``get_prep_value`` (ValueError or
    TypeError for one that is not of the field's type, as the ORM raises them).

    ``also``: SQL expressions read in the same statement, each made by a function of the
    connection and the main table's quoted name (a scalar subquery about the row, say);
    ``first_also`` gives their values with the row."""

    def __init__(
        self,
        model: type[M],
        *,
        by: Sequence[str],
        related: Sequence[str] = (),
        order_by: Sequence[str] = (),
        unique: bool = False,
        also: Sequence[Callable[[Any, str], str]] = (),
    ) -> None:
        self.model = model
        self.also = tuple(also)
        self.by = tuple(by)
        self.related = tuple(related)
        self.order_by = tuple(order_by)
        self.unique = unique
        # A unique key reads up to 2 rows, as get() does up to 21, to refuse a second.
        self.limit = 2 if unique else 1
        self._plans: dict[str, _Plan] = {}
        self._converters: weakref.WeakKeyDictionary[Any, list[Converter]] = (
            weakref.WeakKeyDictionary()
        )

    def _plan(self, conn: Any) -> tuple[_Plan, list[Converter]]:
        plan = self._plans.get(conn.vendor)
        if plan is None:
            plan = self._plans[conn.vendor] = _Plan(self, conn)
        converters = self._converters.get(conn)
        if converters is None:
            converters = []
            for _model, fields, start, _end, _via in plan.spans:
                converters += column_converters(conn, fields, start)
            self._converters[conn] = converters
        return plan, converters

    def first(self, *values: Any) -> M | None:
        return self.first_also(*values)[0]

    def first_also(self, *values: Any) -> tuple[M | None, list[Any]]:
        """``first(*values)`` and the values of ``also`` (an empty list when there is no row)."""
        conn = connections[DEFAULT_DB_ALIAS]
        plan, converters = self._plan(conn)
        params = [
            f.get_db_prep_value(f.get_prep_value(v), conn, prepared=True)
            for f, v in zip(plan.params, values, strict=True)
        ]
        with conn.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return None, []
        if len(rows) > 1:
            raise self.model.MultipleObjectsReturned(  # type: ignore[attr-defined]
                f"get() returned more than one {self.model.__name__} -- it returned 2!"
            )
        row = convert_row(rows[0], converters, conn)
        alias = conn.alias
        model, _fields, start, end, _via = plan.spans[0]
        obj: M = model.from_db(alias, plan.names[0], row[start:end])
        for (model, _fields, start, end, via), names, pk_at in zip(
            plan.spans[1:], plan.names[1:], plan.pk_at[1:], strict=True
        ):
            related = None
            if row[pk_at] is not None:
                related = model.from_db(alias, names, row[start:end])
            via.set_cached_value(obj, related)
            if related is not None and via.unique:  # the one-to-one's other side, as the ORM
                via.remote_field.set_cached_value(related, obj)
        return obj, row[plan.also_at :]

    def get(self, *values: Any) -> M:
        obj = self.first(*values)
        if obj is None:
            raise self.model.DoesNotExist(  # type: ignore[attr-defined]
                f"{self.model.__name__} matching query does not exist."
            )
        return obj


class ValuesReader:
    """``model.objects.filter(**dict(zip(by, values))).values_list(*fields)`` as a list of
    tuples, its SQL built once per vendor, each value converted as the ORM converts it."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], *, by: Sequence[str]):
        self.model = model
        self.fields: list[Any] = [model._meta.get_field(name) for name in fields]
        self.by: list[Any] = [model._meta.get_field(name) for name in by]
        self._sql: dict[str, str] = {}
        self._converters: weakref.WeakKeyDictionary[Any, list[Converter]] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(self, *values: Any) -> list[tuple[Any, ...]]:
        conn = connections[DEFAULT_DB_ALIAS]
        sql = self._sql.get(conn.vendor)
        if sql is None:
            qn = conn.ops.quote_name
            table = qn(self.model._meta.db_table)  # columns named as the ORM names them
            columns = ", ".join(f"{table}.{qn(f.column)}" for f in self.fields)
            where = " AND ".join(f"{table}.{qn(f.column)} = %s" for f in self.by)
            sql = self._sql[conn.vendor] = f"SELECT {columns} FROM {table} WHERE ({where})"  # noqa: S608 - names from the model, values bound
        converters = self._converters.get(conn)
        if converters is None:
            converters = self._converters[conn] = column_converters(conn, self.fields)
        params = [
            f.get_db_prep_value(f.get_prep_value(v), conn, prepared=True)
            for f, v in zip(self.by, values, strict=True)
        ]
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return [tuple(row) for row in rows]
        return [tuple(convert_row(row, converters, conn)) for row in rows]
