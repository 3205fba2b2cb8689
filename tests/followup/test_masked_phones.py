"""Follow-up's phones are owners': the RV-6 call list and the return visits' numbers called are
read whole by the roles that call owners (front desk, administrators, office head) and masked
(138****1234) for the other readers of follow-up (team leaders, company leadership), through
community.access.phone_as_seen."""

from __future__ import annotations

from tests import factories as f
from tests.conftest import client_for
from tests.followup.conftest import sh

T0 = sh(2026, 11, 26, 10, 0)
PHONE = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py)
MASKED = "138****5678"


def test_the_call_list_and_return_visits_mask_the_phone_for_team_leaders_and_leadership(
    loop, office
) -> None:
    order = loop.at(T0).resolved("repair")
    cid = office.community.pk
    r = client_for(office.receptionist).post(
        "/api/return-visits/",
        {
            "community": cid,
            "kind": "order",
            "order": order.pk,
            "phone": PHONE,
            "level": "satisfied",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    loop.at(T0).resolved("repair")  # another, still on today's call list
    boss = f.UserFactory(username="rv-boss", company=office.community.company, is_leadership=True)
    for user, phone in (
        (office.receptionist, PHONE),
        (office.head, PHONE),
        (office.repair_leader, MASKED),
        (boss, MASKED),
    ):
        c = client_for(user)
        calls = c.get("/api/return-visits/call-list/", {"community": cid})
        assert calls.status_code == 200, user.username
        assert [row["phone"] for row in calls.json()] == [phone], user.username
        visits = c.get("/api/return-visits/", {"community": cid, "month": "2026-11"})
        assert visits.status_code == 200, user.username
        assert [v["phone"] for v in visits.json()["results"]] == [phone], user.username
