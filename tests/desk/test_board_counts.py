"""Scale (issue 15): the board counts its open orders and the overdue among them in one read of
the open orders, each looked up in the overdue list read once, not in two statements (the
overdue counted apart read each overdue clock's order again by its key: at 1,000,000 orders
2,444 lookups, as many buffers as counting all 41,479 open orders); a board narrowed by kind,
team, state or building the same. On PostgreSQL the open orders' ids come from the index alone
(``wo_comm_state_time``). The counts themselves are held to the access module's rule by
tests/desk/test_console_reads_scoped.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from propdesk.desk.queues import OPEN, BoardFilters, board
from propdesk.desk.selectors import work_orders_visible
from tests.desk.test_console_reads_scoped import _fresh, desk_day  # noqa: F401 - a fixture


def _board(user, community_id, clock, filters):  # type: ignore[no-untyped-def]
    board(user, community_id, now=clock.now(), filters=filters)  # roles cached
    with CaptureQueriesContext(connection) as q:
        got = board(user, community_id, now=clock.now(), filters=filters)
    return got, [s["sql"] for s in q.captured_queries]


@pytest.mark.usefixtures("desk_day")
def test_the_board_counts_open_and_overdue_in_one_statement(office, clock) -> None:
    admin = _fresh(office.administrator)
    got, sql = _board(admin, office.community.pk, clock, BoardFilters())
    assert (got.total, got.overdue) == (14, 3)
    counts = [s for s in sql if "COUNT(" in s]
    assert len(counts) == 1
    assert " FILTER (WHERE " in counts[0]


@pytest.mark.usefixtures("desk_day")
def test_a_narrowed_board_counts_open_and_overdue_in_one_statement(office, clock) -> None:
    admin = _fresh(office.administrator)
    got, sql = _board(admin, office.community.pk, clock, BoardFilters(kind="complaint"))
    assert (got.total, got.overdue) == (5, 3)
    counts = [s for s in sql if "COUNT(" in s]
    assert len(counts) == 1
    assert " FILTER (WHERE " in counts[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index-only scans")
@pytest.mark.usefixtures("desk_day")
def test_the_open_orders_ids_are_read_from_the_index_alone(office) -> None:
    """Without the id in the (community, state, …) index, the count of open and overdue orders
    read every open order's row for its id (at 1,000,000: 17,601 heap blocks, 127 ms)."""
    admin = _fresh(office.administrator)
    qs = work_orders_visible(admin).filter(community_id=office.community.pk, state__in=OPEN)
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # The test's few rows: the planner would read the table, or whichever index its guesses
        # of a few rows favour (a full suite's run took wo_comm_kind_resolved; with desk 0031,
        # wo_comm_reporter); what matters is that it can answer from the index alone, so only
        # index scans are left to it (enable_indexscan = off weighs index-only scans alike), on
        # a table whose pages are all visible, as autovacuum keeps it (desk 0029): an index-only
        # scan then reads no row, cheaper than any index scan that must. Rolled back with the
        # test's transaction.
        cursor.execute(
            "UPDATE pg_class SET relpages = GREATEST(relpages, 1), relallvisible = 1000000 "
            "WHERE oid = 'desk_workorder'::regclass"
        )
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using wo_comm_state_time" in plan, plan
