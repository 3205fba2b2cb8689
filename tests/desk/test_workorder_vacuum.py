"""Scale (issue 15): on PostgreSQL the work orders' table is vacuumed after every thousand
changes, so the board's count of the open orders reads the index alone (desk 0029; by default,
after a fifth of the table: at 1,000,000 orders, about never)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's autovacuum; SQLite has none"
)


@pytest.mark.django_db
def test_autovacuum_visits_the_work_orders_after_a_thousand_changes() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'desk_workorder'")
        (options,) = cursor.fetchone()
    assert sorted(options or []) == [
        "autovacuum_vacuum_insert_scale_factor=0",
        "autovacuum_vacuum_insert_threshold=1000",
        "autovacuum_vacuum_scale_factor=0",
        "autovacuum_vacuum_threshold=1000",
    ]
