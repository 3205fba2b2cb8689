"""A fixed word written into the SQL itself (``Constant``), for the queries a partial index
serves: SQLite uses a partial index only when the query's own condition implies the index's,
and a bound ``state IN (?, ?)`` or ``channel = ?`` does not imply the literal of the index."""

from __future__ import annotations

from typing import Any

from django.db.models import Value


class Constant(Value):
    """A fixed word written into the SQL itself, not passed as a parameter. A partial index
    whose condition names a word (``notify``'s unread in-app notifications: channel =
    'in_app'; the live clocks' indexes did, by their states, until ``clocks`` 0012) serves only
    a query whose own condition SQLite can see to be the same: with ``channel = ?`` it cannot
    (the board sorted every live clock of the community to keep 200: 15 ms at 100,000 orders
    against 0.3). Only our own enumerations' values."""

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        value = str(self.value)
        if not value.isidentifier() or not value.isascii():
            raise ValueError(f"not a constant word: {value!r}")
        return f"'{value}'", ()
