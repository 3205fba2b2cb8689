"""A notice for the lobby bulletin board (RV-7) as an A4 PDF in Chinese (ReportLab's built-in
CID font STSong-Light, nothing to install, core.pdf): title, body, the office and the date."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from propdesk.core.pdf import cid_font
from propdesk.followup.models import Notice


def notice_pdf(notice: Notice) -> bytes:
    """The printable notice. The date is the posting date (else the writing date) in the
    community's time zone, written the Chinese way (2026年11月26日)."""
    font = cid_font()
    community = notice.community
    when = (notice.posted_at or notice.written_at).astimezone(ZoneInfo(community.time_zone))
    title = ParagraphStyle(
        "title", fontName=font, fontSize=24, leading=32, alignment=TA_CENTER, spaceAfter=12
    )
    body = ParagraphStyle("body", fontName=font, fontSize=14, leading=24, firstLineIndent=28)
    sign = ParagraphStyle("sign", fontName=font, fontSize=14, leading=24, alignment=TA_RIGHT)
    story = [Paragraph(escape(notice.title), title), Spacer(1, 6 * mm)]
    for para in notice.body.splitlines():
        if para.strip():
            story.append(Paragraph(escape(para.strip()), body))
    story += [
        Spacer(1, 12 * mm),
        Paragraph(escape(f"{community.name}物业管理处"), sign),
        Paragraph(f"{when.year}年{when.month}月{when.day}日", sign),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=30 * mm,
        bottomMargin=25 * mm,
        title=notice.title,
    )
    doc.build(story)
    return out.getvalue()
