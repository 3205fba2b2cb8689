from tests.conftest import Office, client_for


def test_fd6_receptionist_logs_a_repair_call_that_opens_a_numbered_work_order(
    office: Office, clock
) -> None:
    """FD-2, FD-6, DS-1: the call is logged, the order numbered and routed to the repair team's
    pool, where the leader takes it."""
    c = client_for(office.receptionist)
    r = c.post(
        "/api/contacts/",
        {
            "community": office.community.pk,
            "channel": "phone",
            "caller_name": "张伟",
            "caller_phone": "138 1234 5678",
            "room_text": "3-2-1502",
            "intent": "repair",
            "content": "厨房水龙头漏水",
            "outcome": "work_order",
            "work_orders": [{"kind": "repair", "description": "厨房水龙头漏水"}],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["household"]["code"] == "3-2-1502"
    number = body["work_orders"][0]["number"]
    assert number == "GD-20261126-0001"
    order_id = body["work_orders"][0]["id"]
    d = c.get(f"/api/work-orders/{order_id}/").json()
    assert d["team"]["name"] == "维修班"
    # Straight to the repair team's pool (DS-1): nobody has it until someone takes it.
    assert (d["state"], d["assignee"]) == ("dispatched", None)
    assert [e["action"] for e in d["events"]] == ["create"]
    r = client_for(office.repair_leader).post(
        f"/api/work-orders/{order_id}/claim/", {"version": 1}, format="json"
    )
    assert r.status_code == 200, r.json()
    assert r.json()["state"] == "accepted"
    assert r.json()["assignee"]["username"] == office.repair_leader.username
