"""EM-1..3 through the JSON API: the complaint steps (答复 reply, 跟踪回访 follow-up, 每周跟进
contact-owner) on an emergency's order answer a structured 409
(``not_for_emergency``, the reason in Chinese), change nothing, and are not listed in the order's
``actions``; the emergency's own steps still go through."""

from __future__ import annotations

import pytest

from propdesk.desk.models import WorkOrder
from tests.conftest import client_for
from tests.desk.test_emergency_not_complaint import REFUSED_WORDS, fire, handled, snapshot

BODIES = {
    "reply": {"channel": "phone", "note": "已电话告知业主"},
    "contact-owner": {"channel": "phone", "note": "本周进展"},
    "follow-up": {"note": "业主满意"},
}


def url(order: WorkOrder, name: str) -> str:
    return f"/api/work-orders/{order.pk}/{name}/"


@pytest.mark.parametrize("resolved", [False, True], ids=["open", "handled"])
def test_em1_complaint_steps_on_an_emergency_are_structured_refusals(
    office, clock, resolved
) -> None:
    emergency = fire(office, clock)
    order = handled(office, clock, emergency) if resolved else emergency.order
    before = snapshot(order)
    c = client_for(office.head)
    actions = c.get(f"/api/work-orders/{order.pk}/").json()["actions"]
    assert not {"reply", "follow_up", "contact_owner"} & set(actions)
    for name, body in BODIES.items():
        r = c.post(url(order, name), {"version": order.version, **body}, format="json")
        assert r.status_code == 409, (name, r.json())
        error = r.json()["error"]
        assert error["code"] == "not_for_emergency", name
        assert REFUSED_WORDS in error["message"]
    assert snapshot(order) == before
    if resolved:
        r = c.post(url(order, "close"), {"version": order.version}, format="json")
        assert (r.status_code, r.json()["state"]) == (200, "closed")
