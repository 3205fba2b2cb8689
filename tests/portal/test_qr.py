"""QR stickers (issue 13, item 3): the signed code on a place's sticker, and where scanning it takes
each person: staff of the place's community to the place's open orders, a resident to the report
with the place filled in, anyone not signed in to the portal's login, anyone else "not found"."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from propdesk.community.models import Place
from propdesk.community.places import (
    StickerInvalid,
    StickerRevoked,
    resident_place,
    sticker_code,
    sticker_place,
)
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from tests import factories as f
from tests.conftest import Office

pytestmark = pytest.mark.django_db


def make_place(office: Office, name: str = "3栋2单元电梯", **kw) -> Place:
    building = office.household.unit.building
    return Place.objects.create(
        community=office.community,
        building=kw.pop("building", building),
        kind=kw.pop("kind", "lift"),
        name=name,
        **kw,
    )


def order_at(
    office: Office, clock, place: Place | None, description: str = "电梯异响"
) -> WorkOrder:
    return work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description=description, place=place),
    )


def staff_client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- the signed code ------------------------------------------------------------------------------


def test_a_places_code_is_short_and_names_that_place(office) -> None:
    place = make_place(office)

    code = sticker_code(place)

    assert code.startswith(f"{place.pk}.") and len(code) <= len(str(place.pk)) + 13
    assert sticker_place(code) == place


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"),  # one character of the signature
        lambda c: c.split(".")[0] + ".",  # no signature
        lambda c: c.split(".")[0],  # no separator
        lambda c: str(int(c.split(".")[0]) + 1) + "." + c.split(".")[1],  # another place's id
        lambda c: "٣" + c,  # a non-ASCII digit
        lambda c: "9" * 40 + "." + c.split(".")[1],  # past any database's integer
        lambda c: "",
    ],
)
def test_a_tampered_code_is_refused(office, mangle) -> None:
    place = make_place(office)
    make_place(office, "3栋2单元楼道", kind="corridor")  # the next id exists

    with pytest.raises(StickerInvalid):
        sticker_place(mangle(sticker_code(place)))


def test_a_code_signed_with_another_secret_is_refused(office) -> None:
    place = make_place(office)
    with override_settings(SECRET_KEY="another installation's secret key, fifty characters long"):
        foreign = sticker_code(place)

    with pytest.raises(StickerInvalid):
        sticker_place(foreign)


def test_deactivating_a_place_revokes_its_stickers_and_reactivating_restores_them(office) -> None:
    place = make_place(office)
    code = sticker_code(place)

    place.active = False
    place.save()
    with pytest.raises(StickerRevoked):
        sticker_place(code)

    place.active = True
    place.save()
    assert sticker_place(code) == place


def test_a_place_in_another_communitys_building_is_refused(office, other_office) -> None:
    place = Place(
        community=office.community,
        building=other_office.household.unit.building,
        kind="lift",
        name="3栋2单元电梯",
    )
    with pytest.raises(ValidationError) as err:
        place.full_clean()
    assert "building" in err.value.message_dict


def test_the_portal_accepts_only_an_active_place_of_the_residents_communities(
    office, other_office
) -> None:
    mine = make_place(office)
    theirs = make_place(other_office)
    revoked = make_place(office, "水泵房", kind="equipment_room", active=False)
    ids = [office.community.pk]

    assert resident_place(ids, str(mine.pk)) == mine
    assert resident_place(ids, theirs.pk) is None
    assert resident_place(ids, revoked.pk) is None
    for junk in (None, "", "abc", "-1", "9" * 30):
        assert resident_place(ids, junk) is None


# --- scanning -------------------------------------------------------------------------------------


def test_staff_who_scan_see_the_places_open_orders(office, clock) -> None:
    place = make_place(office)
    other_place = make_place(office, "3栋2单元楼道", kind="corridor")
    here = order_at(office, clock, place, "电梯运行异响")
    elsewhere = order_at(office, clock, other_place, "楼道灯不亮")
    done = order_at(office, clock, place, "电梯按钮失灵")
    work_order_transition(
        order_id=done.pk,
        action="cancel",
        by=office.head,
        now=clock.now(),
        version=done.version,
        note="重复登记",
    )
    c = staff_client(office.repair_leader)

    r = c.get(f"/q/{sticker_code(place)}/")

    assert r.status_code == 302
    assert r["Location"] == f"/desk/{office.community.pk}/places/{place.pk}/"
    page = c.get(r["Location"]).content.decode()
    assert "3栋2单元电梯" in page
    assert here.number in page
    assert elsewhere.number not in page and done.number not in page


def test_the_office_can_log_a_new_order_at_the_place_a_team_member_cannot(office) -> None:
    place = make_place(office)
    url = f"/desk/{office.community.pk}/places/{place.pk}/"
    intake = f"/desk/{office.community.pk}/intake/?place={place.pk}"

    assert intake in staff_client(office.receptionist).get(url).content.decode()
    assert intake not in staff_client(office.repair_member).get(url).content.decode()


def test_a_resident_who_scans_goes_to_the_report_with_the_place(office, resident_client) -> None:
    place = make_place(office)

    r = resident_client("13812345678").get(f"/q/{sticker_code(place)}/")

    assert r.status_code == 302
    url = urlsplit(r["Location"])
    assert url.path == "/portal/report/"
    assert parse_qs(url.query) == {"where": ["3栋2单元电梯"], "place": [str(place.pk)]}


def test_someone_not_signed_in_goes_to_the_portal_login_then_the_report(office) -> None:
    place = make_place(office)

    r = Client().get(f"/q/{sticker_code(place)}/")

    assert r.status_code == 302
    url = urlsplit(r["Location"])
    assert url.path == "/portal/login/"
    (after,) = parse_qs(url.query)["next"]
    assert urlsplit(after).path == "/portal/report/"
    assert parse_qs(urlsplit(after).query) == {"where": ["3栋2单元电梯"], "place": [str(place.pk)]}


def test_staff_of_another_community_find_nothing(office, other_office, clock) -> None:
    place = make_place(office, "地下车库B区", kind="garage", building=None)
    order = order_at(office, clock, place)

    r = staff_client(other_office.head).get(f"/q/{sticker_code(place)}/")

    assert r.status_code == 404
    body = r.content.decode()
    assert "地下车库B区" not in body and order.number not in body
    page = staff_client(other_office.head).get(f"/desk/{office.community.pk}/places/{place.pk}/")
    assert page.status_code == 404
    # nor through their own community's URL
    theirs = f"/desk/{other_office.community.pk}/places/{place.pk}/"
    assert staff_client(other_office.head).get(theirs).status_code == 404


def test_a_resident_of_another_community_finds_nothing(
    office, other_office, resident_client
) -> None:
    place = make_place(office)
    f.ResidentFactory(household=other_office.household, phone="13900001111")

    answer = resident_client("13900001111").get(f"/q/{sticker_code(place)}/")

    assert answer.status_code == 404
    assert "3栋2单元电梯" not in answer.content.decode()


def test_a_tampered_code_says_so_in_chinese_and_is_not_a_server_error(office) -> None:
    place = make_place(office)
    code = sticker_code(place)

    for who in (Client(), staff_client(office.head)):
        r = who.get(f"/q/{code[:-2]}xx/")
        assert r.status_code == 404
        assert "无法识别此二维码" in r.content.decode()
    assert Client().get("/q/%E2%80%8B/").status_code == 404


def test_a_revoked_sticker_says_so_to_everyone(office, resident_client) -> None:
    place = make_place(office, active=False)
    url = f"/q/{sticker_code(place)}/"

    for who in (Client(), staff_client(office.head), resident_client("13812345678")):
        r = who.get(url)
        assert r.status_code == 410
        assert "此二维码已停用" in r.content.decode()


# --- the back office ------------------------------------------------------------------------------


def back_office(user) -> Client:
    from django.contrib.auth.models import Permission

    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__model="place"))
    return staff_client(user)


def test_the_office_revokes_a_places_stickers_in_the_back_office(office, other_office) -> None:
    place = make_place(office)
    theirs = make_place(other_office, "滨江苑车库", kind="garage", building=None)
    c = back_office(office.head)
    listing = c.get("/admin/community/place/").content.decode()
    assert place.name in listing and theirs.name not in listing

    r = c.post(
        f"/admin/community/place/{place.pk}/change/",
        {
            "community": office.community.pk,
            "building": place.building_id,
            "kind": "lift",
            "name": place.name,
        },  # "active" left unticked
    )

    assert r.status_code == 302
    place.refresh_from_db()
    assert place.active is False
    assert Client().get(f"/q/{sticker_code(place)}/").status_code == 410
    # another community's place is not found there, and stays as it was
    r = c.post(
        f"/admin/community/place/{theirs.pk}/change/",
        {"community": other_office.community.pk, "kind": "garage", "name": "改名"},
    )
    theirs.refresh_from_db()
    assert r.status_code == 302 and r["Location"] == "/admin/" and theirs.name == "滨江苑车库"


def test_the_back_office_offers_only_the_own_communitys_buildings(office, other_office) -> None:
    c = back_office(office.head)

    r = c.post(
        "/admin/community/place/add/",
        {
            "community": office.community.pk,
            "building": other_office.household.unit.building_id,
            "kind": "lift",
            "name": "越界电梯",
            "active": "on",
        },
    )

    assert r.status_code == 200 and "building" in r.context["adminform"].form.errors
    assert not Place.objects.filter(name="越界电梯").exists()


# --- cost -----------------------------------------------------------------------------------------


def _queries(c: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_place_page_and_the_list_cost_the_same_for_one_order_or_many(office, clock) -> None:
    place = make_place(office)
    order_at(office, clock, place)
    c = staff_client(office.head)
    page = f"/desk/{office.community.pk}/places/{place.pk}/"
    listing = f"/desk/{office.community.pk}/places/"
    before = (_queries(c, page), _queries(c, listing))

    for i in range(5):
        order_at(office, clock, make_place(office, f"3栋{i + 3}单元电梯"))
        order_at(office, clock, place, f"电梯第{i}次异响")

    assert (_queries(c, page), _queries(c, listing)) == before
