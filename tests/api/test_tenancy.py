"""Tenancy: staff see and change only their communities; leadership sees its company's; a team
member sees its team's orders. Every door is tried with another community's ids."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from propdesk.community.models import Membership
from propdesk.desk.models import Contact, WorkOrder, WorkOrderEvent
from propdesk.desk.services import ContactInput, WorkOrderDraft, contact_log, work_order_create
from tests import factories as f
from tests.conftest import Office, client_for, make_office
from tests.images import PNG


@pytest.fixture
def theirs(other_office: Office, clock) -> dict:
    """Another community's order and contact, which `office` staff must never reach."""
    order = work_order_create(
        community=other_office.community,
        by=other_office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(
            kind="repair", description="他们的工单", household=other_office.household
        ),
    )
    contact = contact_log(
        community=other_office.community,
        by=other_office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="visit",
            intent="consultation",
            content="他们的来访",
            outcome="resolved",
            resolution="已答复",
        ),
    )
    return {"order": order, "contact": contact, "office": other_office}


READ_DOORS = [
    "/api/work-orders/{order}/",
    "/api/work-orders/{order}/pdf/",
    "/api/contacts/{contact}/",
    "/api/households/{household}/",
    "/api/communities/{community}/",
]


@pytest.mark.parametrize("door", READ_DOORS)
def test_another_communitys_objects_are_not_found(office, theirs, door) -> None:
    o = theirs["office"]
    url = door.format(
        order=theirs["order"].pk,
        contact=theirs["contact"].pk,
        household=o.household.pk,
        community=o.community.pk,
    )
    r = client_for(office.head).get(url)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_lists_and_searches_leave_other_communities_out(office, theirs) -> None:
    c = client_for(office.head)
    other = theirs["office"]
    assert c.get("/api/work-orders/").json()["count"] == 0
    assert c.get("/api/work-orders/", {"community": other.community.pk}).json()["count"] == 0
    assert c.get("/api/contacts/").json()["count"] == 0
    households = c.get("/api/households/", {"q": "3-2-1502"}).json()["results"]
    assert [h["id"] for h in households] == [office.household.pk]
    assert [x["id"] for x in c.get("/api/communities/").json()["results"]] == [office.community.pk]
    assert {t["community"] for t in c.get("/api/teams/").json()["results"]} == {office.community.pk}
    phones = {r["phone"] for r in c.get("/api/residents/", {"phone": "138"}).json()["results"]}
    assert phones == {"13812345678"}
    assert len(c.get("/api/residents/", {"phone": "138"}).json()["results"]) == 1


@pytest.mark.parametrize(
    "action", ["dispatch", "assign", "claim", "transfer", "cancel", "accept", "resolve"]
)
def test_another_communitys_order_cannot_be_changed(office, theirs, action) -> None:
    order = theirs["order"]  # waiting in their repair team's pool
    r = client_for(office.head).post(
        f"/api/work-orders/{order.pk}/{action}/", {"version": 1, "note": "越权"}, format="json"
    )
    assert r.status_code == 404
    order.refresh_from_db()
    assert (order.state, order.version, order.assignee) == ("dispatched", 1, None)
    assert WorkOrderEvent.objects.filter(order=order).count() == 1


def test_nothing_can_be_attached_to_another_communitys_order(office, theirs) -> None:
    photo = io.BytesIO(PNG)
    photo.name = "x.png"
    r = client_for(office.head).post(
        f"/api/work-orders/{theirs['order'].pk}/attachments/", {"file": photo}, format="multipart"
    )
    assert r.status_code == 404
    assert theirs["order"].attachments.count() == 0


def test_nothing_can_be_created_in_another_community(office, theirs) -> None:
    other = theirs["office"]
    c = client_for(office.receptionist)
    r = c.post(
        "/api/work-orders/",
        {"community": other.community.pk, "kind": "repair", "description": "x", "location": "大堂"},
        format="json",
    )
    assert r.status_code == 404
    r = c.post(
        "/api/contacts/",
        {
            "community": other.community.pk,
            "channel": "visit",
            "intent": "other",
            "content": "x",
            "outcome": "resolved",
            "resolution": "y",
        },
        format="json",
    )
    assert r.status_code == 404
    # Nor in my community with their household or their staff.
    r = c.post(
        "/api/work-orders/",
        {
            "community": office.community.pk,
            "kind": "repair",
            "description": "x",
            "household": other.household.pk,
        },
        format="json",
    )
    assert r.status_code == 400 and "household" in r.json()["error"]["fields"]
    assert (WorkOrder.objects.count(), Contact.objects.count()) == (1, 1)


def test_an_order_cannot_be_dispatched_to_another_communitys_team_or_staff(office, theirs, clock):
    mine = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="x", household=office.household),
    )
    other = theirs["office"]
    c = client_for(office.receptionist)
    r = c.post(
        f"/api/work-orders/{mine.pk}/dispatch/",
        {"version": 1, "team": other.repair.pk},
        format="json",
    )
    assert r.status_code == 400 and "team" in r.json()["error"]["fields"]
    r = c.post(
        f"/api/work-orders/{mine.pk}/dispatch/",
        {"version": 1, "assignee": other.repair_leader.pk},
        format="json",
    )
    assert r.status_code == 400 and "assignee" in r.json()["error"]["fields"]
    mine.refresh_from_db()
    assert (mine.state, mine.version, mine.team, mine.assignee) == (
        "dispatched",
        1,
        office.repair,
        None,
    )


def test_leadership_sees_every_community_of_its_company_only(office, theirs, company) -> None:
    boss = f.UserFactory(company=company, is_leadership=True)
    stranger = make_office(f.CommunityFactory(name="别家小区"), "z")  # another company
    c = client_for(boss)
    ids = {x["id"] for x in c.get("/api/communities/").json()["results"]}
    assert ids == {office.community.pk, theirs["office"].community.pk}
    assert stranger.community.pk not in ids
    assert c.get("/api/work-orders/").json()["count"] == 1
    assert c.get(f"/api/work-orders/{theirs['order'].pk}/").json()["actions"] == []
    assert c.get("/api/contacts/").json()["count"] == 1


def test_a_team_member_sees_only_the_teams_orders(office, clock) -> None:
    def order(kind: str) -> WorkOrder:
        return work_order_create(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            draft=WorkOrderDraft(kind=kind, description=kind, household=office.household),
        )

    repair, housekeeping = order("repair"), order("housekeeping")
    c = client_for(office.repair_member)
    assert [o["id"] for o in c.get("/api/work-orders/").json()["results"]] == [repair.pk]
    assert c.get(f"/api/work-orders/{housekeeping.pk}/").status_code == 404
    assert c.get("/api/contacts/").json()["count"] == 0


def test_a_staff_member_without_any_role_sees_nothing(office, theirs) -> None:
    nobody = f.UserFactory()
    c = client_for(nobody)
    assert c.get("/api/work-orders/").json()["count"] == 0
    assert c.get("/api/households/").json()["count"] == 0
    assert c.get("/api/service-items/").json()["count"] == 0


def test_removing_a_membership_closes_the_door(office, clock) -> None:
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="x", household=office.household),
    )
    Membership.objects.filter(user=office.administrator).delete()
    r = client_for(office.administrator).get(f"/api/work-orders/{order.pk}/")
    assert r.status_code == 404


def test_back_office_lists_are_scoped_too(office, theirs, clock) -> None:
    office.head.is_staff = True
    office.head.save()
    from django.contrib.auth.models import Permission

    office.head.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_workorder", "view_contact"])
    )
    mine = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="x", household=office.household),
    )
    c = Client()
    c.force_login(office.head)
    page = c.get("/admin/desk/workorder/")
    assert page.status_code == 200
    assert [o.pk for o in page.context["cl"].result_list] == [mine.pk]
    assert c.get(f"/admin/desk/workorder/{theirs['order'].pk}/change/").status_code in (302, 404)
