"""FD-2 through the API: a phone system or a script logs a call with POST /api/contacts/. Its 201
is built from what was written (the call, its household, the orders it opened), not read back,
as the create's is: it must be exactly the call as GET /api/contacts/<id>/ shows it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Office, client_for


def _call(office: Office, **kw: Any) -> dict[str, Any]:
    return {
        "community": office.community.pk,
        "channel": "phone",
        "caller_phone": "13812345678",
        "caller_name": "张伟",
        "household": office.household.pk,
        "intent": "repair",
        "content": "厨房水龙头漏水",
        "outcome": "work_order",
        "work_orders": [
            {"kind": "repair", "description": "厨房水龙头漏水", "household": office.household.pk}
        ],
        **kw,
    }


@pytest.mark.parametrize(
    "extra",
    [
        {},  # a repair for the caller's own household
        {  # two orders: one for another place, one for the household
            "work_orders": [
                {"kind": "repair", "description": "楼道灯不亮", "location": "3号楼大堂"},
                {"kind": "housekeeping", "description": "保洁", "household": "own"},
            ]
        },
        {
            "household": None,
            "room_text": "",
            "outcome": "resolved",
            "resolution": "已解答",
            "work_orders": [],
        },  # a passer-by's question, answered on the phone
        {
            "outcome": "promised",
            "promised_at": "2026-11-27T15:00:00+08:00",
            "promise_reason": "需查询",
            "work_orders": [],
        },  # FD-3: a call-back promised
    ],
)
def test_fd2_a_logged_call_is_answered_as_reading_it_gives(office, clock, extra) -> None:
    body = _call(office, **extra)
    for wo in body["work_orders"]:
        if wo.get("household") == "own":
            wo["household"] = office.household.pk
    c = client_for(office.receptionist)
    r = c.post("/api/contacts/", body, format="json")
    assert r.status_code == 201, r.json()
    logged = r.json()
    assert len(logged["work_orders"]) == len(body["work_orders"])
    assert logged == c.get(f"/api/contacts/{logged['id']}/").json()


def test_fd2_a_logged_call_reads_its_household_once_and_nothing_back(office, clock) -> None:
    c = client_for(office.receptionist)
    c.post("/api/contacts/", _call(office), format="json")  # warm: the day's number row exists
    with CaptureQueriesContext(connection) as ctx:
        r = c.post("/api/contacts/", _call(office), format="json")
    assert r.status_code == 201
    sql = [q["sql"] for q in ctx.captured_queries]

    def reads(table: str) -> list[int]:
        return [i for i, s in enumerate(sql) if s.startswith("SELECT") and f'FROM "{table}"' in s]

    assert len(reads("community_household")) == 1, sql  # the call's, its order's the same
    written = next(i for i, s in enumerate(sql) if 'INSERT INTO "desk_contact"' in s)
    assert not [i for i in reads("desk_contact") + reads("desk_workorder") if i > written], sql
