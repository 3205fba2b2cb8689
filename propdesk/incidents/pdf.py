"""The incident report as the paper form 《突发事件处理表》: A4, in Chinese whatever the language of
the request (ReportLab's built-in CID font STSong-Light, nothing to install, core.pdf), every
field, the timeline, the approvals so far, and the lines to sign: 填表人, the department
head's and the office head's opinion (部门负责人 / 管理处主任), company leadership's approval
(公司领导审批), each with its signature and date (EM-3). What the system knows is printed on
them (who submitted the report, leadership's decision); the signatures are written by hand."""

from __future__ import annotations

import io
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from propdesk.community.access import caller_phone_as_seen
from propdesk.community.models import User
from propdesk.core.pdf import cid_font
from propdesk.core.pdf import para as _p
from propdesk.incidents.models import ApprovalAction, IncidentReport
from propdesk.incidents.selectors import report_timeline

log = logging.getLogger(__name__)


TITLE = "突发事件处理表"
NBSP = "\u00a0"  # room to write in (ReportLab keeps no-break spaces)
BLANK_DATE = f"{NBSP * 6}年{NBSP * 3}月{NBSP * 3}日"


def incident_report_pdf(report: IncidentReport, *, viewer: User | None = None) -> bytes:
    """The printable form of ``report`` (any state; its state is printed under the title).
    Times are shown in the community's time zone; the caller's phone as ``viewer`` may read it
    (community.access.phone_as_seen: masked for company leadership, and for no viewer)."""
    with translation.override("zh-hans"):
        return _render(report, viewer)


def _render(report: IncidentReport, viewer: User | None) -> bytes:
    font = cid_font()
    emergency = report.emergency
    tz = ZoneInfo(emergency.community.time_zone)

    def t(at: datetime | None) -> str:
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if at else "—"

    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14)
    small = ParagraphStyle("small", fontName=font, fontSize=9, leading=12)
    title = ParagraphStyle(
        "title", fontName=font, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=4
    )
    head = ParagraphStyle("head", fontName=font, fontSize=12, leading=16, spaceBefore=8)
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eeeeee")),
        ]
    )
    story: list[object] = [
        _p(TITLE, title),
        _p(
            f"{emergency.community.name}　工单：{emergency.order.number}　"
            f"状态：{report.get_state_display()}",
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    fields = [
        ("事件类型", emergency.kind_title),
        ("地点", emergency.location),
        ("报告时间", t(emergency.reported_at)),
        ("登记人", str(emergency.reported_by)),
        (
            "报告人",
            " ".join(
                x
                for x in (
                    emergency.caller_name,
                    caller_phone_as_seen(viewer, emergency.community_id, emergency.caller_phone),
                )
                if x
            ),
        ),
        ("事件经过", emergency.description or emergency.order.description),
        ("处置完毕时间", t(emergency.resolved_at)),
        ("处理结果", emergency.resolution),
        ("原因分析", report.cause_analysis),
        ("采取措施", report.measures),
        ("损失情况", report.losses),
        ("涉及人员", report.people_involved),
    ]
    story.append(
        Table(
            [[_p(k, body), _p(v, body)] for k, v in fields],
            colWidths=[35 * mm, 135 * mm],
            style=grid,
        )
    )
    story.append(_p("时间经过", head))
    rows = [[_p(x, small) for x in ("时间", "事项", "人员", "备注")]]
    rows += [
        [_p(t(e.at), small), _p(e.title, small), _p(e.person, small), _p(e.note, small)]
        for e in report_timeline(emergency)
    ]
    timeline = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story.append(
        Table(rows, colWidths=[38 * mm, 30 * mm, 30 * mm, 72 * mm], style=timeline, repeatRows=1)
    )
    story.append(_p("审批记录", head))
    approvals = [[_p(x, small) for x in ("时间", "操作", "经办人", "意见")]]
    approvals += [
        [
            _p(t(a.at), small),
            _p(str(a.get_action_display()), small),
            _p(str(a.by), small),
            _p(a.comment, small),
        ]
        for a in report.approvals.select_related("by").order_by("at", "id")
    ]
    story.append(
        Table(
            approvals, colWidths=[38 * mm, 30 * mm, 30 * mm, 72 * mm], style=timeline, repeatRows=1
        )
    )
    story += _signatures(report, tz, font, body)
    photos = list(report.photos.all())
    if photos:
        story.append(_p("照片", head))
        for photo in photos:
            story.append(_p(photo.original_name, small))
            try:
                with photo.file.open("rb") as fh:
                    image = Image(io.BytesIO(fh.read()))
                ratio = min(1.0, (80 * mm) / image.imageWidth, (60 * mm) / image.imageHeight)
                image.drawWidth, image.drawHeight = (
                    image.imageWidth * ratio,
                    image.imageHeight * ratio,
                )
                story.append(image)
            except Exception:  # a photo ReportLab cannot draw (HEIC) is listed by name only
                log.info("photo %s not drawn in the report PDF", photo.pk, exc_info=True)
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=TITLE,
    ).build(story)
    return out.getvalue()


def _signatures(
    report: IncidentReport, tz: ZoneInfo, font: str, body: ParagraphStyle
) -> list[object]:
    """The lines to sign (EM-3): who filled the form in, the department head's and the office
    head's opinion, company leadership's approval, each with a signature and a date. The
    submitter and leadership's decision are printed where the system has them."""

    def day(at: datetime | None) -> str:
        if at is None:
            return BLANK_DATE
        local = at.astimezone(tz)
        return f"{local.year}年{local.month}月{local.day}日"

    records = list(report.approvals.select_related("by"))
    submitted = next((a for a in reversed(records) if a.action == ApprovalAction.SUBMITTED), None)
    approved = next((a for a in reversed(records) if a.action == ApprovalAction.APPROVED), None)
    decision = ""
    if approved is not None:
        decision = "审批通过" + (f"：{approved.comment}" if approved.comment else "")
    rows = [
        [
            "填表人",
            str(submitted.by) if submitted else "",
            "填表日期",
            day(getattr(submitted, "at", None)),
        ],
        ["部门负责人意见", ""],
        ["签字", "", "日期", BLANK_DATE],
        ["管理处主任审批", ""],
        ["签字", "", "日期", BLANK_DATE],
        ["公司领导审批", decision],
        ["签字", "", "日期", day(approved.at) if approved else BLANK_DATE],
    ]
    grey = colors.HexColor("#eeeeee")
    style: list[tuple[object, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (0, -1), grey),
        ("BACKGROUND", (2, 0), (2, 0), grey),
    ]
    for r in (1, 3, 5):  # an opinion across the row, room to write
        style.append(("SPAN", (1, r), (3, r)))
    for r in (2, 4, 6):
        style.append(("BACKGROUND", (2, r), (2, r), grey))
    cells = [[_p(v, body) if v else "" for v in row] + [""] * (4 - len(row)) for row in rows]
    mm10 = 10 * mm
    return [
        Spacer(1, 4 * mm),
        KeepTogether(
            Table(
                cells,
                colWidths=[30 * mm, 60 * mm, 20 * mm, 60 * mm],
                rowHeights=[mm10, 18 * mm, mm10, 18 * mm, mm10, 18 * mm, mm10],
                style=TableStyle(style),
            )
        ),
    ]
