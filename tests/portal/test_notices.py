"""The notices a resident reads in the portal (公告, the posted notices of RV-7): the posted ones of
their community, for the whole community or for their own building, newest first, with the photo
of the board; another community's or another building's notice is not found."""

from __future__ import annotations

from datetime import timedelta

import pytest

from propdesk.followup.services import notice_post, notice_write
from propdesk.portal.views_notices import community_activities
from tests import factories as f
from tests.followup.conftest import sh
from tests.followup.test_issues import photo

T0 = sh(2026, 11, 26, 10, 0)
PHONE = "13911112222"  # 3-2-1502, building 3 (13812345678 is on both offices' registers)


def notice(office, title: str, *, at, building=None, posted: bool = True):
    n = notice_write(
        community=office.community,
        by=office.administrator,
        now=at,
        title=title,
        body=f"{title}的正文",
        building=building,
    )
    if posted:
        notice_post(notice_id=n.pk, by=office.administrator, now=at, photo=photo())
    return n


@pytest.fixture
def board(office, other_office):
    f.ResidentFactory(household=office.household, name="张敏", phone=PHONE)
    b3 = office.household.unit.building
    b5 = f.BuildingFactory(community=office.community, number="5")
    return {
        "all": notice(office, "停水通知", at=T0),
        "mine": notice(office, "3栋电梯检修", at=T0 + timedelta(hours=1), building=b3),
        "other_building": notice(office, "5栋外墙清洗", at=T0 + timedelta(hours=2), building=b5),
        "draft": notice(office, "未张贴的通知", at=T0 + timedelta(hours=3), posted=False),
        "other_community": notice(other_office, "滨江苑停电", at=T0 + timedelta(hours=4)),
    }


def test_rv7_residents_read_their_communitys_and_their_buildings_posted_notices_newest_first(
    board, resident_client
):
    page = resident_client(PHONE).get("/portal/notices/").content.decode()
    assert page.index("3栋电梯检修") < page.index("停水通知")
    for hidden in ("5栋外墙清洗", "未张贴的通知", "滨江苑停电"):
        assert hidden not in page
    assert "全小区" in page


def test_rv7_a_notice_shows_its_text_and_the_photo_of_the_board(board, resident_client):
    c = resident_client(PHONE)
    n = board["mine"]
    page = c.get(f"/portal/notices/{n.pk}/").content.decode()
    assert "3栋电梯检修的正文" in page
    [p] = n.photos.all()
    assert f"/portal/notices/{n.pk}/photos/{p.pk}/" in page
    r = c.get(f"/portal/notices/{n.pk}/photos/{p.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"


@pytest.mark.parametrize("which", ["other_building", "draft", "other_community"])
def test_rv7_a_notice_not_for_the_resident_is_not_found(board, resident_client, which):
    c = resident_client(PHONE)
    n = board[which]
    assert c.get(f"/portal/notices/{n.pk}/").status_code == 404
    for p in n.photos.all():
        assert c.get(f"/portal/notices/{n.pk}/photos/{p.pk}/").status_code == 404
    # Another notice's photo under this notice's address is not served either.
    mine = board["mine"].pk
    for p in n.photos.all():
        assert c.get(f"/portal/notices/{mine}/photos/{p.pk}/").status_code == 404


def test_rv7_a_number_on_two_communities_registers_reads_both_with_the_community_named(
    board, resident_client
):
    page = resident_client("13812345678").get("/portal/notices/").content.decode()
    assert "滨江苑停电" in page and "停水通知" in page and "锦绣花园" in page


def test_rv7_a_resident_of_building_5_reads_its_notice_and_not_building_3s(
    office, board, resident_client
):
    b5 = board["other_building"].building
    h = f.HouseholdFactory(unit=f.UnitFactory(building=b5, number="1"), community=office.community)
    f.ResidentFactory(household=h, name="王五", phone="13900000005")
    page = resident_client("13900000005").get("/portal/notices/").content.decode()
    assert "5栋外墙清洗" in page and "停水通知" in page and "3栋电梯检修" not in page


def test_the_notices_list_reads_in_a_fixed_number_of_queries(
    office, board, resident_client, django_assert_max_num_queries
):
    c = resident_client(PHONE)
    with django_assert_max_num_queries(8):
        assert c.get("/portal/notices/").status_code == 200


def test_the_console_writes_a_notice_for_one_building(office):
    b3 = office.household.unit.building
    n = notice(office, "3栋停电", at=T0, building=b3, posted=False)
    assert n.building == b3


def test_no_announced_activity_lists_none_under_the_notices(office):
    assert community_activities([office.household]) == []


def test_a_notice_photo_is_not_served_to_nobody(board):
    from django.test import Client

    n = board["mine"]
    [p] = n.photos.all()
    assert Client().get(f"/portal/notices/{n.pk}/photos/{p.pk}/").status_code == 404


def test_the_consoles_notice_form_offers_the_building_and_defaults_to_the_issues(office, clock):
    from django.test import Client

    from propdesk.desk.services import WorkOrderDraft, work_order_create
    from propdesk.followup.models import Notice
    from propdesk.followup.services import common_issue_open

    b3 = office.household.unit.building
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="电梯异响", household=office.household),
    )
    issue = common_issue_open(
        community=office.community,
        by=office.administrator,
        now=clock.now(),
        title="3栋电梯异响",
        building=b3,
        area="",
        item_ids=[],
        order_ids=[order.pk],
    )
    c = Client()
    c.force_login(office.administrator)
    url = f"/desk/{office.community.pk}/issues/"
    page = c.get(url).content.decode()
    assert f'<option value="{b3.pk}" selected>' in page and "全小区" in page
    r = c.post(url, {"form": "notice", "id": issue.pk, "title": "电梯检修", "body": "周五检修"})
    assert r.status_code == 302
    assert Notice.objects.get().building is None  # nothing chosen: the whole community
    c.post(
        url,
        {"form": "notice", "id": issue.pk, "title": "3栋", "body": "周五", "building": b3.pk},
    )
    assert Notice.objects.get(title="3栋").building == b3
