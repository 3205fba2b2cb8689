"""Events, the clock log and the calls carry no single-column index that a composite index already
leads with (bench/RESULTS.md, "Growth"): one index write less per event (two per call logged), and
the composite indexes the timeline, the live screens and the calls' lists read through are
there."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in found.values() if c["index"] and not c["primary_key"]]


@pytest.mark.parametrize(
    ("table", "dropped", "composite"),
    [
        ("desk_workorderevent", ["order_id"], ["order_id", "at"]),
        ("desk_workorderevent", ["community_id"], ["community_id", "id"]),
        ("clocks_clocklog", ["order_id"], ["order_id", "at"]),
        ("desk_contact", ["community_id"], ["community_id", "received_at"]),
        ("desk_contact", ["household_id"], ["household_id", "received_at"]),
    ],
)
def test_a_foreign_key_led_composite_index_replaces_its_own(
    table: str, dropped: list[str], composite: list[str]
) -> None:
    indexes = _indexes(table)
    assert composite in indexes
    assert dropped not in indexes
