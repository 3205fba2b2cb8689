"""The work order as the paper form 《服务工作单》: A4 portrait, Chinese whatever the user's UI
language (the office's words for the kind of order, desk.paper), a QR code that opens the
technician's phone job page, what the office knows so far, and the boxes of the work (arrival,
completion, materials, fee, result, the owner's rating and signatures, desk.paper_form): filled
with what was entered, blank to fill in by hand where nothing was, so a team without phones can
work on paper and the office can file the completed form."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from propdesk.community.models import User
from propdesk.core.pdf import cid_font, para, qr_drawing
from propdesk.core.rule_names import rule_text
from propdesk.desk.models import EventAction, WorkOrder
from propdesk.desk.paper import state_label, words_for
from propdesk.desk.paper_form import (
    COLUMNS,
    LABEL_GREY,
    NBSP,
    chinese_time,
    fee_text,
    form_table,
    styles,
    work_block,
)
from propdesk.desk.selectors import order_reporter, work_order_timeline
from propdesk.desk.waiting import waiting_titles, waiting_words
from propdesk.policy.workflow import ACTIONS

TITLE = "服务工作单"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN  # 180 mm
QR_SIZE = 28 * mm
FLAGS = (
    ("is_important", "重要"),
    ("is_long_running", "长期"),
    ("is_construction_legacy", "施工遗留"),
    ("is_urgent", "急修"),
)
# What a clock's outcome is called on paper (GLOSSARY.md, 时限).
CLOCK_STATES = {"running": "", "met": "按时", "breached": "超时"}
# The timeline's lines printed on paper: the state machine's actions and the opening (not the
# attachments, return visits or emergency calls), each in the words of the timeline
# (desk.models.EventAction), in Chinese whatever the printer's language.
PRINTED_STEPS = frozenset({"create", "appoint", *ACTIONS})
CELL_PADDING = 6
DESCRIPTION_BLOCK = 10 * 14  # points: about ten lines a table row
LONG_DESCRIPTION = 300  # characters past which the description is set smaller


def _minutes(total: int) -> str:
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else ""]
    parts.append(f"{minutes}分钟" if minutes or not (days or hours) else "")
    return "".join(parts)


def _state(order: WorkOrder, words: Any, titles: dict[str, str]) -> str:
    """The state printed; a waiting order says what it waits for and since when (issue 16)."""
    label = state_label(order, words)
    if not order.waiting:
        return label
    since = chinese_time(order.waiting_since, ZoneInfo(order.community.time_zone))
    return f"{label}（{titles.get(order.waiting, order.waiting)}，{since}起）"


def _note(entry: dict[str, Any], titles: dict[str, str]) -> str:
    """A printed line's note; a wait's line says what it waited for and how long (issue 16)."""
    extra = waiting_words(entry["what"], entry.get("data") or {}, titles)
    return "：".join(x for x in (extra, entry["note"] or "") if x)


def _description(label: Paragraph, text: Paragraph, font: str) -> Table:
    """The description in the form's ruling, cut into blocks of a few lines, one table row each
    without a rule between them: a long description then goes on over the next page from where
    the page ends (ReportLab's own splitting of one tall row leaves its height behind, blank)."""
    widths = [COLUMNS[0], sum(COLUMNS[1:])]
    inner = widths[1] - 2 * CELL_PADDING
    blocks: list[Flowable] = []
    rest: Flowable = text
    while True:
        _w, height = rest.wrap(inner, PAGE_HEIGHT)
        parts = rest.split(inner, DESCRIPTION_BLOCK) if height > DESCRIPTION_BLOCK else []
        if len(parts) < 2:
            blocks.append(rest)
            break
        blocks.append(parts[0])
        rest = parts[1]
    rows = [[label if i == 0 else "", block] for i, block in enumerate(blocks)]
    return Table(
        rows,
        colWidths=widths,
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBEFORE", (0, 0), (0, -1), 1.2, colors.black),
                ("LINEBEFORE", (1, 0), (1, -1), 0.6, colors.black),
                ("LINEAFTER", (-1, 0), (-1, -1), 1.2, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), LABEL_GREY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, 0), 4),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 4),
                # a page break between blocks closes the box at the foot of the page
                ("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 0.6, colors.black),
                ("LINEABOVE", (0, "splitfirst"), (-1, "splitfirst"), 0.6, colors.black),
            ]
        ),
    )


def work_order_pdf(
    order: WorkOrder, *, job_url: str, printed_at: datetime, printed_by: User
) -> bytes:
    """The printable 《服务工作单》 of ``order`` as PDF bytes: A4 portrait, one page for an
    ordinary order; a long description or timeline continues on further pages, never off the
    page. ``job_url`` is what the QR code in the top right corner opens (the technician's phone
    job page). Times, ``printed_at`` included, are shown in the community's time zone. What was
    entered on the order (arrival, completion and its result, materials, fee, replies, the owner's
    answer on the return visit) fills its boxes; the rest print blank, to fill in by hand.
    The reporter's phone is printed as ``printed_by`` may read it (masked unless they call
    owners: desk.selectors.order_reporter).
    ``order`` is best fetched with desk.selectors.access_work_order (its events and related rows
    come prefetched)."""
    with translation.override("zh-hans"):
        return _render(order, job_url=job_url, printed_at=printed_at, printed_by=printed_by)


def _render(order: WorkOrder, *, job_url: str, printed_at: datetime, printed_by: User) -> bytes:
    font = cid_font()
    st = styles(font)
    community = order.community
    tz = ZoneInfo(community.time_zone)

    def p(text: str | None, style: str = "body", blank: str = "") -> Any:
        return para(text, st[style], blank=blank)

    words = words_for(order)
    titles = waiting_titles(community.policy)
    story: list[Flowable] = [_header(order, job_url, st), Spacer(1, 3 * mm)]

    # An emergency is its own kind (紧急事件), never a type of complaint.
    kind = order.kind_label if order.is_emergency else order.get_kind_display()
    complaint_type = (
        order.get_complaint_type_display()
        if order.complaint_type and not order.is_emergency
        else ""
    )
    flags = "、".join(label for name, label in FLAGS if getattr(order, name))
    top: list[list[Any]] = [[p("编号", "label"), p(order.number), p("类别", "label"), p(kind)]]
    if complaint_type or flags:
        top.append(
            [
                p("投诉类型", "label"),
                p(complaint_type),
                p("标记", "label"),
                p(flags),
            ]
        )
    # The reporter's phone as the printer may read it away from the order's own page
    # (phone_as_seen, through desk.selectors.order_reporter): whole for the roles that call
    # owners, 138****1234 for a team, its leader or company leadership, and for the order's
    # assignee too: paper lies about; the number to call is on the order's page.
    seen = order_reporter(printed_by, order)
    reporter = "　".join(x for x in (seen.name, seen.phone_display) if x)
    top += [
        [
            p(words.opened, "label"),
            p(chinese_time(order.created_at, tz)),
            p("当前状态", "label"),
            p(_state(order, words, titles)),
        ],
        [
            p("房号", "label"),
            p(order.household.code if order.household else ""),
            p(f"{words.reporter}/电话", "label"),
            p(reporter),
        ],
        # Issue 16: the agreed time beside the place, and each clock with its deadline (时限).
        [
            p("地点", "label"),
            p(_where(order)),
            p("预约上门时间", "label"),
            p(chinese_time(order.appointment_at, tz)),
        ],
        [p("时限", "label"), p(_clocks_text(order, tz), "small")],
    ]
    story.append(form_table(top, font, bottom=False))
    description_style = "long" if len(order.description) > LONG_DESCRIPTION else "body"
    story.append(_description(p("内容", "label"), p(order.description, description_style), font))
    assignee = order.assignee
    worker = "　".join(x for x in (str(assignee), assignee.phone) if x) if assignee else ""
    item = order.service_item
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(item.steps or [], 1)) if item else ""
    bottom: list[list[Any]] = [
        [
            p("派单班组", "label"),
            p(order.team.name if order.team else ""),
            p(words.worker, "label"),
            p(worker),
        ],
        [p("服务项目", "label"), p(f"{item.code}{NBSP * 2}{item.name}" if item else "")],
        [
            p("时间标准", "label"),
            p(_minutes(item.time_standard_minutes) if item else ""),
            p("收费标准", "label"),
            p(fee_text(item.fee, item.fee_note) if item else ""),
        ],
        [p("标准步骤", "label"), p(steps, "small")],
    ]
    story.append(form_table(bottom, font, top=False))

    story.append(p("办理记录", "head"))
    timeline = [[p(x, "small") for x in ("时间", "环节", "经办人", "说明")]]
    timeline += [
        [
            p(chinese_time(e["at"], tz), "small"),
            p(EventAction.label_for(e["what"], order.kind), "small"),
            p(e["actor"] or "", "small"),
            p(_note(e, titles), "small"),
        ]
        for e in work_order_timeline(order)
        if e["source"] == "event" and e["what"] in PRINTED_STEPS
    ]
    story.append(
        Table(
            timeline,
            colWidths=[36 * mm, 22 * mm, 30 * mm, 92 * mm],
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                    ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), LABEL_GREY),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            ),
            repeatRows=1,
            splitInRow=1,
        )
    )

    story.append(work_block(order, words, tz, st, font))

    footer = f"打印时间：{chinese_time(printed_at, tz)}　打印人：{printed_by}"

    def on_page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN, MARGIN - 2 * mm, PAGE_WIDTH - MARGIN, MARGIN - 2 * mm)
        canvas.drawString(MARGIN, MARGIN - 6 * mm, footer)
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN, MARGIN - 6 * mm, f"{TITLE}　{order.number}　第{doc.page}页"
        )
        canvas.restoreState()

    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=12 * mm,
        bottomMargin=MARGIN,
        title=f"{TITLE} {order.number}",
        author=str(community.company),
        subject=community.name,
    ).build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


def _clocks_text(order: WorkOrder, tz: ZoneInfo) -> str:
    """Each clock of the order not cancelled, nearest deadline first: its name (ID), the
    deadline, and 按时 or 超时 once it is decided."""
    lines = []
    for c in sorted(order.clocks.all(), key=lambda c: (c.due_at, c.pk)):
        if c.state not in CLOCK_STATES:
            continue
        outcome = CLOCK_STATES[c.state]
        if c.state == "breached" and c.met_at is not None:
            outcome = "超时完成"
        lines.append(
            f"{rule_text(c.rule_id, c.title)}{NBSP}{chinese_time(c.due_at, tz)}"
            + (f"{NBSP}{outcome}" if outcome else "")
        )
    return "；".join(lines)


def _where(order: WorkOrder) -> str:
    """The location as written, with the sticker place's label where it does not already say it."""
    place = order.place
    if place is None or place.name in order.location:
        return order.location
    return f"{order.location}（{place.name}）" if order.location else place.name


def _header(order: WorkOrder, job_url: str, st: dict[str, ParagraphStyle]) -> Table:
    """Company and community, the title, and the QR code with the number under it."""
    community = order.community
    left = [
        para(f"{community.company.name}　{community.name}", st["company"]),
        para(TITLE, st["title"]),
    ]
    right = [qr_drawing(job_url, QR_SIZE), para(order.number, st["qr"])]
    return Table(
        [[left, right]],
        colWidths=[CONTENT_WIDTH - QR_SIZE - 4 * mm, QR_SIZE + 4 * mm],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (0, 0), "MIDDLE"),
                ("VALIGN", (1, 0), (1, 0), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                # the title centred on the page, not on its column: pad as wide as the QR
                ("LEFTPADDING", (0, 0), (0, 0), QR_SIZE + 4 * mm),
            ]
        ),
    )
