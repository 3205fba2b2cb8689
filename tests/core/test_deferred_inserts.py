"""Inserts that ride with the transaction's next write (PostgreSQL, ``propdesk.core.postgresql``;
``core.bulk.insert_many(…, defer=True)``): no round trip of their own, and the same rows, at the
same point of the transaction's fate, as if they had been sent at once. A read of their table,
a savepoint and the commit send them first; a rollback, of the whole or to a savepoint, drops
them with the rest; outside a transaction, and on SQLite, they are sent at once. Each test runs
on both databases: the rows, and the transaction's fate, are the same on each; what is sent
differs. Real transactions (a transactional test), the statements as sent (Django's query log)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.sessions.models import Session
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from propdesk.core.bulk import insert_many
from propdesk.core.models import WorkerHeartbeat
from propdesk.core.postgresql.base import DEFER_MAX_PARAMS

pytestmark = pytest.mark.django_db(transaction=True)
# Only PostgreSQL has a round trip to save: SQLite sends the rows at once.
RIDES = connection.vendor == "postgresql"

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
FIELDS = ("name", "last_tick", "ticks")
TABLE = '"core_workerheartbeat"'
SESSION = ("deferred-test", "e30", datetime(2026, 12, 4, tzinfo=UTC))


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


def waiting() -> list[object]:
    """The inserts the connection still holds (SQLite's never holds any)."""
    return list(getattr(connection, "deferred_inserts", []))


def is_insert(sql: str) -> bool:
    return sql.startswith(f"INSERT INTO {TABLE} ")


def test_the_rows_ride_with_the_next_write_and_are_there_after_the_commit() -> None:
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        assert log("a", "b", "c") == 3
        if RIDES:
            assert sent(queries) == ["BEGIN"]  # no round trip of their own
        else:
            assert is_insert(sent(queries)[-1])  # SQLite: at once
        a_write()
    if RIDES:
        begin, carrier, commit = sent(queries)  # the write carrying them, and the commit
        assert carrier.startswith(f"WITH _pd0 AS (INSERT INTO {TABLE} ")
        assert carrier.endswith(
            "UPDATE django_session SET expire_date = expire_date WHERE session_key = 'x'"
        )
        assert (begin, commit) == ("BEGIN", "COMMIT")
    else:
        assert sent(queries)[-2].startswith("UPDATE django_session")
    assert names() == {"a", "b", "c"}
    assert waiting() == []


def test_rows_for_one_table_join_one_insert_in_the_order_written() -> None:
    """Two deferred inserts into one table are one INSERT, its rows in the order they were
    made (so their ids are), riding with the COMMIT."""
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        log("a")
        log("b", "c")
    if RIDES:
        # Nothing carried them: they ride with the COMMIT, one round trip for the three rows.
        begin, rows_and_commit = sent(queries)
        assert begin == "BEGIN"
        assert is_insert(rows_and_commit)
        assert rows_and_commit.count("INSERT INTO") == 1
        assert rows_and_commit.endswith("; COMMIT")
    else:
        assert sum(is_insert(q) for q in sent(queries)) == 2  # one each, at once
    by_id = WorkerHeartbeat.objects.order_by("id").values_list("name", flat=True)
    assert list(by_id) == ["a", "b", "c"]


def test_rows_for_two_tables_ride_together() -> None:
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        log("a")
        insert_many(Session, ("session_key", "session_data", "expire_date"), [SESSION], defer=True)
        log("b")
    if RIDES:
        _begin, both_and_commit = sent(queries)
        assert both_and_commit.startswith(f"WITH _pd0 AS (INSERT INTO {TABLE} ")
        assert both_and_commit.count("INSERT INTO") == 2
        assert both_and_commit.endswith("; COMMIT")
    assert names() == {"a", "b"}
    assert Session.objects.filter(session_key=SESSION[0]).exists()


def test_more_rows_than_one_statement_should_carry_are_sent_at_once() -> None:
    many = [f"n{i}" for i in range(DEFER_MAX_PARAMS // len(FIELDS) + 1)]
    with transaction.atomic():
        log("first")
        with CaptureQueriesContext(connection) as queries:
            assert log(*many) == len(many)
        assert waiting() == []
        if RIDES:  # what waited went first, then the big one, on its own
            assert [q.count("INSERT INTO") for q in sent(queries)[:1]] == [1]
            assert "'first'" in sent(queries)[0]
    assert len(names()) == len(many) + 1


def test_a_read_of_their_table_sees_them() -> None:
    with transaction.atomic():
        log("a", "b")
        with CaptureQueriesContext(connection) as queries:
            assert WorkerHeartbeat.objects.filter(name__in=["a", "b"]).count() == 2
    sql = sent(queries)
    if RIDES:
        assert is_insert(sql[0])  # sent first, on its own
        assert sql[1].startswith("SELECT COUNT(*)")
    else:
        assert sql[0].startswith("SELECT COUNT(*)")  # already there


def test_a_read_of_another_table_does_not_carry_them() -> None:
    with transaction.atomic():
        log("a")
        with CaptureQueriesContext(connection) as queries:
            list(WorkerHeartbeat.objects.none())  # no statement
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM django_session WHERE session_key = %s", ["x"])
    sql = sent(queries)
    assert sql[-1] == "SELECT 1 FROM django_session WHERE session_key = 'x'"  # as written
    assert [is_insert(q) for q in sql[:-1]] == ([True] if RIDES else [])  # sent before it
    assert names() == {"a"}


def test_a_rollback_drops_them_and_the_next_transaction_does_not_carry_them() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        log("lost")
        a_write()  # carried, then rolled back with it
        log("never sent")
        raise RuntimeError
    assert waiting() == []
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        a_write()
    assert not any("core_workerheartbeat" in q for q in sent(queries))
    assert names() == set()


def test_a_savepoint_rolled_back_drops_only_what_came_after_it() -> None:
    with transaction.atomic():
        log("outer")
        with pytest.raises(RuntimeError), transaction.atomic():  # SAVEPOINT: "outer" sent
            log("inner")
            raise RuntimeError
        log("after")
    assert names() == {"outer", "after"}


def test_an_error_in_a_carried_insert_rolls_back_the_whole_transaction() -> None:
    log("taken", defer=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        log("fresh")
        log("taken")  # the name is unique
        a_write()  # carries both: the statement fails (on SQLite the INSERT above did)
    assert names() == {"taken"}
    assert waiting() == []


def test_outside_a_transaction_they_are_sent_at_once() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert log("now") == 1
    assert is_insert(sent(queries)[0])
    assert names() == {"now"}
    assert waiting() == []


def test_values_quoted_into_the_commit_arrive_as_given() -> None:
    """What rides with the COMMIT has its values quoted into the text (not bound): a quote, a
    semicolon, a comment mark and Chinese come back exactly as given, and nothing runs but the
    insert and the commit."""
    tricky = "O'Brien; DROP TABLE core_workerheartbeat; -- 锦绣花园 $$ \\ %s"
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        log(tricky, "plain")
    if RIDES:
        assert sent(queries)[-1].endswith("; COMMIT")
    assert names() == {tricky, "plain"}
    row = WorkerHeartbeat.objects.get(name=tricky)
    assert (row.last_tick, row.ticks) == (AT, 1)


def test_an_error_in_what_rides_with_the_commit_rolls_everything_back() -> None:
    """The insert fails inside the commit's round trip: the COMMIT does not run, the caller gets
    the error, nothing of the transaction is kept, and the connection works on."""
    log("taken", defer=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        a_write()
        log("fresh")
        log("taken")  # the name is unique: fails at the commit (on SQLite, here)
    assert names() == {"taken"}
    assert waiting() == []
    assert not connection.needs_rollback
    with transaction.atomic():
        log("next")
    assert names() == {"taken", "next"}


def test_a_value_that_cannot_be_quoted_fails_the_transaction_cleanly() -> None:
    """A NUL in a text cannot go into PostgreSQL: the commit raises Django's DataError, the
    transaction is rolled back, and the connection commits the next one (its autocommit back)."""
    if RIDES:
        with pytest.raises(DataError), transaction.atomic():
            log("kept", defer=False)
            log("bad\x00")
        assert names() == set()
    else:  # SQLite stores it, at once
        with transaction.atomic():
            log("bad\x00")
        assert names() == {"bad\x00"}
    assert connection.get_autocommit()
    with transaction.atomic():
        log("after")
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert "after" in names()


def test_execute_wrappers_see_what_rides_with_the_commit() -> None:
    """What watches the statements (``connection.execute_wrapper``, as tests/writes.py does to
    prove a refused request wrote nothing) sees the rows that rode with the COMMIT."""
    seen: list[str] = []

    def watch(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch), transaction.atomic():
        log("watched")
    inserts = [sql for sql in seen if is_insert(sql)]
    assert len(inserts) == 1
    if RIDES:  # the values quoted in, the COMMIT after
        assert "'watched'" in inserts[0] and inserts[0].endswith("; COMMIT")
