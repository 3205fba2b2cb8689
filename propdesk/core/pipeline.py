"""Statements sent one after another without waiting for each answer: PostgreSQL's pipeline
mode, for a transaction that only writes.

A create writes its order, its clocks and their log, the engine's input, its first event, its
number and its announcement: on PostgreSQL each statement was one round trip, the web process
waiting for the server's answer before sending the next, and the server waking up for each.
Inside ``pipelined()`` (psycopg's ``Connection.pipeline()``, libpq's pipeline mode) they go out
back to back, and the connection waits only where the code reads an answer (an id given back by
``RETURNING``). A failed statement is reported at that wait, or when the block ends, as Django's
own database error, and the transaction around it is rolled back as always. On SQLite (in this
process, no round trip) and without pipeline support in libpq it does nothing.

bench/RESULTS.md, "The pages a create writes", has the measure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def pipelined() -> Iterator[None]:
    """Inside a transaction: its statements pipelined on PostgreSQL (see the module)."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    import psycopg

    if not psycopg.Pipeline.is_supported():
        yield
        return
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield
