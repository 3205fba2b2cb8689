"""The register and the table of the front desk's lookup (FD-2), shared by the selector's test and
the intake lookup view's test: every way an owner says a phone, a room or a name, the ambiguous
ones included, with what must be found."""

from __future__ import annotations

from dataclasses import dataclass

from propdesk.community.models import Building, Community, Household, Unit, User
from tests import factories as f


@dataclass
class Register:
    shenzhen: Community  # area code 0755: 8-digit local numbers
    yinchuan: Community  # area code 0951: 7-digit local numbers
    no_code: Community  # no area code set
    hidden: Community  # another company's, never found
    receptionist: User  # front desk of the first three
    team_member: User  # a repair team member of shenzhen (reads no residents)
    buildings: dict[str, Building]  # "shenzhen:4" → building


def _home(community: Community, building: Building, unit: str, room: str) -> Household:
    u = Unit.objects.get_or_create(building=building, number=unit)[0]
    return f.HouseholdFactory(
        unit=u, community=community, room=room, code=f"{building.number}-{unit}-{room}"
    )


def make_register() -> Register:
    company = f.CompanyFactory()
    sz = f.CommunityFactory(company=company, name="锦绣花园", area_code="0755")
    yc = f.CommunityFactory(company=company, name="滨江苑", area_code="0951")
    nc = f.CommunityFactory(company=company, name="翠湖小区", area_code="")
    hidden = f.CommunityFactory(name="别家小区", area_code="0755")
    b = {
        "shenzhen:4": f.BuildingFactory(community=sz, number="4"),  # two units
        "shenzhen:5": f.BuildingFactory(community=sz, number="5"),  # one unit
        "shenzhen:12": f.BuildingFactory(community=sz, number="12"),
        "yinchuan:1": f.BuildingFactory(community=yc, number="1"),
        "no_code:2": f.BuildingFactory(community=nc, number="2"),
        "hidden:4": f.BuildingFactory(community=hidden, number="4"),
    }
    h411 = _home(sz, b["shenzhen:4"], "1", "901")
    h421 = f.HouseholdFactory(
        unit=f.UnitFactory(building=b["shenzhen:4"], number="2"),
        community=sz,
        room="901",
        code="4-2-901",
    )
    h511 = _home(sz, b["shenzhen:5"], "1", "901")
    h1502 = _home(sz, b["shenzhen:12"], "1", "1502")
    h_phone1502 = f.HouseholdFactory(unit=h1502.unit, community=sz, room="301", code="12-1-301")
    f.ResidentFactory(household=h411, name="王建国", relation="owner", phone="18071303284")
    f.ResidentFactory(household=h421, name="张伟", relation="owner", phone="13800001111")
    f.ResidentFactory(
        household=h511, name="张伟", relation="tenant", phone="075588881234", phone_ext="801"
    )
    f.ResidentFactory(household=h1502, name="李娜", relation="owner", phone="13912345678")
    f.ResidentFactory(household=h_phone1502, name="赵敏", relation="owner", phone="15021234567")
    yc1 = _home(yc, b["yinchuan:1"], "1", "101")
    f.ResidentFactory(household=yc1, name="马丽", relation="owner", phone="09515012345")
    nc1 = _home(nc, b["no_code:2"], "1", "202")
    f.ResidentFactory(household=nc1, name="周杰", relation="owner", phone="02087654321")
    nc2 = _home(nc, b["no_code:2"], "1", "203")
    f.ResidentFactory(household=nc2, name="吴芳", relation="owner", phone="075787654321")
    hidden1 = _home(hidden, b["hidden:4"], "1", "901")
    f.ResidentFactory(household=hidden1, name="王建国", relation="owner", phone="18071303284")
    receptionist = f.UserFactory(
        roles=[(sz, "receptionist"), (yc, "receptionist"), (nc, "receptionist")]
    )
    team_member = f.UserFactory(roles=[(sz, "team_member")])
    return Register(sz, yc, nc, hidden, receptionist, team_member, b)


# (field, what was typed, community, building chosen, the codes found, the note)
CASES: list[tuple[str, str, str, str, list[str], str]] = [
    # rooms, whole, in every way they are written
    ("room", "4-1-901", "shenzhen", "", ["4-1-901"], ""),
    ("room", "4/1/901", "shenzhen", "", ["4-1-901"], ""),
    ("room", "4栋1单元901", "shenzhen", "", ["4-1-901"], ""),
    ("room", "4号楼1单元901", "shenzhen", "", ["4-1-901"], ""),
    ("room", "4幢1单元901室", "shenzhen", "", ["4-1-901"], ""),
    ("room", "４－１－９０１", "shenzhen", "", ["4-1-901"], ""),
    ("room", " 4 - 2 - 901 ", "shenzhen", "", ["4-2-901"], ""),
    # building and room: the unit inferred where the building has one; else the candidates
    ("room", "5-901", "shenzhen", "", ["5-1-901"], ""),
    ("room", "5栋901", "shenzhen", "", ["5-1-901"], ""),
    ("room", "4-901", "shenzhen", "", ["4-1-901", "4-2-901"], "unit_ambiguous"),
    ("room", "4/901", "shenzhen", "", ["4-1-901", "4-2-901"], "unit_ambiguous"),
    # the room alone: within the chosen building; with none, every building's
    ("room", "901", "shenzhen", "shenzhen:5", ["5-1-901"], ""),
    ("room", "901", "shenzhen", "shenzhen:4", ["4-1-901", "4-2-901"], ""),
    ("room", "901", "shenzhen", "", ["4-1-901", "4-2-901", "5-1-901"], "choose_building"),
    # typing on the way
    ("room", "4-1-", "shenzhen", "", ["4-1-901"], ""),
    ("room", "4栋", "shenzhen", "", ["4-1-901", "4-2-901"], ""),
    ("room", "12-1-15", "shenzhen", "", ["12-1-1502"], ""),
    # 1502 typed as the room is a room, never the start of a phone (15021234567 is 12-1-301's)
    ("room", "1502", "shenzhen", "", ["12-1-1502"], ""),
    ("phone", "1502", "shenzhen", "", ["12-1-301"], ""),
    ("room", "9-9-999", "shenzhen", "", [], ""),
    # phones in every common form
    ("phone", "18071303284", "shenzhen", "", ["4-1-901"], ""),
    ("phone", "+86 180 7130 3284", "shenzhen", "", ["4-1-901"], ""),
    ("phone", "+8618071303284", "shenzhen", "", ["4-1-901"], ""),
    ("phone", "0086 180 7130 3284", "shenzhen", "", ["4-1-901"], ""),
    ("phone", "180-7130-3284", "shenzhen", "", ["4-1-901"], ""),
    ("phone", "180 7130 3284", "shenzhen", "", ["4-1-901"], ""),
    ("phone", "+86 180", "shenzhen", "", ["4-1-901"], ""),
    ("phone", "180-71", "shenzhen", "", ["4-1-901"], ""),
    ("phone", "0755-88881234", "shenzhen", "", ["5-1-901"], ""),
    ("phone", "(0755) 8888 1234", "shenzhen", "", ["5-1-901"], ""),
    ("phone", "0755-8888-1234 转 801", "shenzhen", "", ["5-1-901"], ""),
    ("phone", "+86 755 8888 1234", "shenzhen", "", ["5-1-901"], ""),
    ("phone", "8888 1234", "shenzhen", "", ["5-1-901"], ""),  # 8-digit local, area code 0755
    ("phone", "8888-1234", "shenzhen", "", ["5-1-901"], ""),
    ("phone", "8888 12", "shenzhen", "", ["5-1-901"], ""),  # local, still typing
    ("phone", "501 2345", "yinchuan", "", ["1-1-101"], ""),  # 7-digit local, area code 0951
    ("phone", "0951-5012345", "yinchuan", "", ["1-1-101"], ""),
    # a local number where the community has no area code: the landlines ending in it
    ("phone", "87654321", "no_code", "", ["2-1-202", "2-1-203"], "no_area_code"),
    ("phone", "020-87654321", "no_code", "", ["2-1-202"], ""),
    ("phone", "13900000000", "shenzhen", "", [], ""),
    # part of a resident's name, in the name field or where no digit was typed
    ("name", "王建国", "shenzhen", "", ["4-1-901"], ""),
    ("name", "建国", "shenzhen", "", ["4-1-901"], ""),
    ("name", "张伟", "shenzhen", "", ["4-2-901", "5-1-901"], ""),  # a name two households share
    ("room", "李娜", "shenzhen", "", ["12-1-1502"], ""),
    ("phone", "赵敏", "shenzhen", "", ["12-1-301"], ""),
    ("name", "钱多多", "shenzhen", "", [], ""),
]
