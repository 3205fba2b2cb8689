"""Inserts that ride with the transaction's next write (PostgreSQL, ``propdesk.core.postgresql``;
``core.bulk.insert_many(…, defer=True)``): no round trip of their own, and the same rows, at the
same point of the transaction's fate, as if they had been sent at once. A read of their table,
a savepoint and the commit send them first; a rollback, of the whole or to a savepoint, drops
them with the rest; outside a transaction, and on SQLite, they are sent at once. Real
transactions (a transactional test), the statements as sent (Django's query log)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from propdesk.core.bulk import insert_many
from propdesk.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)
postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's round trips"
)

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
FIELDS = ("name", "last_tick", "ticks")
TABLE = '"core_workerheartbeat"'


def log(*names: str, defer: bool = True) -> int:
    return insert_many(WorkerHeartbeat, FIELDS, [(n, AT, 1) for n in names], defer=defer)


def names() -> set[str]:
    return set(WorkerHeartbeat.objects.values_list("name", flat=True))


def a_write() -> None:
    """A write to another table, as the create's next statement is."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE django_session SET expire_date = expire_date WHERE session_key = %s", ["x"]
        )


def sent(queries: CaptureQueriesContext) -> list[str]:
    """The statements as sent (an executemany's "N times: " prefix taken off)."""
    return [q["sql"].split(" times: ", 1)[-1] for q in queries.captured_queries]


@postgresql
def test_the_rows_ride_with_the_next_write_and_are_there_after_the_commit() -> None:
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        assert log("a", "b", "c") == 3
        assert sent(queries) == ["BEGIN"]  # no round trip of their own
        a_write()
    begin, carrier, commit = sent(queries)  # the write carrying them, and the commit
    assert carrier.startswith(f"WITH _pd0 AS (INSERT INTO {TABLE} ")
    assert carrier.endswith(
        "UPDATE django_session SET expire_date = expire_date WHERE session_key = 'x'"
    )
    assert (begin, commit) == ("BEGIN", "COMMIT")
    assert names() == {"a", "b", "c"}
    assert connection.deferred_inserts == []


@postgresql
def test_two_deferred_inserts_ride_together_and_the_commit_sends_what_is_left() -> None:
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        log("a")
        log("b", "c")
    # Nothing carried them: the commit sends both in one statement before it.
    begin, both, commit = sent(queries)
    assert both.startswith(f"WITH _pd0 AS (INSERT INTO {TABLE} ")
    assert both.count("INSERT INTO") == 2
    assert (begin, commit) == ("BEGIN", "COMMIT")
    assert names() == {"a", "b", "c"}


@postgresql
def test_a_read_of_their_table_sees_them() -> None:
    with transaction.atomic():
        log("a", "b")
        with CaptureQueriesContext(connection) as queries:
            assert WorkerHeartbeat.objects.filter(name__in=["a", "b"]).count() == 2
    sql = sent(queries)
    assert sql[0].startswith(f"INSERT INTO {TABLE} ")  # sent first, on its own
    assert sql[1].startswith("SELECT COUNT(*)")


@postgresql
def test_a_read_of_another_table_does_not_carry_them() -> None:
    with transaction.atomic():
        log("a")
        with CaptureQueriesContext(connection) as queries:
            list(WorkerHeartbeat.objects.none())  # no statement
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM django_session WHERE session_key = %s", ["x"])
    sql = sent(queries)
    assert sql[0].startswith(f"INSERT INTO {TABLE} ")
    assert sql[1].startswith("SELECT 1 FROM django_session")
    assert names() == {"a"}


@postgresql
def test_a_rollback_drops_them_and_the_next_transaction_does_not_carry_them() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        log("lost")
        a_write()  # carried, then rolled back with it
        log("never sent")
        raise RuntimeError
    assert connection.deferred_inserts == []
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        a_write()
    assert "core_workerheartbeat" not in sent(queries)[0]
    assert names() == set()


@postgresql
def test_a_savepoint_rolled_back_drops_only_what_came_after_it() -> None:
    with transaction.atomic():
        log("outer")
        with pytest.raises(RuntimeError), transaction.atomic():  # SAVEPOINT: "outer" sent
            log("inner")
            raise RuntimeError
        log("after")
    assert names() == {"outer", "after"}


@postgresql
def test_an_error_in_a_carried_insert_rolls_back_the_whole_transaction() -> None:
    log("taken", defer=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        log("fresh")
        log("taken")  # the name is unique
        a_write()  # carries both: the statement fails
    assert names() == {"taken"}
    assert connection.deferred_inserts == []


@postgresql
def test_outside_a_transaction_they_are_sent_at_once() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert log("now") == 1
    assert sent(queries)[0].startswith(f"INSERT INTO {TABLE} ")
    assert names() == {"now"}
    assert connection.deferred_inserts == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite has no round trip to save")
def test_on_sqlite_they_are_sent_at_once() -> None:
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert log("a", "b") == 2
    assert sent(queries)[0].startswith(f"INSERT INTO {TABLE} ")
    assert names() == {"a", "b"}
