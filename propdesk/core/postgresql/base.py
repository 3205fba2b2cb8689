"""Django's PostgreSQL backend, with the limit of 65,535 parameters per statement that
server-side binding brings (DB_PG_PREPARE_THRESHOLD, on by default), and inserts that ride with
the transaction's next write.

With server-side binding psycopg sends the parameters apart from the SQL, and PostgreSQL's
protocol counts them in 16 bits: a statement with more fails ("number of parameters must be
between 0 and 65535"). Django 5.2 knows no such limit for PostgreSQL, so a bulk_update of ~10,000
residents, or a delete that cascades over more than 65,535 rows, would be sent as one statement.
Declaring the limit (as Django does for SQLite and Oracle, and for PostgreSQL in later releases)
makes bulk_create, bulk_update, in_bulk and the deletion collector split their work in batches.
With client-side binding (the setting empty) nothing changes.

Every statement is a round trip to the server, which costs the web process ~110 µs of CPU on
loopback beside the server's own work (bench/statement_cost.py), however small the statement. A
create writes rows that nothing reads back in its transaction: the clock engine's recorded input
and its log lines, the staff's announcement. ``core.bulk.insert_many(…, defer=True)`` hands them
to ``DatabaseWrapper.defer_insert``, and they go to the server with the transaction's next write,
as data-modifying WITH queries at its top (``WITH _pd0 AS (INSERT …) INSERT INTO …``), which
PostgreSQL runs exactly once, to completion, whether or not the statement reads them. So each
costs no round trip of its own. They go on their own, before it, when the next statement cannot
carry them: a read (a statement does not see what its own WITH inserts, and a read may want
them), a statement that names one of their tables, a SAVEPOINT, an ``executemany``, a
server-side cursor; at the COMMIT they go with it, in one simple query ("INSERT …; COMMIT",
their parameters quoted into it). A ROLLBACK, to a savepoint or of the whole transaction,
drops them, as it would have dropped the rows (every deferred insert was made after the latest
savepoint, since making one sends them). Outside a transaction nothing is deferred. Django's
foreign keys are checked at the commit (DEFERRABLE INITIALLY DEFERRED), so where the rows ride
changes no check. An error in one of them is raised by the statement that carried it, inside the
same transaction, which is rolled back as it would have been.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from django.db.backends import utils
from django.db.backends.postgresql import base, features, operations
from django.utils.functional import cached_property

MAX_PARAMS = 2**16 - 1
# Parameters the deferred inserts may hold (a sweep's thousands of clock log lines, say): beyond,
# they are sent, and the statement carrying them stays well under MAX_PARAMS with its own.
DEFER_MAX_PARAMS = 10_000


class _Deferred:
    """An INSERT waiting to ride: its table, ``INSERT INTO t (…) VALUES `` and its rows."""

    __slots__ = ("head", "params", "table", "values")

    def __init__(self, table: str, head: str, values: str, params: list[Any]) -> None:
        self.table, self.head, self.values, self.params = table, head, values, params


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self) -> int | None:  # type: ignore[override]
        return MAX_PARAMS if self.uses_server_side_binding else None


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields: Sequence[Any], objs: Sequence[Any]) -> int:
        """Objects per statement. Sized for twice the fields Django names: bulk_update names
        (pk, pk, *fields) but sends an object's id once per field and once more (2 fields: 5
        parameters, not 4); for the other callers (a delete's one field, a multi-row INSERT that
        UNNEST does not carry) the batches are only smaller than they could be."""
        limit = self.connection.features.max_query_params
        if limit and fields:
            return max(limit // (2 * len(fields)), 1)
        return len(objs)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The inserts waiting, one per table and column list, in the order first made.
        self.deferred_inserts: list[_Deferred] = []

    def defer_insert(self, table: str, head: str, values: str, params: list[Any]) -> bool:
        """Send the INSERT ``head`` + ``values`` (``INSERT INTO t (…) VALUES `` and its rows'
        placeholders) into ``table`` with the transaction's next write; False (and nothing kept)
        outside a transaction, or for more rows than one statement should carry, where the caller
        runs it at once.

        Rows for a table and columns already waiting join that INSERT's VALUES, after its rows:
        one statement's rows take their ids in the order written, while the WITH queries of one
        statement run in no set order, so two inserts into one table would not."""
        if not self.in_atomic_block:
            return False
        if sum(len(d.params) for d in self.deferred_inserts) + len(params) > DEFER_MAX_PARAMS:
            self.flush_deferred()
            if len(params) > DEFER_MAX_PARAMS:
                return False
        for waiting in self.deferred_inserts:
            if waiting.head == head:
                waiting.values += ", " + values
                waiting.params += params
                return True
        self.deferred_inserts.append(_Deferred(table, head, values, list(params)))
        return True

    def carry_deferred(self, sql: str, params: Any, *, named: bool) -> tuple[str, Any]:
        """``sql`` and ``params`` with the deferred inserts as WITH queries at its top, or as
        they are, the inserts sent first, when ``sql`` cannot carry them."""
        body = sql.lstrip() if isinstance(sql, str) else ""  # not psycopg's sql.SQL
        head = body[:7].upper()
        if (
            named
            or not isinstance(params, list | tuple)
            or not head.startswith(_CARRIERS)
            or head.startswith("WITH RE")  # WITH RECURSIVE: sent apart, kept simple
            or any(waiting.table in sql for waiting in self.deferred_inserts)
        ):
            self.flush_deferred()
            return sql, params
        ctes, carried = self._take_deferred()
        if head.startswith("WITH "):
            return f"WITH {ctes}, {body[5:]}", [*carried, *params]
        return f"WITH {ctes} {body}", [*carried, *params]

    def _take_deferred(self) -> tuple[str, list[Any]]:
        items, self.deferred_inserts = self.deferred_inserts, []
        ctes = ", ".join(f"_pd{i} AS ({d.head}{d.values})" for i, d in enumerate(items))
        return ctes, [p for d in items for p in d.params]

    def _deferred_statement(self) -> tuple[str, list[Any]]:
        """The deferred inserts as one statement (the last insert, the others riding with it)
        and its parameters; none are kept deferred after."""
        *self.deferred_inserts, last = self.deferred_inserts
        ctes, carried = self._take_deferred()
        sql = f"{last.head}{last.values}"
        return (f"WITH {ctes} {sql}" if ctes else sql), [*carried, *last.params]

    def flush_deferred(self) -> None:
        """Send the deferred inserts now, as one statement."""
        if not self.deferred_inserts:
            return
        sql, params = self._deferred_statement()
        with self.cursor() as cursor:
            cursor.execute(sql, params)

    def make_cursor(self, cursor: Any) -> Any:
        return CursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor: Any) -> Any:
        return CursorDebugWrapper(cursor, self)

    def _commit(self) -> Any:
        if not self.deferred_inserts or self.connection is None:
            return super()._commit()  # type: ignore[misc]  # not in django-stubs
        # The inserts left ride with the COMMIT: one simple query, "INSERT …; COMMIT", their
        # parameters quoted into it by psycopg (as Django's default client-side binding does for
        # every statement). The server runs the two in order and stops at an error, the COMMIT
        # unrun, so a failed insert leaves the transaction to be rolled back as before (Django's
        # atomic does). Sent through Django's cursor: its errors are Django's, and its execute
        # wrappers and query log see the insert. psycopg prepares no text of two statements.
        sql, params = self._deferred_statement()
        with self.cursor() as cursor:
            try:
                text = psycopg.ClientCursor(self.connection).mogrify(sql, params)
            except Exception:
                # A value psycopg cannot quote (a NUL in a text, say): sent bound, as any
                # statement (whose error Django raises, and its atomic rolls back), then the
                # COMMIT as usual.
                cursor.execute(sql, params)
                return super()._commit()  # type: ignore[misc]  # not in django-stubs
            cursor.execute(f"{text}; COMMIT")
        # The server says idle now, so psycopg's commit() would send nothing: not called.
        return None

    def _rollback(self) -> Any:
        self.deferred_inserts = []
        return super()._rollback()  # type: ignore[misc]  # not in django-stubs

    def _savepoint(self, sid: str) -> None:
        self.flush_deferred()
        super()._savepoint(sid)  # type: ignore[misc]  # not in django-stubs

    def _savepoint_rollback(self, sid: str) -> None:
        self.deferred_inserts = []
        super()._savepoint_rollback(sid)  # type: ignore[misc]  # not in django-stubs

    def _close(self) -> Any:
        self.deferred_inserts = []
        return super()._close()  # type: ignore[misc]  # not in django-stubs


# --- Inserts that ride with the next write ----------------------------------------------------

# The statements an insert may ride with: a write, whose top level can take a WITH of its own.
_CARRIERS = ("INSERT ", "UPDATE ", "DELETE ", "WITH ")


class _Carries:
    """A cursor that sends the connection's deferred inserts (``DatabaseWrapper.defer_insert``)
    as data-modifying WITH queries of the next write it executes, or on their own before any
    other statement."""

    cursor: Any
    db: DatabaseWrapper

    def execute(self, sql: Any, params: Any = None) -> Any:
        if self.db.deferred_inserts:
            sql, params = self.db.carry_deferred(sql, params, named=_named(self.cursor))
        return super().execute(sql, params)  # type: ignore[misc]

    def executemany(self, sql: Any, param_list: Any) -> Any:
        self.db.flush_deferred()
        return super().executemany(sql, param_list)  # type: ignore[misc]

    def callproc(self, procname: Any, params: Any = None, kparams: Any = None) -> Any:
        self.db.flush_deferred()
        return super().callproc(procname, params, kparams)  # type: ignore[misc]


def _named(cursor: Any) -> bool:
    """A server-side cursor (``QuerySet.iterator()``): PostgreSQL refuses a data-modifying WITH
    in its DECLARE."""
    return isinstance(cursor, psycopg.ServerCursor)


class CursorWrapper(_Carries, utils.CursorWrapper):
    pass


class CursorDebugWrapper(_Carries, base.CursorDebugWrapper):
    pass
