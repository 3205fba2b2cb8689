"""The incident report as the paper form 《突发事件处理表》: A4, Chinese (ReportLab's built-in CID
font STSong-Light, nothing to install), every field, the timeline and the approvals."""

from __future__ import annotations

import io
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, SimpleDocTemplate, Spacer, Table, TableStyle

from propdesk.core.pdf import cid_font
from propdesk.core.pdf import para as _p
from propdesk.incidents.models import IncidentReport
from propdesk.incidents.selectors import report_timeline

log = logging.getLogger(__name__)


def incident_report_pdf(report: IncidentReport) -> bytes:
    """The printable form of ``report`` (any state; a draft says so in its title). Times are
    shown in the community's time zone."""
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
        _p("突发事件处理表", title),
        _p(
            _("%(community)s　Work order: %(number)s　Status: %(state)s")
            % {
                "community": emergency.community.name,
                "number": emergency.order.number,
                "state": report.get_state_display(),
            },
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    fields = [
        (_("Kind of emergency"), emergency.kind_title),
        (_("Location"), emergency.location),
        (_("Reported at"), t(emergency.reported_at)),
        (_("Logged by"), str(emergency.reported_by)),
        (_("Caller"), " ".join(x for x in (emergency.caller_name, emergency.caller_phone) if x)),
        (_("Description"), emergency.description or emergency.order.description),
        (_("Resolved at"), t(emergency.resolved_at)),
        (_("How it was resolved"), emergency.resolution),
        (_("Cause analysis"), report.cause_analysis),
        (_("Measures taken"), report.measures),
        (_("Losses"), report.losses),
        (_("People involved"), report.people_involved),
    ]
    story.append(
        Table(
            [[_p(k, body), _p(v, body)] for k, v in fields],
            colWidths=[35 * mm, 135 * mm],
            style=grid,
        )
    )
    story.append(_p(_("Timeline"), head))
    rows = [[_p(x, small) for x in (_("Time"), _("Event"), _("Person"), _("Note"))]]
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
    story.append(_p(_("Approvals"), head))
    approvals = [[_p(x, small) for x in (_("Time"), _("Action"), _("By"), _("Comment"))]]
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
    photos = list(report.photos.all())
    if photos:
        story.append(_p(_("Photos"), head))
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
        title="突发事件处理表",
    ).build(story)
    return out.getvalue()
