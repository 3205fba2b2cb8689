"""The printed 《服务工作单》 of an order that was worked on: it shows everything entered (arrival,
completion with its result, who did it and when, materials, fee, the replies, the owner's answer
on the return visit), in the words of its kind (a complaint's 投诉人, 处理人, 办结; GLOSSARY.md),
and its QR code opens the technician's phone job page. Printed before the work, its boxes stay
blank to be filled in by hand."""

from __future__ import annotations

import re
from decimal import Decimal

from django.urls import reverse

from propdesk.core.glyphs import MISSING
from propdesk.core.pdf import qr_matrix
from propdesk.followup.services import VisitDraft, return_visit_record
from tests.desk.test_printing import act, open_order, print_order
from tests.pdfs import pages, pdf_text, qr_cells
from tests.web.conftest import browser_for

UNTICKED = ("很满意", "满意", "基本满意", "不太满意", "不满意")


def visit(office, clock, order, level: str, opinion: str) -> None:
    order.refresh_from_db()
    return_visit_record(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=VisitDraft(
            kind="complaint" if order.kind == "complaint" else "order",
            order=order,
            level=level,
            opinion=opinion,
        ),
    )


def completed_repair(office, clock):
    order = open_order(office, clock)  # 10:00, to the repair team's pool
    clock.advance(minutes=5)
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    act(order, "accept", office.repair_member, clock)
    clock.advance(minutes=20)
    act(order, "check_in", office.repair_member, clock)  # 10:25
    clock.advance(minutes=40)
    act(
        order,
        "resolve",
        office.repair_member,
        clock,
        note="更换阀芯，试水无渗漏",
        materials="水龙头阀芯1个、生料带",
        fee=Decimal("45.00"),
    )  # 11:05
    clock.advance(minutes=30)
    visit(office, clock, order, "very_satisfied", "师傅很细心")  # 11:35
    clock.advance(minutes=5)
    return order


def test_ds1_a_completed_repair_prints_everything_that_was_entered(office, clock) -> None:
    """DS-1, RV-6: the team completed with notes, materials and fee; the owner answered the
    return visit. The form shows each of them in its box, with who and when."""
    order = completed_repair(office, clock)

    text = pdf_text(print_order(office, order, clock))

    member = str(office.repair_member)
    for words in (
        "到场时间2026年11月26日 10:25",
        "完工时间2026年11月26日 11:05",
        f"完工人{member}",
        "使用材料水龙头阀芯1个、生料带",
        "收费45.00元",
        "处理结果更换阀芯，试水无渗漏",
        "完工情况（据系统记录，空白处手写）",
        f"2026年11月26日 11:35 电话 {office.receptionist}：师傅很细心",
        "当前状态已完工",
        "业主签名",
        "维修工签名",
    ):
        assert words in text, words
    # the owner's level is ticked, the others stay open boxes
    assert "■\u3000很满意" in text
    assert all(f"□\u3000{x}" in text for x in UNTICKED[1:])
    assert "报修人" not in text and "派工" not in text


def test_a_form_printed_before_the_work_keeps_its_blank_lines(office, clock) -> None:
    order = open_order(office, clock)

    text = pdf_text(print_order(office, order, clock))

    assert "现场填写（维修工手写，业主确认）" in text
    # Room to write in: no-break spaces in the layout, drawn as ideographic spaces (one em).
    blank_time = "\u3000" * 4 + "年" + "\u3000" * 2 + "月"
    assert text.count(blank_time) == 2  # arrival and completion, to write in
    assert "\u3000" * 6 + "元" in text  # the fee, to write in
    assert all(f"□\u3000{x}" in text for x in UNTICKED) and "■" not in text
    assert "完工情况" not in text and "完工人" in text


def test_cp6_a_complaint_prints_with_the_complaints_words(office, clock) -> None:
    """CP-6, CP-2: a complaint is 投诉 with its 投诉人, taken (受理) and handled to the end (办结)
    by its 处理人, never 报修 or 完工; the replies to the owner and the follow-up print."""
    order = open_order(
        office, clock, kind="complaint", complaint_type="general", description="电梯噪音大"
    )
    clock.advance(minutes=3)
    act(order, "take", office.administrator, clock)  # 10:03
    clock.advance(minutes=30)
    act(order, "reply", office.administrator, clock, channel="phone", note="已联系电梯公司")
    clock.advance(hours=2)
    act(order, "resolve", office.administrator, clock, note="更换导轨滑块，噪音消除")  # 12:33
    clock.advance(hours=1)
    visit(office, clock, order, "satisfied", "问题已解决")

    text = pdf_text(print_order(office, order, clock))

    admin = str(office.administrator)
    for words in (
        "投诉时间2026年11月26日 10:00",
        "投诉人/电话张伟",
        f"处理人{admin}",
        "受理时间2026年11月26日 10:03",
        "办结时间2026年11月26日 12:33",
        f"办结人{admin}",
        f"答复业主2026年11月26日 10:33 电话 {admin}：已联系电梯公司",
        "处理结果更换导轨滑块，噪音消除",
        "问题已解决",
        "处理人签名",
        "办结",  # the timeline's word for its resolve
    ):
        assert words in text, words
    for wrong in ("报修", "报事", "完工", "维修工", "维修人员", "派工", "使用材料"):
        assert wrong not in text, wrong


def test_the_qr_of_the_printed_form_opens_the_technicians_job_page(office, clock) -> None:
    """Through the console's print view: the QR code drawn is the job page's URL, not the
    desktop order page's."""
    order = open_order(office, clock)

    r = browser_for(office.repair_leader).get(reverse("desk-order-print", args=[order.pk]))

    assert r.status_code == 200 and r["Content-Disposition"].startswith("inline;")
    (page,) = pages(r.content)
    cells = qr_cells(page)[0]
    job = f"http://testserver{reverse('desk-job', args=[order.pk])}"
    assert job == f"http://testserver/desk/jobs/{order.pk}/"

    def dark(url: str) -> set[tuple[int, int]]:
        return {(r, c) for r, row in enumerate(qr_matrix(url)) for c, on in enumerate(row) if on}

    assert cells == dark(job)
    assert cells != dark(f"http://testserver{reverse('desk-order', args=[order.pk])}")


def test_an_emoji_in_the_description_prints_as_the_visible_placeholder(office, clock) -> None:
    order = open_order(
        office, clock, description="水管爆了😭请快来👨‍👩‍👧，业主𠀀先生", reporter_name="王🌟"
    )

    text = pdf_text(print_order(office, order, clock))

    assert f"水管爆了{MISSING}请快来{MISSING}，业主{MISSING}先生" in text
    assert f"王{MISSING}" in text
    # nothing else stands in for them: no surrogate halves, no replacement character
    assert not re.search("[\ud800-\udfff\ufffd]", text)
    assert "😭" not in text and "🌟" not in text


def test_rv3_a_complaints_return_visit_ticks_the_owners_level(office, clock) -> None:
    """RV-3, CP-2: a complaint's answered return visit is written on the order as its follow-up
    (跟踪回访); the form ticks its level as it does a repair's, from the latest answered visit
    (a later call nobody answered changes nothing)."""
    order = open_order(
        office, clock, kind="complaint", complaint_type="general", description="电梯噪音大"
    )
    act(order, "take", office.administrator, clock)
    clock.advance(hours=1)
    act(order, "resolve", office.administrator, clock, note="更换导轨滑块，噪音消除")
    clock.advance(hours=1)
    visit(office, clock, order, "satisfied", "问题已解决")
    clock.advance(hours=1)
    order.refresh_from_db()
    return_visit_record(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=VisitDraft(kind="complaint", order=order, outcome="no_answer"),
    )

    text = pdf_text(print_order(office, order, clock))

    assert "回访：满意" in text  # the follow-up's note, as before
    assert "■\u3000满意" in text
    assert text.count("■") == 1
    assert all(f"□\u3000{x}" in text for x in UNTICKED if x != "满意")
