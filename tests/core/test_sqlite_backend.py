"""propdesk's SQLite backend (propdesk/core/sqlite): every writer waits for SQLite's write lock in
short steps of its own, a transaction's BEGIN IMMEDIATE and a statement outside a transaction
alike, up to the configured timeout, then fails as Django's always did ("database is locked").
Real SQLite files, a real second writer holding the lock from another thread."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections
from django.db.utils import OperationalError

from propdesk.core.sqlite.base import DatabaseWrapper


def wrapper(path: Path, timeout: float) -> DatabaseWrapper:
    settings = {
        **connections["default"].settings_dict,
        "ENGINE": "propdesk.core.sqlite",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": timeout,
        },
        "TEST": {},
    }
    return DatabaseWrapper(settings, alias="sqlite_backend_test")


def begin(conn: DatabaseWrapper) -> None:
    """What atomic() does on entry: BEGIN IMMEDIATE, the connection staying in autocommit."""
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


@pytest.fixture
def db_file(tmp_path: Path, django_db_blocker: object) -> Iterator[Path]:
    path = tmp_path / "lock.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)")
    raw.close()
    # Its own file, not the test database: pytest-django's guard is for that one.
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        yield path


def hold_write_lock(path: Path, seconds: float, holding: threading.Event) -> threading.Thread:
    def run() -> None:
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO t (who) VALUES ('first')")
        holding.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_writer_waits_for_the_lock_and_goes_on_once_it_is_free(db_file: Path) -> None:
    conn = wrapper(db_file, timeout=10)
    try:
        # A transaction: its BEGIN IMMEDIATE waits for the first writer's commit.
        holding = threading.Event()
        thread = hold_write_lock(db_file, 0.3, holding)
        assert holding.wait(5)
        begin(conn)
        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO t (who) VALUES ('second')")
        conn.commit()
        conn.set_autocommit(True)
        thread.join()
        # A statement on its own (autocommit, as the worker's heartbeat): it waits the same way.
        holding = threading.Event()
        thread = hold_write_lock(db_file, 0.3, holding)
        assert holding.wait(5)
        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO t (who) VALUES ('third')")
        thread.join()
        with conn.cursor() as cursor:
            cursor.execute("SELECT who FROM t ORDER BY id")
            # Each waited for the other writer's commit, then wrote after it.
            assert [r[0] for r in cursor.fetchall()] == ["first", "second", "first", "third"]
            # SQLite's own growing sleeps are off: the backend does the waiting.
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 0
    finally:
        conn.close()


def test_a_writer_gives_up_after_the_timeout_and_nothing_is_written(db_file: Path) -> None:
    conn = wrapper(db_file, timeout=0.2)
    holding = threading.Event()
    thread = hold_write_lock(db_file, 1.5, holding)
    assert holding.wait(5)
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            begin(conn)
        conn.set_autocommit(True)
        with (
            pytest.raises(OperationalError, match="database is locked"),
            conn.cursor() as cursor,
        ):
            cursor.execute("INSERT INTO t (who) VALUES ('alone')")
    finally:
        thread.join()
        conn.close()
    check = sqlite3.connect(db_file)
    assert [r[0] for r in check.execute("SELECT who FROM t")] == ["first"]
    check.close()


def test_the_application_runs_on_this_backend_with_sqlite() -> None:
    # With DATABASE_URL unset or sqlite, settings put the application on this backend.
    default = connections["default"]
    if default.vendor == "sqlite":
        assert isinstance(default, DatabaseWrapper)
    else:
        assert not isinstance(default, DatabaseWrapper)


def test_statements_are_converted_as_django_converts_them_and_remembered(db_file: Path) -> None:
    """Django's "format" → "qmark" conversion is done once per statement (a regex over the whole
    text, ~17 µs for a create's INSERT), the same text every time; "pyformat" statements (named
    parameters) still go through Django's own conversion."""
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    from propdesk.core.sqlite.base import _qmark

    for query in [
        "SELECT 1",
        "INSERT INTO t (who) VALUES (%s)",
        "SELECT who FROM t WHERE who LIKE %s ESCAPE '\\' AND who LIKE '50%%'",
        "SELECT %s, %%s, %%%s",
    ]:
        assert _qmark(query) == FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")
    conn = wrapper(db_file, timeout=1)
    try:
        _qmark.cache_clear()
        with conn.cursor() as cursor:
            for who in ("a", "b", "c%"):
                cursor.execute("INSERT INTO t (who) VALUES (%s)", [who])
            cursor.execute("SELECT who FROM t WHERE who LIKE 'c%%' OR who = %s ORDER BY id", ["a"])
            assert cursor.fetchall() == [("a",), ("c%",)]
            cursor.executemany("INSERT INTO t (who) VALUES (%s)", [["d"], ["e"]])
            named = "SELECT COUNT(*) FROM t WHERE who IN (%(x)s, %(y)s)"
            cursor.execute(named, {"x": "d", "y": "e"})
            assert cursor.fetchall() == [(2,)]
        info = _qmark.cache_info()
        assert (info.misses, info.hits) == (2, 3)  # the INSERT converted once for four runs
    finally:
        conn.close()
