"""What a request wrote: the INSERT, UPDATE and DELETE statements that reached the database while
it was answered, for the tests that assert that a refusal changed nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# The session's own row (a message for the next page, a sign-out) is no change of the office's.
UNWATCHED_TABLES = ("django_session",)


class Writes:
    """The writing statements run while it is installed (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if WRITE.match(sql) and not any(t in sql for t in UNWATCHED_TABLES):
            self.statements.append(sql[:160])
        return execute(sql, params, many, context)


@contextmanager
def watching_writes() -> Iterator[Writes]:
    writes = Writes()
    with connection.execute_wrapper(writes):
        yield writes
