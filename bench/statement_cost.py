"""What one statement costs the web process: a trivial ``SELECT %s`` through Django's cursor
and through the driver alone, CPU (this process's, user and system) and wall per statement.

On SQLite a statement is a call into the library in this process; on PostgreSQL it is a round
trip: the query sent, the process asleep until the server answers, woken, the answer read. The
figure says what a statement less is worth to a request on each database.

    DJANGO_SETTINGS_MODULE=propdesk.settings SECRET_KEY=bench DATABASE_URL=postgres://… \
        .venv/bin/python bench/statement_cost.py [--statements 3000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DB_CONN_MAX_AGE", "600")


def _per_statement(cursor: Any, n: int) -> tuple[float, float]:
    for _ in range(200):  # warm-up
        cursor.execute("SELECT %s", [1])
        cursor.fetchall()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        cursor.execute("SELECT %s", [1])
        cursor.fetchall()
    return (time.process_time() - cpu) / n * 1e6, (time.perf_counter() - wall) / n * 1e6


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--statements", type=int, default=3000)
    n = p.parse_args().statements
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cpu, wall = _per_statement(cursor, n)
    print(
        f"{connection.vendor}, Django's cursor: CPU {cpu:.0f} µs, wall {wall:.0f} µs per statement"
    )
    if connection.vendor == "postgresql":  # psycopg's own cursor (sqlite3's takes "?")
        cpu, wall = _per_statement(connection.connection.cursor(), n)
        print(f"postgresql, psycopg alone: CPU {cpu:.0f} µs, wall {wall:.0f} µs per statement")


if __name__ == "__main__":
    main()
