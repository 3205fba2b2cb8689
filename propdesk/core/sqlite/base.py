"""Django's SQLite backend, every writer waiting for the write lock the same way: in short,
even steps, the longest waiters most often.

SQLite has one write lock. Every transaction takes it at its start (``BEGIN IMMEDIATE``,
settings: ``transaction_mode``); a statement outside a transaction (the worker's heartbeat, a
lone ``save()``) takes it for itself. SQLite's own busy handler (``timeout``) sleeps between
attempts in growing steps, 1, 2, 5 … 50, 100 ms: a writer that has waited a while sleeps 100 ms
at a time while newcomers take the lock freed in between. Under a stream of creates that put the
slowest ones hundreds of milliseconds behind a lock that was free most of that time; and a writer
that waits one way beside writers that wait another loses every time (a first version retried
only BEGIN quickly: the worker, still on SQLite's handler, starved for 20 s and failed).

So SQLite's handler is off on these connections (``busy_timeout`` 0) and every statement that
meets the lock held, which can only happen outside a transaction (``BEGIN IMMEDIATE`` included,
and nothing has been done then), is tried again every 0.5 ms, every 0.2 ms once it has waited
50 ms (the oldest waiters first, as far as polling can), until the configured ``timeout``; then
it fails as Django always did, with "database is locked" (bench/RESULTS.md, "SQLite's write
lock").
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.db.backends.sqlite3 import base

FIRST_STEP = 0.0005  # seconds between attempts while the wait is short
LATER_STEP = 0.0002  # … and once it has lasted SHORT_WAIT: the older waiter tries more often
SHORT_WAIT = 0.05


def _busy(exc: sqlite3.OperationalError) -> bool:
    # The primary result code: SQLITE_BUSY and its extended forms (… _RECOVERY, _TIMEOUT).
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_BUSY


@lru_cache(maxsize=1024)
def _qmark(query: str) -> str:
    """Django's "format" to "qmark" conversion of ``query``, remembered: the app runs the same
    few hundred statements again and again (a create's INSERT of some 35 columns took ~17 µs to
    convert, for each of its statements, every time)."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class WaitingCursor(base.SQLiteCursorWrapper):
    """Django's cursor, trying a statement again while the write lock is held elsewhere."""

    timeout: float = 5.0

    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is None:
            return _qmark(query)
        return str(super().convert_query(query, param_names=param_names))

    def _wait(self, run: Any) -> Any:
        began = time.monotonic()
        while True:
            try:
                return run()
            except sqlite3.OperationalError as exc:
                # Inside a transaction this connection already holds the lock (IMMEDIATE): a
                # busy error there is not a wait for it, and retrying would repeat half of it.
                if not _busy(exc) or self.connection.in_transaction:
                    raise
                waited = time.monotonic() - began
                if waited >= self.timeout:
                    raise
                time.sleep(FIRST_STEP if waited < SHORT_WAIT else LATER_STEP)

    def execute(self, query: str, params: Any = None) -> Any:
        return self._wait(lambda: super(WaitingCursor, self).execute(query, params))

    def executemany(self, query: str, param_list: Iterable[Any]) -> Any:
        params = list(param_list)  # a retry needs them again
        return self._wait(lambda: super(WaitingCursor, self).executemany(query, params))


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        conn = super().get_new_connection(conn_params)
        conn.execute("PRAGMA busy_timeout = 0")  # the cursor waits instead (above)
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=WaitingCursor)
        cursor.timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        return cursor
