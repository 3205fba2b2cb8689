"""SQLite's table statistics (``sqlite_stat1``), kept current as SQLite recommends.

SQLite's query planner chooses between indexes by the statistics ANALYZE gathers; without them
it guesses from the schema alone, and once picked the wrong index (issue 15). Nothing ran ANALYZE
here. SQLite's advice (https://sqlite.org/lang_analyze.html, "Recommended usage pattern") for an
application with long-lived connections is ``PRAGMA optimize`` from time to time, which analyzes
only the tables whose statistics are missing or out of date, with an analysis limit so that a
large table is sampled, not read whole.

The worker's ``core.optimize`` job does it (``statistics_refresh``) once an hour. Since SQLite
3.46 ``PRAGMA optimize=0x10002`` checks every table; before (3.40 in this venv) it checks only
the tables the same connection has queried, and the worker's job has queried none, so there every
table is analyzed, under ``PRAGMA analysis_limit`` (about ANALYSIS_LIMIT rows per index). Each
table is its own short write, and the job leaves SQLite's one write lock free as long again
after each (as the purges do), so the web's writers are not held up. PostgreSQL analyzes on its
own (autovacuum): nothing is done there.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

ANALYSIS_LIMIT = 400  # rows sampled per index: SQLite's suggested 100-1000
CHECKS_ALL_TABLES = (3, 46, 0)  # PRAGMA optimize's 0x10000 flag


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stale_tables(cursor: Any) -> list[str]:
    """The tables to analyze: those PRAGMA optimize would (SQLite 3.46 and later), else every
    table of the schema but SQLite's own."""
    if sqlite3.sqlite_version_info >= CHECKS_ALL_TABLES:
        # 0x10000: every table, not only those used; 0x02: ANALYZE where needed; 0x01: only say.
        cursor.execute("PRAGMA optimize=0x10003")
        statements = [row[0] for row in cursor.fetchall()]
        return [s.split(".", 1)[1].strip('"') for s in statements if "." in s]
    cursor.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def statistics_refresh(connection: Any) -> list[str]:
    """Bring SQLite's planner statistics up to date on ``connection`` (Django's), table by
    table, each ANALYZE its own short write with the write lock left free as long again after
    it. Returns the tables analyzed; on any other database nothing, an empty list."""
    if connection.vendor != "sqlite":
        return []
    done: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        for table in stale_tables(cursor):
            began = time.monotonic()
            cursor.execute(f"ANALYZE {_quote(table)}")
            done.append(table)
            time.sleep(time.monotonic() - began)
    return done
