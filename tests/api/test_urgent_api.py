"""Issue 16, 急修 marked after intake, through the API and the order page:
POST /api/work-orders/{id}/mark-urgent/ and /unmark-urgent/ (the one door of the actions), the
order page's 标为急修 / 取消急修 with its timeline line; who may (the office, the leader of the
order's own team), who is refused (403, the page does not offer it), another community's order
(404); structured errors that change nothing; DS-1-arrival started and cancelled."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from propdesk.clocks.models import Clock
from propdesk.desk.models import WorkOrder
from tests.conftest import client_for
from tests.desk.test_work_orders import repair
from tests.web.conftest import act

SH = ZoneInfo("Asia/Shanghai")
ARRIVAL_30 = {
    "clocks": {"DS-1-arrival": {"enabled": True, "duration": {"kind": "minutes", "value": 30}}}
}


def url(order: WorkOrder, name: str) -> str:
    return f"/api/work-orders/{order.pk}/{name}/"


def unchanged(order: WorkOrder, urgent: bool = False) -> None:
    before = order.version
    order.refresh_from_db()
    assert (order.version, order.is_urgent) == (before, urgent)
    assert not order.events.filter(action__in=["mark_urgent", "unmark_urgent"]).exists()


@pytest.fixture
def arrival_on(office) -> None:
    office.community.policy = ARRIVAL_30
    office.community.save()


@pytest.mark.parametrize("who", ["receptionist", "administrator", "head", "repair_leader"])
def test_ds1_arrival_marked_and_unmarked_through_the_api(office, clock, arrival_on, who) -> None:
    order = repair(office, clock)
    c = client_for(getattr(office, who))
    assert "mark_urgent" in c.get(f"/api/work-orders/{order.pk}/").json()["actions"]
    clock.advance(minutes=20)
    r = c.post(
        url(order, "mark-urgent"), {"version": 1, "note": "业主回电：漏水加剧"}, format="json"
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["is_urgent"] is True
    assert "unmark_urgent" in body["actions"] and "mark_urgent" not in body["actions"]
    assert body["events"][-1]["action"] == "mark_urgent"
    arrival = {k["rule_id"]: k for k in body["clocks"]}["DS-1-arrival"]
    assert arrival["due_at"] == "2026-11-26T10:50:00+08:00"

    missing = c.post(url(order, "unmark-urgent"), {"version": 2}, format="json")
    assert missing.status_code == 400
    assert list(missing.json()["error"]["fields"]) == ["note"]
    r = c.post(url(order, "unmark-urgent"), {"version": 2, "note": "误标"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["is_urgent"] is False
    clock_row = Clock.objects.get(order=order, rule_id="DS-1-arrival")
    assert (clock_row.state, clock_row.cancel_reason) == ("cancelled", "unmark_urgent")


def test_nothing_to_change_and_a_non_repair_are_structured_refusals(office, clock) -> None:
    c = client_for(office.administrator)
    urgent = repair(office, clock, is_urgent=True)
    r = c.post(url(urgent, "mark-urgent"), {"version": 1}, format="json")
    assert r.status_code == 409
    assert r.json()["error"] == {"code": "already_urgent", "message": "无需修改：工单已是急修。"}
    unchanged(urgent, urgent=True)
    plain = repair(office, clock)
    r = c.post(url(plain, "unmark-urgent"), {"version": 1, "note": "误标"}, format="json")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_urgent")
    unchanged(plain)
    cleaning = repair(office, clock, kind="housekeeping", description="开荒保洁")
    r = c.post(url(cleaning, "mark-urgent"), {"version": 1}, format="json")
    assert r.status_code == 403
    assert r.json()["error"] == {"code": "not_for_kind", "message": "只有报修可以标为急修。"}
    unchanged(cleaning)
    assert "mark_urgent" not in c.get(f"/api/work-orders/{cleaning.pk}/").json()["actions"]
    extra = c.post(url(plain, "mark-urgent"), {"version": 1, "urgent": True}, format="json")
    assert extra.status_code == 400 and list(extra.json()["error"]["fields"]) == ["urgent"]
    unchanged(plain)


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("repair_member", 403, "role_not_allowed"),
        ("leadership", 403, "role_not_allowed"),
        # They do not see another team's order, nor the desk's: not found, as for any hidden one.
        ("cleaning_leader", 404, "not_found"),
        ("concierge", 404, "not_found"),
    ],
)
def test_roles_that_may_not_mark_are_refused_and_not_offered(
    office, clock, who, status, code
) -> None:
    from tests import factories as f

    users = {
        "concierge": lambda: f.UserFactory(
            username="a-concierge", roles=[(office.community, "concierge")]
        ),
        "leadership": lambda: f.UserFactory(
            username="boss", company=office.community.company, is_leadership=True
        ),
    }
    user = users[who]() if who in users else getattr(office, who)
    order = repair(office, clock)
    # The door exists and answers the office (a stale version: nothing changes either).
    stale = client_for(office.head).post(url(order, "mark-urgent"), {"version": 9}, format="json")
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "stale")
    c = client_for(user)
    r = c.post(url(order, "mark-urgent"), {"version": 1}, format="json")
    assert (r.status_code, r.json()["error"]["code"]) == (status, code)
    unchanged(order)
    detail = c.get(f"/api/work-orders/{order.pk}/")
    if detail.status_code == 200:
        assert "mark_urgent" not in detail.json()["actions"]
    page = Client()
    page.force_login(user)
    html = page.get(f"/desk/orders/{order.pk}/").content.decode()
    assert 'id="action-mark_urgent"' not in html


def test_another_communitys_order_is_not_found(office, other_office, clock) -> None:
    theirs = repair(other_office, clock)
    mine = repair(office, clock)
    for user in (office.head, office.repair_leader):
        r = client_for(user).post(url(mine, "mark-urgent"), {"version": 9}, format="json")
        assert (r.status_code, r.json()["error"]["code"]) == (409, "stale")
        r = client_for(user).post(url(theirs, "mark-urgent"), {"version": 1}, format="json")
        assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    unchanged(theirs)


# --- the order page -------------------------------------------------------------------------------


def test_the_order_page_marks_and_unmarks_with_its_timeline_lines(
    office, clock, arrival_on
) -> None:
    order = repair(office, clock)
    page = Client()
    page.force_login(office.repair_leader)
    where = f"/desk/orders/{order.pk}/"
    html = page.get(where).content.decode()
    bar = html[html.index('id="actions"') :]
    assert "action-unmark_urgent" not in bar
    tap = bar[bar.index('id="action-mark_urgent"') : bar.index("</form>", bar.index("mark_urgent"))]
    assert "标为急修" in tap and "<textarea" not in tap
    clock.advance(minutes=20)
    done = page.post(where, {"form": "action", "action": "mark_urgent", "version": 1})
    assert done.status_code == 302
    html = page.get(where).content.decode()
    assert re.search(r"<strong>标为急修</strong>\s*·\s*[^<]*", html)
    assert 'id="urgent"' in html and "action-mark_urgent" not in html
    assert "急修限时到场" in html  # the arrival clock's chip
    # 取消急修 asks why; without it the form comes back with the error, nothing changed.
    failed = page.post(where, {"form": "action", "action": "unmark_urgent", "version": 2})
    assert failed.status_code == 400
    assert 'id="action-unmark_urgent" open' in failed.content.decode()
    order.refresh_from_db()
    assert (order.version, order.is_urgent) == (2, True)
    done = page.post(
        where, {"form": "action", "action": "unmark_urgent", "version": 2, "note": "误标"}
    )
    assert done.status_code == 302
    html = page.get(where).content.decode()
    assert "<strong>取消急修</strong>" in html and "误标" in html and 'id="urgent"' not in html
    order.refresh_from_db()
    assert order.is_urgent is False
    assert Clock.objects.get(order=order, rule_id="DS-1-arrival").cancelled_at == datetime(
        2026, 11, 26, 10, 20, tzinfo=SH
    )


def test_the_leader_marks_it_from_the_phone_job_page_a_member_is_not_offered_it(
    office, clock, arrival_on
) -> None:
    """Team leaders work on the phone (DESIGN.md): the job page offers 标为急修 to the leader of
    the order's team, and 取消急修 once marked; the member who has the order is offered neither."""
    order = repair(office, clock)
    phone = Client()
    phone.force_login(office.repair_leader)
    where = f"/desk/jobs/{order.pk}/"
    assert 'id="action-mark_urgent"' in phone.get(where).content.decode()
    done = phone.post(where, {"form": "action", "action": "mark_urgent", "version": 1})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.is_urgent is True
    html = phone.get(where).content.decode()
    assert 'id="action-unmark_urgent"' in html and 'id="action-mark_urgent"' not in html
    assert '<span class="tag em" id="order-urgent">急修</span>' in html  # what the worker sees
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    member = Client()
    member.force_login(office.repair_member)
    html = member.get(where).content.decode()
    assert 'id="action-accept"' in html  # the member's own step is offered …
    assert "action-mark_urgent" not in html and "action-unmark_urgent" not in html  # … not these
