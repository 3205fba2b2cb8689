"""The assignee of an order calls its owner ahead (to say they are on their way, to arrange a time):
while the order is theirs and not yet completed (accepted or on site, waiting included:
community.access.may_call_order_owner), they read the reporter's whole phone on that order's own
pages (the console's order page, the phone job page, with a tap-to-call link) and in the API's
detail of it. Everywhere else they read it masked (138****1234), as the rest of the team does:
before they accept, after completion, after it is given to someone else, on lists, queues, the
printed form, notifications; and a phone search still finds nothing for them."""

from __future__ import annotations

from propdesk.community.models import TeamMember, User
from propdesk.desk.models import WorkOrder
from propdesk.notify.models import Notification
from tests import factories as f
from tests.access.test_masked_phones import REPORTER_MASKED, REPORTER_PHONE, web_for
from tests.access.test_masked_phones import _order as reported_repair
from tests.conftest import Office, client_for
from tests.pdfs import pdf_text
from tests.web.conftest import act

TEL = f'href="tel:{REPORTER_PHONE}"'


def _order(office: Office) -> WorkOrder:
    """A repair reported by phone, routed to the repair team's pool."""
    order = WorkOrder.objects.get(pk=reported_repair(office))
    assert order.team == office.repair
    return order


def _second_member(office: Office) -> User:
    other = f.UserFactory(username="a-repair-member-2", roles=[(office.community, "team_member")])
    TeamMember.objects.create(team=office.repair, user=other)
    return other


def _seen(user: User, order: WorkOrder) -> dict[str, str]:
    """The order's own pages and API detail as ``user`` reads them."""
    pages = {
        "order page": web_for(user).get(f"/desk/orders/{order.pk}/"),
        "job page": web_for(user).get(f"/desk/jobs/{order.pk}/"),
        "api detail": client_for(user).get(f"/api/work-orders/{order.pk}/"),
    }
    for where, r in pages.items():
        assert r.status_code == 200, (user.username, where, r.status_code)
    return {where: r.content.decode() for where, r in pages.items()}


def _whole(user: User, order: WorkOrder) -> None:
    seen = _seen(user, order)
    for where in ("order page", "job page"):
        assert TEL in seen[where] and REPORTER_MASKED not in seen[where], (user.username, where)
    assert "报事人：张伟" in seen["job page"]  # the line says whose number it is
    body = client_for(user).get(f"/api/work-orders/{order.pk}/").json()
    assert (body["reporter_phone"], body["reporter_phone_masked"]) == (REPORTER_PHONE, False)
    assert body["reporter_phone_display"] and REPORTER_MASKED not in body["reporter_phone_display"]


def _masked(user: User, order: WorkOrder) -> None:
    for where, text in _seen(user, order).items():
        assert REPORTER_MASKED in text, (user.username, where)
        assert REPORTER_PHONE not in text and "tel:" + REPORTER_PHONE[:3] not in text, (
            user.username,
            where,
        )
    body = client_for(user).get(f"/api/work-orders/{order.pk}/").json()
    assert (body["reporter_phone"], body["reporter_phone_masked"]) == (REPORTER_MASKED, True)


def test_the_assignee_reads_the_whole_number_while_doing_the_order(office, clock) -> None:
    order = _order(office)
    member, other = office.repair_member, _second_member(office)
    act(order, "assign", office.repair_leader, clock, assignee=member)
    # Given to them, not yet accepted: masked (they may still give it back or on).
    _masked(member, order)
    act(order, "accept", member, clock)
    _whole(member, order)
    # The rest of the team, its leader included, reads it masked on the same order.
    _masked(other, order)
    _masked(office.repair_leader, order)
    # Waiting for the owner (业主不在家) is when the call matters most: the state stays.
    act(order, "wait", member, clock, waiting="owner_absent", note="敲门无人")
    _whole(member, order)
    act(order, "end_wait", member, clock)
    act(order, "check_in", member, clock)
    _whole(member, order)
    # The answer of the completing action already reads it masked.
    order.refresh_from_db()
    r = client_for(member).post(
        f"/api/work-orders/{order.pk}/resolve/",
        {"version": order.version, "note": "更换灯泡"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert (r.json()["reporter_phone"], r.json()["reporter_phone_masked"]) == (
        REPORTER_MASKED,
        True,
    )
    # Completed: the call back is the front desk's (the return visit); masked again.
    _masked(member, order)


def test_given_to_someone_else_the_number_goes_with_the_order(office, clock) -> None:
    order = _order(office)
    member, other = office.repair_member, _second_member(office)
    act(order, "assign", office.repair_leader, clock, assignee=member)
    act(order, "accept", member, clock)
    _whole(member, order)
    act(order, "transfer", member, clock, assignee=other, note="明天休息")
    _masked(member, order)
    _masked(other, order)  # theirs now, until they accept it
    act(order, "accept", other, clock)
    _whole(other, order)
    _masked(member, order)


def test_the_assignee_reads_it_masked_everywhere_but_the_orders_own_page(office, clock) -> None:
    order = _order(office)
    member = office.repair_member
    act(order, "assign", office.repair_leader, clock, assignee=member)
    act(order, "accept", member, clock)
    _whole(member, order)
    cid = office.community.pk
    web, api = web_for(member), client_for(member)
    # Lists and queues: the phone view's list, the queue, the API's list.
    for path in (f"/desk/{cid}/jobs/", f"/desk/{cid}/queue/", f"/desk/{cid}/orders/?q=灯"):
        r = web.get(path)
        assert r.status_code == 200, path
        assert order.number in r.content.decode(), path
        assert REPORTER_PHONE not in r.content.decode(), path
    r = api.get("/api/work-orders/", {"community": cid})
    assert r.status_code == 200 and order.number in r.content.decode()
    assert REPORTER_PHONE not in r.content.decode()
    # The printed form and its PDF: paper lies about; masked even for the assignee.
    for r in (
        web.get(f"/desk/orders/{order.pk}/print/"),
        api.get(f"/api/work-orders/{order.pk}/pdf/"),
    ):
        assert r.status_code == 200
        text = pdf_text(r.content)
        assert REPORTER_MASKED in text and REPORTER_PHONE not in text
    # Their notifications (the order given to them) name no number.
    told = Notification.objects.filter(recipient=member)
    assert REPORTER_PHONE not in " ".join(str(v) for n in told.values() for v in n.values())
    # Another order of theirs not yet accepted: masked.
    later = _order(office)
    act(later, "assign", office.repair_leader, clock, assignee=member)
    _masked(member, later)


def test_a_phone_search_still_finds_nothing_for_the_assignee(office, clock) -> None:
    """A search that answered for a number would tell whether it is someone's, digit by digit:
    it stays the office's (community.access.owner_phone_community_ids), even for the one who may
    call this order's reporter from this order's page."""
    order = _order(office)
    member = office.repair_member
    act(order, "assign", office.repair_leader, clock, assignee=member)
    act(order, "accept", member, clock)
    _whole(member, order)
    cid = office.community.pk
    resident = "13812345678"  # the household's owner: the office finds the order by it
    r = client_for(office.receptionist).get("/api/work-orders/", {"community": cid, "q": resident})
    assert [o["number"] for o in r.json()["results"]] == [order.number]
    for q in (REPORTER_PHONE, REPORTER_PHONE[:7], resident, resident[:7]):
        for by in ("", "household"):
            r = web_for(member).get(f"/desk/{cid}/orders/", {"q": q, "by": by})
            assert r.status_code == 200 and order.number not in r.content.decode(), (q, by)
            r = client_for(member).get("/api/work-orders/", {"community": cid, "q": q, "q_by": by})
            assert r.status_code == 200 and r.json()["results"] == [], (q, by)


def test_the_office_reads_it_whole_and_leadership_masked_as_before(office, clock) -> None:
    order = _order(office)
    boss = f.UserFactory(username="boss", company=office.community.company, is_leadership=True)
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    for state in ("dispatched", "accepted", "resolved"):
        if state == "accepted":
            act(order, "accept", office.repair_member, clock)
        if state == "resolved":
            act(order, "resolve", office.repair_member, clock, note="更换灯泡")
        order.refresh_from_db()
        assert order.state == state
        for user in (office.receptionist, office.administrator, office.head):
            r = web_for(user).get(f"/desk/orders/{order.pk}/")
            assert TEL in r.content.decode(), (user.username, state)
            body = client_for(user).get(f"/api/work-orders/{order.pk}/").json()
            assert (body["reporter_phone"], body["reporter_phone_masked"]) == (
                REPORTER_PHONE,
                False,
            ), (user.username, state)
        body = client_for(boss).get(f"/api/work-orders/{order.pk}/").json()
        assert (body["reporter_phone"], body["reporter_phone_masked"]) == (REPORTER_MASKED, True)
        page = web_for(boss).get(f"/desk/orders/{order.pk}/").content.decode()
        assert REPORTER_MASKED in page and REPORTER_PHONE not in page


def test_the_decision_costs_no_query(office, clock, django_assert_num_queries) -> None:
    """The order in hand names its assignee and state; the user's roles are read once a request."""
    from propdesk.community.access import may_call_order_owner, user_roles

    order = _order(office)
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    act(order, "accept", office.repair_member, clock)
    order.refresh_from_db()
    member = User.objects.get(pk=office.repair_member.pk)
    leader = User.objects.get(pk=office.repair_leader.pk)
    for user in (member, leader):
        user_roles(user, order.community_id)  # as the request has read them
    with django_assert_num_queries(0):
        assert may_call_order_owner(member, order) is True
        assert may_call_order_owner(leader, order) is False
