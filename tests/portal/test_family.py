"""Issue 13: the owner adds a family member (name, phone) from the portal and removes one; the
family member then signs in and sees the same household. Tenants and family members cannot add;
another household's member is not found."""

from __future__ import annotations

import re

import pytest

from propdesk.community.models import Relation, Resident
from tests import factories as f
from tests.portal.helpers import ask_code, last_code, send_code

pytestmark = pytest.mark.django_db

OWNER = "13812345678"


def test_the_owner_adds_a_family_member_who_then_sees_the_household(
    office, clock, resident_client
) -> None:
    c = resident_client(OWNER)
    page = c.get("/portal/me/").content.decode()
    assert "添加家庭成员" in page
    r = c.post(
        "/portal/me/",
        {"household": office.household.pk, "name": "张小雨", "phone": "136 0000 1111"},
    )
    assert r.status_code == 302 and r["Location"] == "/portal/me/#family"
    member = Resident.objects.get(name="张小雨")
    assert (member.household, member.relation, member.phone) == (
        office.household,
        Relation.FAMILY,
        "13600001111",
    )
    assert "张小雨" in c.get("/portal/me/").content.decode()
    other = type(c)()
    ask_code(other, "13600001111")
    send_code(other, last_code("13600001111"))
    assert "3-2-1502" in other.get("/portal/").content.decode()


def test_bad_input_keeps_what_was_typed_and_adds_nobody(office, clock, resident_client) -> None:
    c = resident_client(OWNER)
    before = Resident.objects.count()
    r = c.post("/portal/me/", {"household": office.household.pk, "name": "", "phone": "12x"})
    text = r.content.decode()
    assert r.status_code == 400
    assert "请填写家庭成员的姓名" in text and "电话号码格式不正确" in text
    assert 'value="12x"' in text
    r = c.post("/portal/me/", {"household": office.household.pk, "name": "张伟", "phone": OWNER})
    assert "该手机号已在本户登记" in r.content.decode()
    assert 'value="张伟"' in r.content.decode()
    assert Resident.objects.count() == before


def test_the_owner_removes_a_family_member(office, clock, resident_client) -> None:
    member = f.ResidentFactory(
        household=office.household, name="张小雨", relation=Relation.FAMILY, phone="13600001111"
    )
    c = resident_client(OWNER)
    r = c.post(f"/portal/me/family/{member.pk}/remove/")
    assert r.status_code == 302
    assert not Resident.objects.filter(pk=member.pk).exists()
    # Their next page asks them to sign in: the number is off the register.
    gone = resident_client("13600001111")
    assert "3-2-1502" not in gone.get("/portal/").content.decode()


@pytest.mark.parametrize("relation", [Relation.TENANT, Relation.FAMILY])
def test_tenants_and_family_cannot_add_or_remove(office, clock, resident_client, relation) -> None:
    me = f.ResidentFactory(
        household=office.household, name="住户", relation=relation, phone="13500002222"
    )
    member = f.ResidentFactory(
        household=office.household, name="家属", relation=Relation.FAMILY, phone="13600003333"
    )
    c = resident_client(me.phone)
    page = c.get("/portal/me/").content.decode()
    assert "添加家庭成员" not in page and "只有业主本人可以添加或移除家庭成员" in page
    before = Resident.objects.count()
    r = c.post(
        "/portal/me/", {"household": office.household.pk, "name": "外人", "phone": "13711112222"}
    )
    assert r.status_code == 404
    assert c.post(f"/portal/me/family/{member.pk}/remove/").status_code == 404
    assert Resident.objects.count() == before


def test_another_households_member_is_not_found(office, clock, resident_client) -> None:
    neighbour = f.HouseholdFactory(unit=office.household.unit, room="1501", code="3-2-1501")
    f.ResidentFactory(household=neighbour, name="邻居", phone="13900005555")
    theirs = f.ResidentFactory(
        household=neighbour,
        name="邻居家属",
        relation=Relation.FAMILY,
        phone="13600004444",
    )
    c = resident_client(OWNER)
    assert c.post(f"/portal/me/family/{theirs.pk}/remove/").status_code == 404
    r = c.post("/portal/me/", {"household": neighbour.pk, "name": "x", "phone": "13711113333"})
    assert r.status_code == 404
    assert Resident.objects.filter(pk=theirs.pk).exists()


def test_the_owner_cannot_remove_the_owner_or_a_tenant(office, clock, resident_client) -> None:
    tenant = f.ResidentFactory(household=office.household, name="租客", relation=Relation.TENANT)
    owner = Resident.objects.get(phone=OWNER)
    c = resident_client(OWNER)
    assert c.post(f"/portal/me/family/{tenant.pk}/remove/").status_code == 404
    assert c.post(f"/portal/me/family/{owner.pk}/remove/").status_code == 404
    assert Resident.objects.filter(pk__in=[tenant.pk, owner.pk]).count() == 2


def test_a_nul_character_in_the_name_is_dropped(office, clock, resident_client) -> None:
    """A crafted POST (no keyboard types a NUL; PostgreSQL cannot store one, a 500 there once):
    a page's form is read without it (core.nul), so the member is added by the name as typed
    less the NUL, never with it."""
    c = resident_client(OWNER)
    r = c.post(
        "/portal/me/",
        {"household": office.household.pk, "name": "张\x00小雨", "phone": "13600001111"},
    )
    assert r.status_code == 302
    assert Resident.objects.get(phone="13600001111").name == "张小雨"


def test_the_household_lists_its_people_owner_first_with_their_relation(
    office, clock, resident_client
) -> None:
    """我的 lists everyone registered to the household: the owner first, then tenants and
    family, each with their relation and the one signed in marked. The owner, who keeps the
    list, reads every number; anyone else reads their own and the others' masked."""
    owner = office.household.residents.get(phone=OWNER)
    member = f.ResidentFactory(
        household=office.household, name="张小雨", relation=Relation.FAMILY, phone="13600001111"
    )
    tenant = f.ResidentFactory(
        household=office.household, name="李租", relation=Relation.TENANT, phone="13500002222"
    )

    def people(phone: str) -> list[str]:
        page = resident_client(phone).get("/portal/me/").content.decode()
        family = page.split('id="family"', 1)[1].split("</ul>", 1)[0]
        return [
            " ".join(re.sub(r"<[^>]+>", " ", li).split())
            for li in family.split('<li class="member">')[1:]
        ]

    assert people(OWNER) == [
        f"{owner.name} （本人） 业主 {OWNER}",
        "李租 租户 13500002222",
        "张小雨 家属 13600001111 移除",
    ]
    assert people(member.phone) == [
        f"{owner.name} 业主 138****5678",
        "李租 租户 135****2222",
        "张小雨 （本人） 家属 13600001111",
    ]
    assert people(tenant.phone)[0] == f"{owner.name} 业主 138****5678"


def test_an_owner_adds_at_most_the_limit_of_family_members_and_the_office_more(
    office, clock, resident_client, settings
) -> None:
    """A script in the owner's session must not fill the register with numbers that may sign
    in: the portal adds PORTAL_FAMILY_MEMBERS to a household, the next is refused beside the
    household with what was typed kept and nobody added; a member removed frees a place; the
    office's own additions in the back office are not capped."""
    settings.PORTAL_FAMILY_MEMBERS = 2
    c = resident_client(OWNER)
    for n in range(2):
        r = c.post(
            "/portal/me/",
            {"household": office.household.pk, "name": f"家人{n}", "phone": f"1360000111{n}"},
        )
        assert r.status_code == 302
    before = Resident.objects.count()
    r = c.post(
        "/portal/me/", {"household": office.household.pk, "name": "张小雨", "phone": "13600001119"}
    )
    text = r.content.decode()
    assert r.status_code == 400
    assert "每户在此最多添加 2 位家庭成员，更多请联系管理处。" in text
    assert 'value="张小雨"' in text and 'value="13600001119"' in text
    assert Resident.objects.count() == before
    first = Resident.objects.get(name="家人0")
    assert c.post(f"/portal/me/family/{first.pk}/remove/").status_code == 302
    r = c.post(
        "/portal/me/", {"household": office.household.pk, "name": "张小雨", "phone": "13600001119"}
    )
    assert r.status_code == 302
    f.ResidentFactory(household=office.household, relation=Relation.FAMILY, phone="13600001118")
    assert Resident.objects.filter(household=office.household, relation="family").count() == 3
