"""Issue 12, roles in the API: residents' names and phones are the office's and leadership's;
a team sees the reporter of its own orders with a masked phone; the figures (compliance,
satisfaction, the monthly report) are the office head's, administrators' and leadership's.
Each forbidden door is refused and leaks nothing; each allowed one answers."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories as f
from tests.conftest import Office, client_for

PHONE = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py)
REPORTER_PHONE = "13987654321"


def web_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _leadership(office: Office):
    return f.UserFactory(username="boss", company=office.community.company, is_leadership=True)


def _no_register_roles(office: Office) -> list:
    concierge = f.UserFactory(username="a-concierge", roles=[(office.community, "concierge")])
    return [office.repair_leader, office.repair_member, office.cleaning_leader, concierge]


def test_residents_are_refused_to_team_roles_and_concierges(office) -> None:
    for user in _no_register_roles(office):
        c = client_for(user)
        r = c.get("/api/residents/")
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        body = c.get("/api/residents/", {"phone": "138"}).content.decode()
        assert PHONE not in body and "张伟" not in body
        r = c.get(f"/api/residents/{office.household.residents.get().pk}/")
        assert r.status_code == 403 and PHONE not in r.content.decode()


def test_households_of_team_roles_carry_no_residents_and_no_phone_search(office) -> None:
    for user in _no_register_roles(office):
        c = client_for(user)
        for params in ({}, {"q": "3-2-1502"}):
            r = c.get("/api/households/", params)
            assert r.status_code == 200
            rows = r.json()["results"]
            assert [h["code"] for h in rows] == ["3-2-1502"]
            assert rows[0]["residents"] == []
            assert PHONE not in r.content.decode() and "张伟" not in r.content.decode()
        detail = c.get(f"/api/households/{office.household.pk}/")
        assert detail.json()["residents"] == [] and PHONE not in detail.content.decode()
        # A phone number typed into the search tells them nothing about whose it is.
        assert c.get("/api/households/", {"q": "1381234"}).json()["results"] == []


def test_the_office_and_leadership_read_residents(office) -> None:
    """Issue 13: the whole number for the roles that call owners (front desk, administrators,
    office head); company leadership reads the register with the numbers masked, and finds no
    one by a phone: an answer to a whole or partial number would give the masked digits back,
    one guess at a time."""
    for user, phone in (
        (office.receptionist, PHONE),
        (office.administrator, PHONE),
        (office.head, PHONE),
        (_leadership(office), "138****5678"),
    ):
        c = client_for(user)
        r = c.get("/api/residents/")
        rows = [x for x in r.json()["results"] if x["name"] == "张伟"]
        assert [(x["phone"], x["phone_display"]) for x in rows] == [(phone, phone)]
        h = c.get("/api/households/", {"q": "张伟"})
        assert [x["phone"] for x in h.json()["results"][0]["residents"]] == [phone]
        by_phone = [
            c.get("/api/residents/", {"phone": typed}).json()["results"]
            for typed in ("138 1234", PHONE)
        ] + [
            c.get("/api/households/", {"q": typed}).json()["results"]
            for typed in ("1381234", PHONE)
        ]
        if phone == PHONE:
            assert all(len(found) == 1 for found in by_phone)
        else:
            assert by_phone == [[], [], [], []]
            assert PHONE not in r.content.decode() and PHONE not in h.content.decode()


def test_another_communitys_office_reads_none_of_these_residents(office, other_office) -> None:
    c = client_for(other_office.head)
    rows = c.get("/api/residents/").json()["results"]
    assert office.household.residents.get().pk not in {x["id"] for x in rows}
    resident = office.household.residents.get()
    assert c.get(f"/api/residents/{resident.pk}/").status_code == 404
    assert c.get(f"/api/households/{office.household.pk}/").status_code == 404


def _order(office: Office) -> dict:
    r = client_for(office.receptionist).post(
        "/api/work-orders/",
        {
            "community": office.community.pk,
            "kind": "repair",
            "description": "楼道灯不亮",
            "household": office.household.pk,
            "reporter_name": "张伟",
            "reporter_phone": REPORTER_PHONE,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    return r.json()


def test_a_team_reads_its_orders_reporter_with_a_masked_phone(office, clock) -> None:
    order = _order(office)
    assert order["team"]["name"] == "维修班"
    for user in (office.repair_leader, office.repair_member):
        r = client_for(user).get(f"/api/work-orders/{order['id']}/")
        assert r.status_code == 200
        body = r.json()
        assert (body["reporter_name"], body["reporter_phone"]) == ("张伟", "139****4321")
        assert body["reporter_phone_display"] == "139****4321"
        assert body["reporter_phone_masked"] is True
        assert REPORTER_PHONE not in r.content.decode()
    # Another team does not see the order at all.
    r = client_for(office.cleaning_leader).get(f"/api/work-orders/{order['id']}/")
    assert r.status_code == 404 and "张伟" not in r.content.decode()
    for user in (office.receptionist, office.head):
        body = client_for(user).get(f"/api/work-orders/{order['id']}/").json()
        assert (body["reporter_phone"], body["reporter_phone_masked"]) == (REPORTER_PHONE, False)
    # Issue 13: leadership does not call owners: the number masked.
    boss_user = _leadership(office)
    boss = client_for(boss_user)
    body = boss.get(f"/api/work-orders/{order['id']}/").json()
    assert (body["reporter_phone"], body["reporter_phone_masked"]) == ("139****4321", True)
    # The console's order page and the technician's phone page mask it in the same place.
    page = web_for(boss_user).get(f"/desk/orders/{order['id']}/").content.decode()
    assert "139****4321" in page and REPORTER_PHONE not in page
    job = web_for(office.repair_member).get(f"/desk/jobs/{order['id']}/").content.decode()
    assert "139****4321" in job and REPORTER_PHONE not in job
    page = web_for(office.receptionist).get(f"/desk/orders/{order['id']}/").content.decode()
    assert REPORTER_PHONE in page


FIGURES = [
    ("/api/compliance/", {"month": "2026-11"}),
    ("/api/satisfaction/", {"month": "2026-11"}),
    ("/api/reports/monthly/", {"month": "2026-11"}),
    ("/api/reports/monthly/pdf/", {"month": "2026-11"}),
    ("/api/reports/monthly/xlsx/", {"month": "2026-11"}),
]


@pytest.mark.parametrize(("path", "params"), FIGURES)
def test_figures_are_refused_to_front_desk_teams_and_concierges(office, clock, path, params):
    for user in [office.receptionist, *_no_register_roles(office)]:
        r = client_for(user).get(path, {**params, "community": office.community.pk})
        assert r.status_code == 403, (user.username, path)
        assert r["Content-Type"] == "application/json"
        assert r.json()["error"]["code"] == "forbidden"
        assert set(r.json()) == {"error"}


@pytest.mark.parametrize(("path", "params"), FIGURES)
def test_figures_answer_the_head_administrators_and_leadership(office, clock, path, params):
    for user in (office.head, office.administrator, _leadership(office)):
        r = client_for(user).get(path, {**params, "community": office.community.pk})
        assert r.status_code == 200, (user.username, path, r.content[:300])


@pytest.mark.parametrize(("path", "params"), FIGURES)
def test_another_communitys_figures_are_not_found(office, other_office, clock, path, params):
    r = client_for(other_office.head).get(path, {**params, "community": office.community.pk})
    assert r.status_code == 404


def test_contacts_mask_the_callers_phone_for_leadership(office, clock) -> None:
    """Issue 13: the front desk's log lists callers whole for the office, masked for leadership."""
    r = client_for(office.receptionist).post(
        "/api/contacts/",
        {
            "community": office.community.pk,
            "channel": "phone",
            "caller_name": "张伟",
            "caller_phone": PHONE,
            "intent": "consultation",
            "content": "问物业费",
            "outcome": "resolved",
            "resolution": "已告知",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["caller_phone"] == PHONE
    contact_id = r.json()["id"]
    for user, phone in ((office.head, PHONE), (_leadership(office), "138****5678")):
        c = client_for(user)
        rows = c.get("/api/contacts/", {"community": office.community.pk}).json()["results"]
        assert [x["caller_phone"] for x in rows if x["id"] == contact_id] == [phone]
        detail = c.get(f"/api/contacts/{contact_id}/")
        assert detail.json()["caller_phone_display"] == phone
        page = web_for(user).get(f"/desk/contacts/{contact_id}/").content.decode()
        assert phone in page
        if phone != PHONE:
            assert PHONE not in page
