"""Households and residents in and out of Excel (.xlsx) and CSV: a bad row is reported with its
row number and reason, and nothing of a file with bad rows is half-imported."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from propdesk.community import tabular
from propdesk.community.models import (
    BackOfficeEvent,
    Building,
    Community,
    DutyShift,
    Household,
    Resident,
    Team,
    Unit,
    User,
)
from propdesk.community.selectors import household_export_rows
from propdesk.community.services import ImportReport, RowError, household_import
from propdesk.core.clock import FixedClock
from propdesk.core.errors import Forbidden, NotFound
from tests import factories as f
from tests.conftest import Office

HEADER = ["房号", "面积", "姓名", "身份", "电话", "备注"]


def xlsx(rows: list[list[Any]], header: list[Any] | None = None) -> bytes:
    """A real workbook, cells typed as given (ints and floats become Excel numbers)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def snapshot() -> tuple[Any, ...]:
    """Everything an import may touch, to prove a refused import changed nothing."""
    return (
        list(Building.objects.order_by("id").values_list("id", "community_id", "number")),
        list(Unit.objects.order_by("id").values_list("id", "building_id", "number")),
        list(Household.objects.order_by("id").values_list("id", "code", "area", "note")),
        list(
            Resident.objects.order_by("id").values_list(
                "id", "household_id", "name", "relation", "phone", "phone_ext"
            )
        ),
    )


def run_import(
    office: Office, clock: FixedClock, data: bytes, name: str, **kw: Any
) -> ImportReport:
    return household_import(
        community=office.community,
        by=kw.pop("by", office.receptionist),
        now=clock.now(),
        file=data,
        filename=name,
        **kw,
    )


GOOD_ROWS: list[list[Any]] = [
    # The existing 3-2-1502 / 张伟, the phone typed in Excel as a number: matched, area set.
    ["3-2-1502", 89.5, "张伟", "业主", 13812345678, None],
    ["3-2-1502", None, "李娜", "家属", "139 1234 5678", None],
    ["5栋1单元101室", 120, "王强", "租户", "0755-8888 1234 转 801", "出租"],
    ["5-1-102", 95.25, None, None, None, None],
]


# --- importing good files -----------------------------------------------------------------------


def test_xlsx_import_creates_buildings_units_households_and_residents(
    office: Office, clock: FixedClock
) -> None:
    report = run_import(office, clock, xlsx(GOOD_ROWS), "名册.xlsx")

    assert report.errors == []
    assert (report.rows, report.buildings_created, report.units_created) == (4, 1, 1)
    assert (report.households_created, report.households_updated) == (2, 1)
    assert (report.residents_created, report.residents_updated, report.residents_unchanged) == (
        2,
        0,
        1,
    )
    community = office.community
    building = Building.objects.get(community=community, number="5")
    assert list(building.units.values_list("number", flat=True)) == ["1"]
    assert Household.objects.get(pk=office.household.pk).area == Decimal("89.50")
    h101 = Household.objects.get(community=community, code="5-1-101")
    assert (h101.room, h101.unit.building.number, h101.area, h101.note) == (
        "101",
        "5",
        Decimal("120.00"),
        "出租",
    )
    assert Household.objects.get(community=community, code="5-1-102").area == Decimal("95.25")
    assert not Household.objects.get(community=community, code="5-1-102").residents.exists()
    phones = set(
        Resident.objects.filter(household__community=community).values_list(
            "name", "relation", "phone", "phone_ext"
        )
    )
    assert phones == {
        ("张伟", "owner", "13812345678", ""),
        ("李娜", "family", "13912345678", ""),
        ("王强", "tenant", "075588881234", "801"),
    }


def test_importing_the_same_file_twice_adds_no_one(office: Office, clock: FixedClock) -> None:
    data = xlsx(GOOD_ROWS)
    run_import(office, clock, data, "名册.xlsx")
    before = snapshot()

    again = run_import(office, clock, data, "名册.xlsx")

    assert again.errors == []
    assert (again.households_created, again.households_updated, again.households_unchanged) == (
        0,
        0,
        3,
    )
    assert (again.residents_created, again.residents_updated, again.residents_unchanged) == (
        0,
        0,
        3,
    )
    assert (again.buildings_created, again.units_created) == (0, 0)
    assert snapshot() == before


def test_reimport_updates_relation_and_keeps_residents_missing_from_the_file(
    office: Office, clock: FixedClock
) -> None:
    report = run_import(
        office, clock, xlsx([["3-2-1502", None, "张伟", "租户", "13812345678"]]), "a.xlsx"
    )

    assert (report.residents_created, report.residents_updated) == (0, 1)
    assert Resident.objects.get(household=office.household, name="张伟").relation == "tenant"
    assert office.household.residents.count() == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_import_in_every_encoding_excel_writes(
    office: Office, clock: FixedClock, encoding: str
) -> None:
    rows = [["7-3-2201", "66.6", "赵敏", "业主", "021-6552 9988", "顶楼"]]

    report = run_import(office, clock, csv_file(rows, encoding), "名册.csv")

    assert report.errors == []
    household = Household.objects.get(community=office.community, code="7-3-2201")
    assert (household.area, household.note) == (Decimal("66.60"), "顶楼")
    resident = household.residents.get()
    assert (resident.name, resident.relation, resident.phone) == ("赵敏", "owner", "02165529988")


@pytest.mark.parametrize(
    ("phone", "area", "stored_area"),
    [
        (13812345678, 100, Decimal("100.00")),  # Excel integers
        (13812345678.0, 89.5, Decimal("89.50")),  # Excel floats
        ("13812345678", 89.50000000000001, Decimal("89.50")),  # a formula's float noise
    ],
)
def test_numbers_typed_as_excel_numbers_are_read_as_typed(
    office: Office, clock: FixedClock, phone: object, area: object, stored_area: Decimal
) -> None:
    report = run_import(office, clock, xlsx([["9-1-101", area, "钱多", "业主", phone]]), "a.xlsx")

    assert report.errors == []
    household = Household.objects.get(community=office.community, code="9-1-101")
    assert household.area == stored_area
    assert household.residents.get().phone == "13812345678"


def test_rows_may_be_given_directly(office: Office, clock: FixedClock) -> None:
    row = tabular.SheetRow(number=2, cells={"房号": "1-1-101", "姓名": "孙丽", "身份": "业主"})

    report = household_import(
        community=office.community, by=office.head, now=clock.now(), rows=[row]
    )

    assert report.errors == []
    assert Resident.objects.get(household__code="1-1-101", name="孙丽").phone == ""


def test_dry_run_counts_and_writes_nothing(office: Office, clock: FixedClock) -> None:
    before = snapshot()

    report = run_import(office, clock, xlsx(GOOD_ROWS), "a.xlsx", dry_run=True)

    assert report.errors == []
    assert (report.households_created, report.residents_created, report.buildings_created) == (
        2,
        2,
        1,
    )
    assert snapshot() == before


# --- bad rows: all or nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "column", "reason"),
    [
        (["3-2", None, None, None, None], "房号", "房号格式应为"),
        ([None, 80, "张三", "业主", "13800000000"], "房号", "请填写房号"),
        (["3-2-1503", "八十", None, None, None], "面积", "面积应为数字"),
        (["3-2-1503", -1, None, None, None], "面积", "不能为负数"),
        (["3-2-1503", "80.123", None, None, None], "面积", "两位小数"),
        (["3-2-1503", None, "张三", "房东", None], "身份", "身份应为"),
        (["3-2-1503", None, "张三", None, None], "身份", "请填写身份"),
        (["3-2-1503", None, None, "业主", "13800000000"], "姓名", "请同时填写姓名"),
        (["3-2-1503", None, "张三", "业主", "12345"], "电话", "电话号码"),
        (["3-2-1503", None, "张三", "业主", "1.38123E+10"], "电话", "科学计数法"),
        (["3-2-1503", None, "张" * 51, "业主", None], "姓名", "不能超过 50 字"),
        (["3-2-1503", None, None, None, None, "长" * 201], "备注", "不能超过 200 字"),
        (["5-1-101", 99, None, None, None], "面积", "与第 2 行不一致"),
        (["5-1-101", None, None, None, None, "空置"], "备注", "与第 2 行不一致"),
        (["5-1-101", None, "王强", "租户", "13700000000"], "", "与第 2 行重复"),
    ],
)
def test_one_bad_row_among_good_ones_writes_nothing_and_names_row_and_reason(
    office: Office, clock: FixedClock, bad_row: list[Any], column: str, reason: str
) -> None:
    rows = [
        ["5-1-101", 120, "王强", "租户", "13700000000", "出租"],  # row 2
        ["3-2-1502", 90, "李娜", "家属", "13912345678"],  # row 3: would update and add
        bad_row,  # row 4
        ["6-1-101", 70, "周杰", "业主", "13600000000"],  # row 5
    ]
    before = snapshot()

    report = run_import(office, clock, xlsx(rows), "名册.xlsx")

    assert [(e.row, e.column) for e in report.errors] == [(4, column)]
    assert reason in report.errors[0].message
    assert str(report.errors[0]).startswith("第 4 行")
    assert (report.households_created, report.residents_created) == (0, 0)
    assert snapshot() == before


def test_every_bad_row_is_reported_in_row_order(office: Office, clock: FixedClock) -> None:
    rows: list[list[Any]] = [
        ["3-2-1502", None, "李娜", "家属", "139"],  # row 2
        ["8-1-101"],  # row 3: good
        [None, None, None, None, None, "只有备注"],  # row 4
        ["8-1-102", "x", "吴", "朋友"],  # row 5: two problems
    ]
    before = snapshot()

    report = run_import(office, clock, csv_file(rows), "a.csv")

    assert [(e.row, e.column) for e in report.errors] == [
        (2, "电话"),
        (4, "房号"),
        (5, "面积"),
        (5, "身份"),
    ]
    assert snapshot() == before


def test_blank_rows_are_skipped_and_row_numbers_stay_as_excel_shows_them(
    office: Office, clock: FixedClock
) -> None:
    rows: list[list[Any]] = [["8-1-101"], [], [], ["8-1-102", None, "吴", "朋友"]]

    report = run_import(office, clock, xlsx(rows), "a.xlsx")

    assert [(e.row, e.column) for e in report.errors] == [(5, "身份")]


def test_a_room_number_excel_turned_into_a_date_is_explained(
    office: Office, clock: FixedClock
) -> None:
    report = run_import(office, clock, xlsx([[datetime(2015, 3, 2)]]), "a.xlsx")  # noqa: DTZ001

    assert [(e.row, e.column) for e in report.errors] == [(2, "房号")]
    assert "日期" in report.errors[0].message


# --- bad files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"whatever", "名册.txt", "只能导入 .xlsx 或 .csv"),
        (b"whatever", "名册.xls", "另存为"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "名册.xlsx", "旧版 .xls"),
        (b"PK\x03\x04 not really a zip", "名册.xlsx", "无法读取"),
        (b"", "名册.csv", "文件是空的"),
        ("姓名,电话\r\n张三,13800000000\r\n".encode(), "名册.csv", "找不到表头"),
        ("房号,房号\r\n1-1-101,1-1-102\r\n".encode(), "名册.csv", "出现了两次"),
        ("房号\r\n".encode(), "名册.csv", "没有可导入的数据行"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(
    office: Office, clock: FixedClock, data: bytes, name: str, reason: str
) -> None:
    before = snapshot()

    report = run_import(office, clock, data, name)

    assert len(report.errors) == 1
    assert reason in report.errors[0].message
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused(
    office: Office, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "MAX_BYTES", 1024)
    data = csv_file([[f"1-1-{n}"] for n in range(200)])
    assert len(data) > 1024

    report = run_import(office, clock, data, "a.csv")

    assert [str(e) for e in report.errors] == ["文件：文件超过 1 KB，请分批导入。"]
    assert not Household.objects.filter(code="1-1-0").exists()


def test_too_many_rows_is_refused(
    office: Office, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)

    report = run_import(office, clock, csv_file([[f"1-1-{n}"] for n in range(4)]), "a.csv")

    assert [(e.row, "分批" in e.message) for e in report.errors] == [(5, True)]
    assert not Household.objects.filter(code="1-1-0").exists()


def test_a_title_line_above_the_header_and_bracketed_units_are_tolerated(
    office: Office, clock: FixedClock
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["锦绣花园住户名册"])
    sheet.append(["房号", "面积（㎡）", "姓名", "身份", "电话", "备注", "车位"])
    sheet.append(["2-1-301", "88㎡", "郑和", "业主", "13500000000", None, "B-12"])
    sheet.append(["2-1-302", None, "郑", "业", None])
    out = io.BytesIO()
    workbook.save(out)

    report = run_import(office, clock, out.getvalue(), "a.xlsx")

    assert [(e.row, e.column) for e in report.errors] == [(4, "身份")]


# --- tenancy ------------------------------------------------------------------------------------


def test_a_receptionist_cannot_import_into_another_community(
    office: Office, other_office: Office, clock: FixedClock
) -> None:
    before = snapshot()

    with pytest.raises(Forbidden):
        household_import(
            community=other_office.community,
            by=office.receptionist,
            now=clock.now(),
            file=xlsx(GOOD_ROWS),
            filename="a.xlsx",
        )

    assert snapshot() == before


def test_team_staff_cannot_import_even_in_their_own_community(
    office: Office, clock: FixedClock
) -> None:
    before = snapshot()

    with pytest.raises(Forbidden):
        run_import(office, clock, xlsx(GOOD_ROWS), "a.xlsx", by=office.repair_leader)

    assert snapshot() == before


def test_leadership_and_superusers_may_import_into_any_community_of_the_company(
    office: Office, other_office: Office, clock: FixedClock
) -> None:
    leader = f.UserFactory(company=office.community.company, is_leadership=True)
    root = f.UserFactory(is_superuser=True, is_staff=True)

    first = household_import(
        community=other_office.community,
        by=leader,
        now=clock.now(),
        file=xlsx([["1-1-101"]]),
        filename="a.xlsx",
    )
    second = household_import(
        community=other_office.community,
        by=root,
        now=clock.now(),
        file=xlsx([["1-1-102"]]),
        filename="a.xlsx",
    )

    assert first.ok and second.ok
    assert set(
        Household.objects.filter(
            community=other_office.community, code__startswith="1-1-"
        ).values_list("code", flat=True)
    ) == {"1-1-101", "1-1-102"}


def test_leadership_of_another_company_cannot_import(office: Office, clock: FixedClock) -> None:
    outsider = f.UserFactory(company=f.CompanyFactory(), is_leadership=True)

    with pytest.raises(Forbidden):
        run_import(office, clock, xlsx(GOOD_ROWS), "a.xlsx", by=outsider)


# --- export -------------------------------------------------------------------------------------


def test_export_rows_in_natural_room_order_in_one_query(
    office: Office, clock: FixedClock, django_assert_num_queries: Any
) -> None:
    rows: list[list[Any]] = [
        ["10-1-101", None, "甲", "业主", "13500000001"],
        ["2-1-101", 50, "乙", "业主", "0755-88881234 转 8"],
        ["2-1-101", None, "丙", "家属"],
        ["2-1-9", None, None, None, None, "空置"],
    ]
    assert run_import(office, clock, xlsx(rows), "a.xlsx").ok
    user = User.objects.get(pk=office.receptionist.pk)
    household_export_rows(user, office.community.pk)  # caches the user's roles on the object

    with django_assert_num_queries(1):
        exported = household_export_rows(user, office.community.pk)

    assert [(r.code, r.name, r.relation, r.phone, r.area, r.note) for r in exported] == [
        ("2-1-9", "", "", "", None, "空置"),
        ("2-1-101", "乙", "owner", "0755-88881234 转 8", Decimal("50.00"), ""),
        ("2-1-101", "丙", "family", "", Decimal("50.00"), ""),
        ("3-2-1502", "张伟", "owner", "13812345678", None, ""),
        ("10-1-101", "甲", "owner", "13500000001", None, ""),
    ]


def test_export_is_scoped_to_the_users_communities_and_office_roles(
    office: Office, other_office: Office
) -> None:
    with pytest.raises(NotFound):
        household_export_rows(office.receptionist, other_office.community.pk)
    with pytest.raises(NotFound):
        household_export_rows(office.receptionist, "not a number")
    with pytest.raises(Forbidden):
        household_export_rows(office.repair_member, office.community.pk)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_reimport_round_trips(office: Office, clock: FixedClock, fmt: str) -> None:
    assert run_import(office, clock, xlsx(GOOD_ROWS), "a.xlsx").ok
    exported = tabular.household_file(
        household_export_rows(office.receptionist, office.community.pk), fmt=fmt
    )
    before = snapshot()

    again = run_import(office, clock, exported, f"export.{fmt}")

    assert again.errors == []
    assert (again.households_created, again.households_updated) == (0, 0)
    assert (again.residents_created, again.residents_updated) == (0, 0)
    assert snapshot() == before

    # Into an empty community: the same register comes out again.
    fresh = f.CommunityFactory(company=office.community.company, name="新苑", code="xy")
    root = f.UserFactory(is_superuser=True)
    report = household_import(
        community=fresh, by=root, now=clock.now(), file=exported, filename=f"export.{fmt}"
    )
    assert report.ok
    assert (report.households_created, report.residents_created) == (3, 3)
    exported_again = tabular.household_file(household_export_rows(root, fresh.pk), fmt=fmt)
    name = f"export.{fmt}"
    assert [r.cells for r in tabular.read_rows(exported_again, filename=name)] == [
        r.cells for r in tabular.read_rows(exported, filename=name)
    ]


def test_csv_export_has_a_bom_and_xlsx_export_keeps_phones_as_text(
    office: Office, clock: FixedClock
) -> None:
    rows = household_export_rows(office.receptionist, office.community.pk)

    data = tabular.household_file(rows, fmt="csv")
    sheet = load_workbook(io.BytesIO(tabular.household_file(rows, fmt="xlsx"))).active

    assert data.startswith(b"\xef\xbb\xbf" + "房号,面积,姓名,身份,电话,备注".encode())
    assert "3-2-1502,,张伟,业主,13812345678," in data.decode("utf-8-sig")
    assert sheet is not None
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["E2"].value == "13812345678"
    assert sheet["E2"].number_format == "@"


# --- management commands ------------------------------------------------------------------------


def test_import_command_prints_row_errors_and_writes_nothing(
    office: Office, tmp_path: Path
) -> None:
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx([["5-1-101", None, "王强", "租户"], ["5-1-102", None, "吴", "朋友"]]))
    before = snapshot()
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 处错误"):
        call_command(
            "import_households",
            str(path),
            community=office.community.code,
            user=office.receptionist.username,
            stderr=err,
        )

    assert err.getvalue().strip() == "第 3 行【身份】：身份应为 业主、租户 或 家属：朋友"
    assert snapshot() == before


def test_import_and_export_commands(office: Office, other_office: Office, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(csv_file([["5-1-101", "120", "王强", "租户", "13700000000"]], "gb18030"))
    out = io.StringIO()

    call_command(
        "import_households",
        str(source),
        community=str(office.community.pk),
        user=office.administrator.username,
        stdout=out,
    )
    call_command(
        "export_households",
        str(tmp_path / "out.xlsx"),
        community="jxhy",
        user=office.head.username,
        stdout=out,
    )

    assert "新增房屋 1 户" in out.getvalue()
    exported = tabular.read_rows((tmp_path / "out.xlsx").read_bytes(), filename="out.xlsx")
    assert [r.cells["房号"] for r in exported] == ["3-2-1502", "5-1-101"]
    with pytest.raises(CommandError, match="只有本小区"):
        call_command(
            "import_households",
            str(source),
            community="bjy",
            user=office.receptionist.username,
        )
    with pytest.raises(CommandError, match="看不到小区 bjy"):
        call_command(
            "export_households",
            str(tmp_path / "b.csv"),
            community="bjy",
            user=office.receptionist.username,
        )
    assert not (tmp_path / "b.csv").exists()


# --- the back office ----------------------------------------------------------------------------


def staff_client(user: User) -> Client:
    """``user`` as a back-office user with every permission on the register's models."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="community"))
    client = Client()
    client.force_login(user)
    return client


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


IMPORT_URL = "admin:community_household_import"
EXPORT_URL = "admin:community_household_export"


def test_admin_superuser_imports_a_good_file(
    office: Office, other_office: Office, clock: FixedClock
) -> None:
    root = f.UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)

    listing = client.get(reverse("admin:community_household_changelist"))
    page = client.get(reverse(IMPORT_URL))
    response = client.post(
        reverse(IMPORT_URL),
        {"community": office.community.pk, "file": upload(xlsx(GOOD_ROWS), "名册.xlsx")},
        follow=True,
    )

    assert reverse(IMPORT_URL) in listing.content.decode()
    assert reverse(EXPORT_URL) in listing.content.decode()
    offered = set(page.context["form"].fields["community"].queryset)
    assert offered == {office.community, other_office.community}
    assert response.redirect_chain[-1][0].endswith(f"?community__id__exact={office.community.pk}")
    assert "导入完成" in response.content.decode()
    assert Household.objects.filter(community=office.community, code="5-1-101").exists()
    # A back-office change like any other: recorded, with who and which community (issue 12).
    event = BackOfficeEvent.objects.get()
    assert (event.actor_id, event.action, event.community_id) == (
        root.pk,
        "add",
        office.community.pk,
    )
    assert "导入完成" not in event.changes[0]["imported"]["summary"]
    assert event.changes[0]["imported"]["summary"]


def test_admin_import_of_a_bad_file_lists_row_errors_and_writes_nothing(
    office: Office, clock: FixedClock
) -> None:
    client = staff_client(office.receptionist)
    data = csv_file([["5-1-101", "120", "王强", "租户", "13700000000"], ["5-1-102", "-3"]])
    before = snapshot()

    response = client.post(
        reverse(IMPORT_URL), {"community": office.community.pk, "file": upload(data, "a.csv")}
    )

    assert response.status_code == 200
    errors: list[RowError] = response.context["errors"]
    assert [(e.row, e.column) for e in errors] == [(3, "面积")]
    html = response.content.decode()
    assert 'id="import-errors"' in html and "面积不能为负数" in html
    assert snapshot() == before


def test_admin_import_offers_and_accepts_only_the_staff_members_communities(
    office: Office, other_office: Office, clock: FixedClock
) -> None:
    client = staff_client(office.receptionist)
    before = snapshot()

    page = client.get(reverse(IMPORT_URL))
    response = client.post(
        reverse(IMPORT_URL),
        {"community": other_office.community.pk, "file": upload(xlsx(GOOD_ROWS), "a.xlsx")},
    )

    assert page.status_code == 200
    assert list(page.context["form"].fields["community"].queryset) == [office.community]
    assert other_office.community.name not in page.content.decode()
    assert response.status_code == 200
    assert "community" in response.context["form"].errors
    assert snapshot() == before


def test_admin_import_is_refused_to_staff_without_an_office_role(office: Office) -> None:
    client = staff_client(office.repair_leader)

    page = client.get(reverse(IMPORT_URL))
    response = client.post(
        reverse(IMPORT_URL),
        {"community": office.community.pk, "file": upload(xlsx(GOOD_ROWS), "a.xlsx")},
    )

    assert list(page.context["form"].fields["community"].queryset) == []
    assert "community" in response.context["form"].errors


def test_admin_export_downloads_only_the_staff_members_communities(
    office: Office, other_office: Office, clock: FixedClock
) -> None:
    client = staff_client(office.receptionist)

    csv_response = client.get(
        reverse(EXPORT_URL), {"community": str(office.community.pk), "format": "csv"}
    )
    xlsx_response = client.get(
        reverse(EXPORT_URL), {"community": str(office.community.pk), "format": "xlsx"}
    )
    refused = client.get(
        reverse(EXPORT_URL), {"community": str(other_office.community.pk), "format": "csv"}
    )
    template = client.get(reverse(EXPORT_URL), {"template": "1"})

    assert csv_response["Content-Disposition"].startswith("attachment")
    body = b"".join(csv_response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "张伟" in body
    assert other_office.household.code in body  # the same code exists in both communities
    assert body.count("张伟") == 1
    rows = tabular.read_rows(b"".join(xlsx_response.streaming_content), filename="x.xlsx")  # type: ignore[attr-defined]
    assert [r.cells["姓名"] for r in rows] == ["张伟"]
    assert refused.status_code == 200
    assert "community" in refused.context["form"].errors
    header = tabular.read_rows(b"".join(template.streaming_content), filename="t.xlsx")  # type: ignore[attr-defined]
    assert header == []


def test_admin_lists_are_scoped_to_the_staff_members_communities(
    office: Office, other_office: Office, clock: FixedClock
) -> None:
    client = staff_client(office.receptionist)
    for o in (office, other_office):
        DutyShift.objects.create(
            team=o.repair,
            user=o.repair_member,
            starts_at=clock.now(),
            ends_at=clock.advance(hours=8),
        )
    lists: dict[str, tuple[type[Model], str]] = {
        "household": (Household, "community_id"),
        "resident": (Resident, "household__community_id"),
        "building": (Building, "community_id"),
        "team": (Team, "community_id"),
        "dutyshift": (DutyShift, "team__community_id"),
        "community": (Community, "id"),
    }

    for name, (model, path) in lists.items():
        response = client.get(reverse(f"admin:community_{name}_changelist"))
        shown = {obj.pk for obj in response.context["cl"].result_list}
        mine = set(
            model._default_manager.filter(**{path: office.community.pk}).values_list(
                "pk", flat=True
            )
        )
        assert shown == mine, name
        assert mine

    other = client.get(
        reverse("admin:community_household_change", args=[other_office.household.pk])
    )
    assert other.status_code == 302  # "does not exist" → back to the list, nothing shown


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exported_text_is_never_run_as_a_formula_and_still_round_trips(
    office: Office, clock: FixedClock, fmt: str
) -> None:
    """CSV/formula injection (CWE-1236): "=…" stays text in the file Excel opens."""
    rows = [
        tabular.SheetRow(2, {"房号": "4-1-101", "姓名": "@小明", "身份": "业主", "备注": "=1+1"})
    ]
    assert household_import(
        community=office.community, by=office.head, now=clock.now(), rows=rows
    ).ok
    data = tabular.household_file(household_export_rows(office.head, office.community.pk), fmt=fmt)

    if fmt == "csv":
        assert "4-1-101,,'@小明,业主,,'=1+1" in data.decode("utf-8-sig")
    else:
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet is not None
        assert (sheet["F3"].value, sheet["F3"].data_type) == ("=1+1", "s")
    back = tabular.read_rows(data, filename=f"x.{fmt}")
    assert (back[1].cells["姓名"], back[1].cells["备注"]) == ("@小明", "=1+1")
    again = run_import(office, clock, data, f"x.{fmt}")
    assert (again.households_created, again.residents_created, again.households_updated) == (
        0,
        0,
        0,
    )


def test_a_phone_typed_by_hand_elsewhere_is_matched_and_normalised_fd2(
    office: Office, clock: FixedClock
) -> None:
    """FD-2: the desk finds residents by normalised phone, so the import normalises old ones."""
    Resident.objects.filter(household=office.household).update(phone="138-1234-5678")

    report = run_import(
        office, clock, xlsx([["3-2-1502", None, "张伟", "业主", 13812345678]]), "a.xlsx"
    )

    assert (report.residents_created, report.residents_updated) == (0, 1)
    assert list(office.household.residents.values_list("phone", flat=True)) == ["13812345678"]


def test_admin_resident_form_normalises_the_phone_and_keeps_to_own_households_fd2(
    office: Office, other_office: Office
) -> None:
    """FD-2: a phone typed in the back office is stored the way the desk looks it up."""
    client = staff_client(office.receptionist)
    url = reverse("admin:community_resident_add")
    form = {"name": "刘洋", "relation": "tenant", "phone": "0755-8888 1234 转 801"}

    added = client.post(url, {**form, "household": office.household.pk})
    refused = client.post(url, {**form, "name": "外人", "household": other_office.household.pk})

    assert added.status_code == 302
    resident = Resident.objects.get(name="刘洋")
    assert (resident.household_id, resident.phone, resident.phone_ext) == (
        office.household.pk,
        "075588881234",
        "801",
    )
    assert refused.status_code == 200
    assert "household" in refused.context["adminform"].form.errors
    assert not Resident.objects.filter(name="外人").exists()


def test_import_queries_do_not_grow_with_the_rows(office: Office, clock: FixedClock) -> None:
    """Bulk reads and writes: a register of 80 rows costs the queries of one of 20."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n: int, building: str) -> int:
        rows = [[f"{building}-1-{r}", 90, f"住户{r}", "业主", f"1370000{r:04d}"] for r in range(n)]
        with CaptureQueriesContext(connection) as captured:
            assert run_import(office, clock, xlsx(rows), "a.xlsx").ok
        return len(captured)

    queries(1, "19")  # the user's roles are now cached on the user object
    assert queries(20, "20") == queries(80, "21")
