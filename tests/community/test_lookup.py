"""FD-2: the front desk's lookup finds a household however the owner says it, at the selector:
the table of tests/community/lookup_cases.py, case by case; scoping by community and role."""

from __future__ import annotations

import pytest

from propdesk.community.lookup import household_lookup
from propdesk.community.models import Household
from propdesk.community.selectors import household_by_room, household_search
from tests import factories as f
from tests.community.lookup_cases import CASES, make_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return make_register()


@pytest.mark.parametrize(("field", "typed", "where", "building", "codes", "note"), CASES)
def test_fd2_lookup_finds_the_household_however_it_is_said(
    register, field, typed, where, building, codes, note
) -> None:
    community = getattr(register, where)
    found = household_lookup(
        register.receptionist,
        typed,
        field=field,
        community=community,
        building_id=register.buildings[building].pk if building else None,
    )
    assert [h.code for h in found.households] == codes
    assert str(found.note) == note
    assert all(h.community_id == community.pk for h in found.households)


def test_fd2_a_match_fills_in_the_resident_whose_phone_or_name_matched(register) -> None:
    sz = register.shenzhen
    by_phone = household_lookup(register.receptionist, "8888 1234", field="phone", community=sz)
    [line] = by_phone.matches
    # The number as the office writes it, the extension included: the form takes it back.
    assert (line.household.code, line.resident.name, line.phone) == (
        "5-1-901",
        "张伟",
        "0755-88881234 转 801",
    )
    by_name = household_lookup(register.receptionist, "张伟", field="name", community=sz)
    assert [(m.household.code, m.resident.phone) for m in by_name.matches] == [
        ("4-2-901", "13800001111"),
        ("5-1-901", "075588881234"),
    ]


def test_fd2_a_household_unique_by_its_room_is_the_one(register) -> None:
    found = household_lookup(
        register.receptionist, "5-901", field="room", community=register.shenzhen
    )
    assert found.household is not None and found.household.code == "5-1-901"
    ambiguous = household_lookup(
        register.receptionist, "4-901", field="room", community=register.shenzhen
    )
    assert ambiguous.household is None


def test_fd2_lookup_never_finds_another_companys_household(register) -> None:
    # Across all the receptionist's communities (the API without ?community=): not the hidden one.
    for typed, field in [("18071303284", "phone"), ("王建国", "name"), ("4-1-901", "room")]:
        found = household_lookup(register.receptionist, typed, field=field)
        assert register.hidden.pk not in {h.community_id for h in found.households}
        assert [h.code for h in found.households] == ["4-1-901"]
    found = household_lookup(
        register.receptionist, "4-1-901", field="room", community=register.hidden
    )
    assert found.households == []


def test_fd2_lookup_by_phone_or_name_only_where_residents_are_read(register) -> None:
    # A team member sees the households (rooms) but not who lives there.
    member, sz = register.team_member, register.shenzhen
    assert household_lookup(member, "18071303284", field="phone", community=sz).households == []
    assert household_lookup(member, "王建国", field="name", community=sz).households == []
    found = household_lookup(member, "4-1-901", field="room", community=sz)
    assert [h.code for h in found.households] == ["4-1-901"]
    assert [m.resident for m in found.matches] == [None]


def test_fd2_household_search_without_a_field_reads_the_shape(register) -> None:
    user, sz = register.receptionist, register.shenzhen
    assert list(household_search(user, "4/1/901", community_id=sz.pk)) == list(
        household_search(user, "4-1-901", community_id=sz.pk, field="room")
    )
    # Bare digits could be either: the room's matches, then the phone's.
    codes = [h.code for h in household_search(user, "1502", community_id=sz.pk).order_by("code")]
    assert codes == ["12-1-1502", "12-1-301"]
    assert [h.code for h in household_search(user, "+86 180 7130 3284")] == ["4-1-901"]
    # A community the user does not see finds nothing, as if it did not exist.
    assert list(household_search(user, "4-1-901", community_id=register.hidden.pk)) == []


def test_fd2_only_a_whole_room_or_number_names_the_household(register) -> None:
    user, sz = register.receptionist, register.shenzhen
    typing = household_lookup(user, "4-1-90", field="room", community=sz)
    assert [h.code for h in typing.households] == ["4-1-901"]
    assert typing.named is None  # listed while typing, not taken by a form
    whole = household_lookup(user, "4栋1单元901", field="room", community=sz)
    assert whole.named is not None and whole.named.code == "4-1-901"
    assert household_lookup(user, "180 7130", field="phone", community=sz).named is None
    number = household_lookup(user, "180 7130 3284", field="phone", community=sz).named
    assert number is not None and number.code == "4-1-901"


@pytest.mark.parametrize(("field", "typed", "where", "building", "codes", "note"), CASES)
def test_fd2_a_submits_lookup_without_residents_finds_what_the_panel_finds(
    register, field, typed, where, building, codes, note
) -> None:
    # residents=False (a submit: the household a whole room names is read by its key) finds
    # the same households, note and name as the panel's lookup, each row as the ORM reads it.
    community = getattr(register, where)
    args = {"field": field, "community": community}
    args["building_id"] = register.buildings[building].pk if building else None
    panel = household_lookup(register.receptionist, typed, **args)
    submit = household_lookup(register.receptionist, typed, residents=False, **args)
    assert [h.code for h in submit.households] == codes
    assert (str(submit.note), submit.how, submit.exact) == (note, panel.how, panel.exact)
    assert submit.named == panel.named
    orm = {h.pk: h for h in Household.objects.filter(pk__in=[h.pk for h in panel.households])}
    for h in submit.households:
        assert vars(h) | {"_state": None} == vars(orm[h.pk]) | {"_state": None}


def test_fd2_a_whole_room_by_its_key_is_scoped_like_the_query(register) -> None:
    # The by-key read checks the community through the access module, as scope() does: another
    # company's community, or one where the user holds no role, finds nothing.
    sz, hidden = register.shenzhen, register.hidden
    for user in (register.receptionist, register.team_member):
        found = household_lookup(user, "4-1-901", field="room", community=sz, residents=False)
        assert found.named is not None and found.named.code == "4-1-901"
        assert household_by_room(user, hidden.pk, "4-1-901") is None
        hid = household_lookup(user, "4-1-901", field="room", community=hidden, residents=False)
        assert (hid.households, hid.named) == ([], None)
    outsider = f.UserFactory()
    assert household_by_room(outsider, sz.pk, "4-1-901") is None
    assert household_by_room(f.UserFactory(is_superuser=True), hidden.pk, "4-1-901") is not None
    assert household_by_room(register.receptionist, sz.pk, "4-1-9") is None  # no such room
