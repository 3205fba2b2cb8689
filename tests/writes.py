"""What a request wrote: the INSERT, UPDATE and DELETE statements that reached the database while
it was answered, for the tests that assert that a refusal changed nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# A statement that writes within a WITH (PostgreSQL: the number's UPDATE of a create).
_WITH_WRITE = re.compile(r"^\s*WITH\b.*?\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL)


def verb(sql: str) -> str:
    """What a statement does, by its first word: SELECT, INSERT, UPDATE …; a WITH by the write
    it holds (a WITH that only reads is a SELECT)."""
    if found := _WITH_WRITE.match(sql):
        return found.group(1).upper()
    word = sql.split()[0].upper()
    return "SELECT" if word == "WITH" else word


# The session's own row (a message for the next page, a sign-out) is no change of the office's.
UNWATCHED_TABLES = ("django_session",)


class Writes:
    """The writing statements run while it is installed (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        writes = WRITE.match(sql) or _WITH_WRITE.match(sql)
        if writes and not any(t in sql for t in UNWATCHED_TABLES):
            self.statements.append(sql[:160])
        return execute(sql, params, many, context)


@contextmanager
def watching_writes() -> Iterator[Writes]:
    writes = Writes()
    with connection.execute_wrapper(writes):
        yield writes


class Statements:
    """Every statement run while it is installed (``connection.execute_wrapper``), with whether a
    transaction was open when it ran: for the tests that hold a transaction to its writes (on
    SQLite every transaction holds the one write lock)."""

    def __init__(self) -> None:
        self.seen: list[tuple[bool, str]] = []

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.seen.append((connection.in_atomic_block, sql))
        return execute(sql, params, many, context)

    def inside(self) -> list[str]:
        """What each statement run inside a transaction did (``verb``)."""
        return [verb(sql) for inside, sql in self.seen if inside]

    def outside(self) -> list[str]:
        return [sql for inside, sql in self.seen if not inside]

    def reads(self, *, inside: bool) -> list[str]:
        return [sql for tx, sql in self.seen if tx == inside and verb(sql) == "SELECT"]
