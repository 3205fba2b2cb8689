"""Issue 16 through the API: POST /api/work-orders/{id}/wait/ (waiting + note) and /end-wait/;
the order says what it waits for, its clocks say they are paused (DS-1, WT-3); bad input is a
structured 400 and changes nothing."""

from __future__ import annotations

from tests.conftest import client_for


def test_DS_1_WT_3_wait_for_parts_and_end_it_through_the_api(office, clock) -> None:
    c = client_for(office.receptionist)
    r = c.post(
        "/api/work-orders/",
        {
            "community": office.community.pk,
            "kind": "repair",
            "description": "楼道灯不亮",
            "household": office.household.pk,
        },
        format="json",
    )
    order = r.json()
    member = client_for(office.repair_member)
    assert member.post(f"/api/work-orders/{order['id']}/claim/", {"version": 1}).status_code == 200

    bad = member.post(
        f"/api/work-orders/{order['id']}/wait/",
        {"version": 2, "waiting": "holiday", "note": "等配件"},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "validation_error"
    assert "waiting" in bad.json()["error"]["fields"]
    missing = member.post(f"/api/work-orders/{order['id']}/wait/", {"version": 2}, format="json")
    assert missing.status_code == 400
    assert {"waiting", "note"} <= set(missing.json()["error"]["fields"])

    r = member.post(
        f"/api/work-orders/{order['id']}/wait/",
        {"version": 2, "waiting": "parts", "note": "等配件"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    detail = r.json()
    assert (detail["waiting"], detail["waiting_since"] is not None) == ("parts", True)
    clocks = {k["rule_id"]: k for k in detail["clocks"]}
    assert clocks["DS-1"]["paused_at"] is not None
    assert clocks["WT-3"]["paused_at"] is None
    assert "end_wait" in detail["actions"] and "wait" not in detail["actions"]
    again = member.post(
        f"/api/work-orders/{order['id']}/wait/",
        {"version": 3, "waiting": "parts", "note": "x"},
        format="json",
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_waiting")

    clock.advance(minutes=90)
    r = member.post(f"/api/work-orders/{order['id']}/end-wait/", {"version": 3}, format="json")
    assert r.status_code == 200, r.json()
    after = r.json()
    assert (after["waiting"], after["waiting_since"]) == ("", None)
    ds1 = {k["rule_id"]: k for k in after["clocks"]}["DS-1"]
    assert (ds1["paused_at"], ds1["paused_seconds"]) == (None, 90 * 60)
    assert [e["action"] for e in after["events"]][-2:] == ["wait", "end_wait"]
