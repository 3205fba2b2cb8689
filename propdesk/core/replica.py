"""Reads from the read replica, when one is configured (DATABASE_REPLICA_URL).

The reports' heavy reads (the monthly report with its PDF and workbook, the comparison of
communities, the KPI figures) run inside ``replica_reads()``: while it is active, every read goes
to ``settings.REPORTS_DATABASE`` ("replica" when a replica is configured, else "default", and then
nothing changes). Every write goes to "default", always, also for an object read from the replica.
Access is checked before, on "default": a role revoked a moment ago is never honoured by a lagging
replica. A replica is a few seconds behind at most; a month's figures do not mind.

    with replica_reads():
        ...                      # or @replica_reads() on a function
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

_active: ContextVar[bool] = ContextVar("propdesk_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within it (or the function it decorates), reads go to the reports' database."""
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


def reads_alias() -> str:
    """Where a read goes now: the reports' database inside ``replica_reads``, else "default"."""
    return str(settings.REPORTS_DATABASE) if _active.get() else DEFAULT_DB_ALIAS


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads inside ``replica_reads`` to the replica; writes, and
    migrations, only ever to "default"."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return reads_alias() if _active.get() else None

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        db1, db2 = obj1._state.db, obj2._state.db
        if db1 == db2 == DEFAULT_DB_ALIAS:
            return True  # every relation set in a request (a create sets some thirty)
        same_data = {DEFAULT_DB_ALIAS, str(settings.REPORTS_DATABASE)}
        if db1 in same_data and db2 in same_data:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == DEFAULT_DB_ALIAS
