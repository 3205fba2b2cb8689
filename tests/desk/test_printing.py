"""The printable 《服务工作单》: a one-page A4 PDF in Chinese with what the office knows, the
timeline so far, blank boxes for the team to fill in by hand, and a QR code that opens the
order."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from propdesk.core.clock import FixedClock
from propdesk.core.pdf import QR_QUIET_ZONE, qr_drawing, qr_matrix
from propdesk.desk.models import WorkOrder
from propdesk.desk.printing import QR_SIZE, chinese_time, work_order_pdf
from propdesk.desk.selectors import access_work_order
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from tests import factories as f
from tests.conftest import Office
from tests.pdfs import A4_MEDIABOX, page_count, pages, pdf_text, qr_cells

URL = "https://desk.example.cn/desk/jobs/{}/"
WIDTH, HEIGHT = A4


def open_order(office: Office, clock: FixedClock, **kw) -> WorkOrder:
    draft = WorkOrderDraft(
        kind="repair",
        description="厨房水龙头漏水，滴个不停，业主下午三点后在家。",
        household=office.household,
        reporter_name="张伟",
        reporter_phone="13812345678",
        location="厨房",
    )
    for k, v in kw.items():
        setattr(draft, k, v)
    return work_order_create(
        community=office.community, by=office.receptionist, now=clock.now(), draft=draft
    )


def act(order: WorkOrder, action: str, by, clock: FixedClock, **kw) -> None:
    order.refresh_from_db()
    work_order_transition(
        order_id=order.pk, action=action, by=by, now=clock.now(), version=order.version, **kw
    )


def print_order(office: Office, order: WorkOrder, clock: FixedClock) -> bytes:
    seen = access_work_order(office.head, order.pk)
    return work_order_pdf(
        seen, job_url=URL.format(order.pk), printed_at=clock.now(), printed_by=office.head
    )


@pytest.fixture
def dispatched(office, clock) -> WorkOrder:
    item = f.ServiceItemFactory(company=office.community.company, name="更换水龙头")
    order = open_order(office, clock, service_item=item)  # straight to the repair team's pool
    clock.advance(minutes=5)
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    clock.advance(minutes=4)
    act(order, "accept", office.repair_member, clock)
    clock.advance(minutes=20)
    act(order, "check_in", office.repair_member, clock)
    clock.advance(minutes=1)
    return order


def test_the_form_is_one_a4_page_in_chinese_with_every_field(office, clock, dispatched) -> None:
    pdf = print_order(office, dispatched, clock)

    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"STSong-Light" in pdf and A4_MEDIABOX in pdf
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    for words in (
        "锦绣物业",
        "锦绣花园",
        "服务工作单",
        dispatched.number,
        "报修",  # the kind (GLOSSARY.md: a repair request is 报修)
        "3-2-1502",
        "张伟",
        "13812345678",
        "厨房水龙头漏水，滴个不停，业主下午三点后在家。",
        "维修班",
        str(office.repair_member),
        "更换水龙头",
        "1小时",
        "30.00元",
        "1. 上门确认",
        "4. 试水",
        # hand-filled boxes
        "到场时间",
        "完工时间",
        "使用材料",
        "收费",
        "处理结果",
        "很满意",
        "基本满意",
        "不太满意",
        "不满意",
        "业主签名",
        "维修工签名",
    ):
        assert words in text, words


def test_times_are_the_communitys_local_time_in_chinese(office, clock, dispatched) -> None:
    """The clock stands at 02:00 UTC on 26 November: 10:00 in Shanghai."""
    text = pdf_text(print_order(office, dispatched, clock))

    assert "报事时间" in text and "2026年11月26日 10:00" in text  # opened
    for step, at in (("派单给成员", "10:05"), ("已接单", "10:09"), ("到场", "10:29")):
        assert f"2026年11月26日 {at}{step}" in text, step
    assert f"打印时间：2026年11月26日 10:30　打印人：{office.head}" in text


def test_chinese_time_has_no_leading_zeros_in_the_date_and_crosses_midnight_locally() -> None:
    at = datetime(2026, 1, 5, 16, 5, tzinfo=UTC)
    assert chinese_time(at, ZoneInfo("Asia/Shanghai")) == "2026年1月6日 00:05"
    assert chinese_time(at, ZoneInfo("Asia/Urumqi")) == "2026年1月5日 22:05"
    assert chinese_time(None, ZoneInfo("Asia/Shanghai")) == ""


def test_the_qr_code_in_the_corner_is_the_orders_url(office, clock, dispatched) -> None:
    url = URL.format(dispatched.pk)
    (page,) = pages(print_order(office, dispatched, clock))

    cells, module, left, top = qr_cells(page)
    expected = {
        (r, c) for r, row in enumerate(qr_matrix(url)) for c, dark in enumerate(row) if dark
    }
    assert cells == expected
    n = len(qr_matrix(url))
    assert module == pytest.approx(QR_SIZE / (n + 2 * QR_QUIET_ZONE))
    # top right corner, the number printed under it
    assert left > WIDTH / 2 and top > HEIGHT - 40 * mm
    under = [t for t in page.texts if t.text == dispatched.number and t.y < top - n * module]
    assert under and left - 5 * mm < under[0].x < left + n * module


def test_the_qr_drawing_is_segnos_matrix_of_the_url() -> None:
    url = "https://desk.example.cn/desk/orders/42/"
    rows = qr_matrix(url)
    drawing = qr_drawing(url, 100)
    module = 100 / (len(rows) + 2 * QR_QUIET_ZONE)

    drawn = set()
    for rect in drawing.contents:
        row = round((100 - rect.y - rect.height) / module) - QR_QUIET_ZONE
        first = round(rect.x / module) - QR_QUIET_ZONE
        drawn |= {(row, c) for c in range(first, first + round(rect.width / module))}
    assert drawn == {(r, c) for r, row in enumerate(rows) for c, dark in enumerate(row) if dark}
    assert qr_matrix(url) != qr_matrix(url.replace("42", "43"))


def test_complaint_type_and_flags_print_when_present(office, clock) -> None:
    order = open_order(
        office, clock, kind="complaint", complaint_type="written", description="楼上装修噪音"
    )
    act(order, "flag", office.head, clock, flags={"is_important": True, "is_long_running": True})

    text = pdf_text(print_order(office, order, clock))

    assert "投诉类型" in text and "书面投诉" in text
    assert "重要、长期" in text and "施工遗留" not in text
    plain = pdf_text(print_order(office, open_order(office, clock), clock))
    assert "投诉类型" not in plain and "标记" not in plain


def test_an_emergency_prints_as_its_own_kind_not_a_type_of_complaint(office, clock) -> None:
    order = open_order(office, clock, kind="complaint", complaint_type="emergency")

    text = pdf_text(print_order(office, order, clock))

    assert "紧急事件" in text
    assert "投诉类型" not in text and "投诉" not in text.replace("投诉人", "")


def test_an_order_without_household_team_or_item_prints_blanks(office, clock) -> None:
    """A kind routed to a team the community does not have: the order has no team yet."""
    office.community.policy = {"routing": {"other": "security"}}
    office.community.save()
    order = open_order(
        office, clock, kind="other", household=None, reporter_name="", reporter_phone=""
    )
    assert (order.household, order.team, order.service_item, order.assignee) == (
        None,
        None,
        None,
        None,
    )

    pdf = print_order(office, order, clock)

    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    # An order of kind "other" is handled (处理人), not repaired (维修人员).
    for label in ("房号", "派单班组", "处理人", "服务项目", "时间标准", "收费标准", "标准步骤"):
        assert label in text, label
    assert "3-2-1502" not in text and "维修班" not in text and "None" not in text
    assert "厨房" in text  # the location stands in for the household


def test_a_very_long_description_continues_on_the_next_page_within_the_margins(
    office, clock
) -> None:
    description = "楼道墙面渗水，" * 900 + "A" * 400 + "。尾"  # no spaces anywhere to break at
    order = open_order(office, clock, description=description)

    pdf = print_order(office, order, clock)

    assert page_count(pdf) >= 2
    drawn = pages(pdf)
    assert len(drawn) == page_count(pdf)
    everything = "".join(p.text for p in drawn)
    # nothing lost (lines break inside words, so count what only the description has)
    assert (everything.count("渗"), everything.count("A"), everything.count("尾")) == (900, 400, 1)
    for n, page in enumerate(drawn, 1):
        assert f"第{n}页" in page.text
        for t in page.texts:
            assert 15 * mm - 0.5 <= t.x and t.x + t.width <= WIDTH - 15 * mm + 0.5, t
            assert 5 * mm <= t.y <= HEIGHT - 10 * mm, t
    # the boxes to fill in by hand come once, whole, after the description
    assert everything.count("业主签名") == 1
    assert all(w in drawn[-1].text for w in ("现场填写", "到场时间", "使用材料", "维修工签名"))


def test_text_typed_by_users_is_printed_not_interpreted(office, clock) -> None:
    order = open_order(office, clock, description="<b>漏水</b> & <font size=80>大</font>")

    text = pdf_text(print_order(office, order, clock))

    assert "<b>漏水</b> & <font size=80>大</font>" in text


def test_every_step_of_the_road_prints_on_the_timeline(office, clock) -> None:
    """Taking from the pool (抢单), transferring (转单) and taking a complaint (受理) are steps of
    the road like any other: each prints with its time."""
    order = open_order(office, clock)
    clock.advance(minutes=5)
    act(order, "claim", office.repair_leader, clock)
    clock.advance(minutes=4)
    act(order, "transfer", office.repair_leader, clock, assignee=office.repair_member, note="换人")
    complaint = open_order(office, clock, kind="complaint", description="楼上装修噪音")
    clock.advance(minutes=2)
    act(complaint, "take", office.administrator, clock)
    clock.advance(minutes=10)  # printed at 10:21, after every step

    text = pdf_text(print_order(office, order, clock))
    for at in ("10:00", "10:05", "10:09"):
        assert f"2026年11月26日 {at}" in text, at
    assert "换人" in text
    assert "2026年11月26日 10:11" in pdf_text(print_order(office, complaint, clock))


def test_the_form_shows_each_wait_and_what_the_order_waits_for_now(office, clock, dispatched):
    """Issue 16: each wait is a line of 办理记录 (等待 · 业主不在家 with its reason; 结束等待 with
    how long it lasted) and a waiting order's state says what it waits for and since when."""
    member = office.repair_member
    act(dispatched, "wait", member, clock, waiting="owner_absent", note="敲门无人")
    clock.advance(hours=2, minutes=5)
    act(dispatched, "end_wait", member, clock)
    act(dispatched, "wait", member, clock, waiting="parts", note="缺角阀")
    text = pdf_text(print_order(office, dispatched, clock))
    assert "业主不在家：敲门无人" in text
    assert "暂停2小时5分钟" in text
    assert "待料：缺角阀" in text
    since = chinese_time(clock.now(), ZoneInfo("Asia/Shanghai"))
    assert f"（待料，{since}起）" in text
