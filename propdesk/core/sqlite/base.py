"""Django's SQLite backend, waiting for the write lock in short, even steps.

Every transaction starts with ``BEGIN IMMEDIATE`` (settings: ``transaction_mode``), so a writer
waits for SQLite's one write lock at its start. SQLite's own busy handler (``timeout``) sleeps
between attempts in growing steps, 1, 2, 5 … 50, 100 ms: a request that has waited a while sleeps
100 ms at a time, and a newcomer takes the lock freed in between. Under a stream of writers (8
creates at once, the worker's batches beside them) that made the slowest creates wait hundreds of
milliseconds for a lock that was free most of that time (bench/RESULTS.md, "SQLite's write
lock"). Here ``BEGIN IMMEDIATE`` is retried every 0.5 ms (2 ms after the first 50 ms) until the
same ``timeout``; every other statement keeps SQLite's handler. Then it fails as before, with
"database is locked".
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

FIRST_STEP = 0.0005  # seconds between attempts while the wait is short
LATER_STEP = 0.002  # … and after SHORT_WAIT
SHORT_WAIT = 0.05


def _busy(exc: BaseException) -> bool:
    cause = exc.__cause__
    return isinstance(cause, sqlite3.OperationalError) and (
        getattr(cause, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
    )


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self) -> None:
        # Neither is in django-stubs: Django 5.1's transaction_mode and the SQLite hook.
        if getattr(self, "transaction_mode", None) != "IMMEDIATE":
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        raw: Any = self.connection
        # The pragmas on the raw connection: not statements of the application's (not logged,
        # not counted by the query budgets); BEGIN itself goes through the cursor as before.
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            began = time.monotonic()
            while True:
                try:
                    self.cursor().execute("BEGIN IMMEDIATE")
                    return
                except OperationalError as exc:
                    waited = time.monotonic() - began
                    if not _busy(exc) or waited >= timeout:
                        raise
                    time.sleep(FIRST_STEP if waited < SHORT_WAIT else LATER_STEP)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
