"""FD-2 in the API: /api/households/?q= reads what the owner said as the front desk's lookup does
(the same selector), ?field= says which it is; /api/residents/?phone= takes a phone in any
common form, normalised as the services store it; work orders and contacts take a local number
with the community's area code."""

from __future__ import annotations

import pytest

from tests.community.lookup_cases import make_register
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return make_register()


def codes(r) -> list[str]:
    assert r.status_code == 200, r.json()
    body = r.json()
    return [h["code"] for h in (body["results"] if isinstance(body, dict) else body)]


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"q": "4/1/901"}, ["4-1-901"]),
        ({"q": "4栋1单元901"}, ["4-1-901"]),
        ({"q": "5-901"}, ["5-1-901"]),
        ({"q": "4-901"}, ["4-1-901", "4-2-901"]),
        ({"q": "+86 180 7130 3284"}, ["4-1-901"]),
        ({"q": "8888 1234"}, ["5-1-901"]),  # the community's area code 0755
        ({"q": "张伟"}, ["4-2-901", "5-1-901"]),
        ({"q": "1502"}, ["12-1-1502", "12-1-301"]),  # room or phone: both
        ({"q": "1502", "field": "room"}, ["12-1-1502"]),
        ({"q": "1502", "field": "phone"}, ["12-1-301"]),
    ],
)
def test_fd2_households_are_found_however_the_owner_says_it(register, params, found) -> None:
    c = client_for(register.receptionist)
    r = c.get("/api/households/", {**params, "community": register.shenzhen.pk})
    assert codes(r) == found


def test_fd2_an_unknown_field_is_a_structured_error(register) -> None:
    c = client_for(register.receptionist)
    r = c.get("/api/households/", {"q": "1502", "field": "email"})
    assert r.status_code == 400 and "field" in r.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("phone", "names"),
    [
        ("+86 180-7130-3284", ["王建国"]),
        ("0086 180 7130 3284", ["王建国"]),
        ("180 71", ["王建国"]),
        ("(0755) 8888 1234 转 801", ["张伟"]),
        ("87654321", ["周杰", "吴芳"]),  # a local number, no community: any area code
    ],
)
def test_fd2_residents_are_found_by_a_phone_in_any_common_form(register, phone, names) -> None:
    c = client_for(register.receptionist)
    r = c.get("/api/residents/", {"phone": phone})
    assert r.status_code == 200
    body = r.json()
    assert [x["name"] for x in (body["results"] if isinstance(body, dict) else body)] == names


def test_fd2_a_work_order_takes_a_local_number_with_the_area_code(register, clock) -> None:
    from propdesk.community.models import Household

    c = client_for(register.receptionist)
    body = {
        "community": register.shenzhen.pk,
        "kind": "repair",
        "description": "楼道灯不亮",
        "household": Household.objects.get(code="5-1-901").pk,
        "reporter_name": "张伟",
        "reporter_phone": "8888 1234",
    }
    r = c.post("/api/work-orders/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["reporter_phone"] == "075588881234"
    # Where the community has no area code, the same number is refused, with the field named.
    other = {**body, "community": register.no_code.pk}
    other["household"] = Household.objects.get(code="2-1-202").pk
    r = c.post("/api/work-orders/", other, format="json")
    assert r.status_code == 400 and "reporter_phone" in r.json()["error"]["fields"]
