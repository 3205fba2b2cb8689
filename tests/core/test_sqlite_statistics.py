"""SQLite's planner statistics are kept: the worker's ``core.optimize`` job analyzes the tables
(``sqlite_stat1``) at its first tick and then once an hour, table by table under an analysis limit;
the app reads and writes as before afterwards. On PostgreSQL it does nothing (autovacuum
analyzes)."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from propdesk.core import housekeeping
from propdesk.core.jobs import registered_jobs
from propdesk.core.sqlite.stats import ANALYSIS_LIMIT
from propdesk.desk.models import WorkOrder
from tests.desk.test_dispatch import create

pytestmark = pytest.mark.django_db


def optimize() -> int:
    return int(registered_jobs()["core.optimize"](None))  # type: ignore[arg-type]


@pytest.fixture
def first_tick(monkeypatch: pytest.MonkeyPatch) -> None:
    """The job as at a worker's start (its hour counted per process)."""
    monkeypatch.setattr(housekeeping, "_last_optimize", None)


def _stats() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl, idx, stat FROM sqlite_stat1")
        out: dict[str, list[str]] = {}
        for tbl, idx, stat in cursor.fetchall():
            out.setdefault(tbl, []).append(f"{idx} {stat}")
    return out


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics")
def test_the_first_tick_analyzes_the_tables_then_not_again_within_the_hour(
    office, clock, first_tick
) -> None:
    for _ in range(3):
        create(office, clock)
    with CaptureQueriesContext(connection) as queries:
        analyzed = optimize()
    sql = [q["sql"] for q in queries.captured_queries]
    assert sql[0] == f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}"
    assert analyzed == sum(s.startswith("ANALYZE ") for s in sql) > 50
    stats = _stats()
    # The work orders' indexes have their statistics: three rows.
    assert stats["desk_workorder"] and all(s.split()[1] == "3" for s in stats["desk_workorder"])
    # Within the hour: nothing, not even a statement.
    with CaptureQueriesContext(connection) as queries:
        assert optimize() == 0
    assert queries.captured_queries == []
    # The app goes on reading and writing as before.
    order = create(office, clock)
    assert WorkOrder.objects.filter(community=office.community).count() == 4
    assert WorkOrder.objects.get(pk=order.pk).number == order.number


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics")
def test_an_hour_later_it_runs_again(office, clock, first_tick, monkeypatch) -> None:
    assert optimize() > 0
    assert optimize() == 0
    an_hour_ago = time.monotonic() - housekeeping.OPTIMIZE_EVERY_SECONDS - 0.001
    monkeypatch.setattr(housekeeping, "_last_optimize", an_hour_ago)
    assert optimize() > 0


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL analyzes on its own")
def test_on_postgresql_nothing_is_done(first_tick) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert optimize() == 0
    assert queries.captured_queries == []
