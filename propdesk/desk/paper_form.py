"""The ruling of the paper 《服务工作单》 (desk.printing): its columns, styles and ruled blocks,
and the block of the work: arrival, completion, materials, fee, result, the replies, the owner's
rating and opinion, the signatures. A box shows what was entered on the order (desk.paper) and is
left blank, with room to write, where nothing was."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Table, TableStyle

from propdesk.core.pdf import para
from propdesk.desk.models import WorkOrder
from propdesk.desk.paper import CHANNELS, Step, Words, record_of

# label, value, label, value: the ruled form's four columns
COLUMNS = [24 * mm, 66 * mm, 24 * mm, 66 * mm]
# Room to write in: no-break spaces, one em wide in this font (ReportLab would collapse ordinary
# and ideographic spaces).
NBSP = "\u00a0"
GAP = NBSP * 3
BLANK_TIME = f"{NBSP * 4}年{NBSP * 2}月{NBSP * 2}日{NBSP * 3}时{NBSP * 2}分"
SATISFACTION = ("很满意", "满意", "基本满意", "不太满意", "不满意")
LABEL_GREY = colors.HexColor("#eeeeee")


def chinese_time(at: datetime | None, tz: ZoneInfo) -> str:
    """``at`` in ``tz`` as 2026年11月26日 10:05; empty for None."""
    if at is None:
        return ""
    local = at.astimezone(tz)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def fee_text(fee: Decimal, note: str) -> str:
    text = f"{fee:.2f}元" if fee else "免费"
    return f"{text}（{note}）" if note else text


def styles(font: str) -> dict[str, ParagraphStyle]:
    def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
        # CJK wrapping breaks a line between any two characters: Chinese has no spaces.
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=size * 1.4, wordWrap="CJK", **kw
        )

    return {
        "title": style("title", 20, alignment=TA_CENTER, spaceBefore=2, spaceAfter=2),
        "company": style("company", 11, alignment=TA_CENTER),
        "label": style("label", 10, alignment=TA_LEFT),
        "body": style("body", 10),
        "long": style("long", 8.5),
        "small": style("small", 8.5),
        "qr": style("qr", 8, alignment=TA_CENTER),
        "head": style("head", 11, spaceBefore=5, spaceAfter=2),
    }


def form_table(
    rows: list[list[Any]],
    font: str,
    *,
    widths: list[float] = COLUMNS,
    heights: list[float | None] | None = None,
    top: bool = True,
    bottom: bool = True,
    split: bool = True,
) -> Table:
    """A ruled block of the form: label, value, label, value; a row of two cells (label, value)
    has its value across the row. Label cells are grey. ``top`` and ``bottom`` draw the form's
    heavy outer line above and below, so blocks stacked without a gap read as one form."""
    cols = len(widths)
    full: list[list[Any]] = []
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("LINEBEFORE", (0, 0), (0, -1), 1.2, colors.black),
        ("LINEAFTER", (-1, 0), (-1, -1), 1.2, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if top:
        style.append(("LINEABOVE", (0, 0), (-1, 0), 1.2, colors.black))
    if bottom:
        style.append(("LINEBELOW", (0, -1), (-1, -1), 1.2, colors.black))
    for r, row in enumerate(rows):
        style.append(("BACKGROUND", (0, r), (0, r), LABEL_GREY))
        if len(row) < cols:
            style.append(("SPAN", (len(row) - 1, r), (-1, r)))
            row = row + [""] * (cols - len(row))
        elif cols == 4:
            style.append(("BACKGROUND", (2, r), (2, r), LABEL_GREY))
        full.append(row)
    # splitInRow: a row taller than what is left of the page goes on over the next one
    return Table(
        full,
        colWidths=widths,
        rowHeights=heights,
        style=TableStyle(style),
        splitInRow=1 if split else 0,
    )


def _step(step: Step | None, tz: ZoneInfo) -> str:
    """A step as one line: 2026年11月26日 10:35 电话 李四：note."""
    if step is None:
        return ""
    parts = (chinese_time(step.at, tz), CHANNELS.get(step.channel, ""), step.by)
    head = " ".join(x for x in parts if x)
    return f"{head}：{step.note}" if step.note else head


def work_block(
    order: WorkOrder, words: Words, tz: ZoneInfo, st: dict[str, ParagraphStyle], font: str
) -> KeepTogether:
    """The boxes of the work, kept together (on the last page if they must): filled with what
    the order's record says, ruled blank boxes with room to write where it says nothing."""
    rec = record_of(order)

    def p(text: str | None, style: str = "body") -> Any:
        return para(text, st[style], blank="")

    def when(step: Step | None) -> Any:
        return p(chinese_time(step.at, tz)) if step else p(BLANK_TIME, "small")

    levels = GAP.join(f"{'■' if x == rec.level else '□'}{NBSP}{x}" for x in SATISFACTION)
    rows: list[list[Any]] = [
        [p(words.started, "label"), when(rec.started), p(words.done, "label"), when(rec.done)],
        [p(words.done_by, "label"), p(rec.done.by if rec.done else "")],
    ]
    heights: list[float | None] = [9 * mm, 9 * mm]
    if words.complaint:
        replies = "\n".join(_step(r, tz) for r in rec.replies)
        rows.append([p("答复业主", "label"), p(replies, "small")])
        heights.append(None if replies else 16 * mm)
    else:
        rows.append([p("使用材料", "label"), p(rec.materials)])
        heights.append(None if rec.materials else 16 * mm)
        fee = fee_text(rec.fee, "") if rec.fee is not None else f"{GAP * 2}元"
        rows.append([p("收费", "label"), p(fee), p("收据编号", "label"), ""])
        heights.append(9 * mm)
    result = rec.done.note if rec.done else ""
    rows.append([p("处理结果", "label"), p(result)])
    heights.append(None if result else 22 * mm)
    rows.append([p("业主评价", "label"), p(levels)])
    heights.append(9 * mm)
    visit = _step(rec.visit, tz)
    rows.append([p("业主意见", "label"), p(visit, "small")])
    heights.append(None if visit else 10 * mm)
    rows.append([p("业主签名", "label"), "", p(f"{words.worker}签名", "label"), ""])
    heights.append(13 * mm)
    filled = rec.filled
    if words.complaint:
        title = "处理情况（处理人填写，业主确认）"
    else:
        title = f"现场填写（{words.worker}手写，业主确认）"
    if filled:
        done = "完工情况" if words.resolved_state == "已完工" else "处理情况"
        title = f"{done}（据系统记录，空白处手写）"
    return KeepTogether(
        [
            p(title, "head"),
            form_table(rows, font, heights=heights, split=filled),
        ]
    )
