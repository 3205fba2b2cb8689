"""Sheets of QR stickers (二维码) for the community's places: A4 portrait, 3 × 4 stickers a page,
each with the community's name, the QR code of the place's signed URL (propdesk.community.places)
and the place's label, cut along the dashed lines. Chinese whatever the reader's language, like
every paper form; ReportLab's built-in Chinese font (propdesk.core.pdf), characters it lacks
printed as □."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from reportlab.graphics import renderPDF
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from propdesk.community.models import Community, Place
from propdesk.core.pdf import cid_font, qr_drawing

PAGE_WIDTH, PAGE_HEIGHT = A4
COLUMNS, ROWS = 3, 4
PER_PAGE = COLUMNS * ROWS
MARGIN = 10 * mm
CELL_WIDTH = (PAGE_WIDTH - 2 * MARGIN) / COLUMNS  # 63.3 mm
CELL_HEIGHT = (PAGE_HEIGHT - 2 * MARGIN) / ROWS  # 69.25 mm
QR_SIZE = 40 * mm
LABEL_SIZE = 13  # points; a long label is set smaller, down to LABEL_MIN, then on two lines
LABEL_MIN = 9
HINT = "扫一扫　报事报修"
TITLE = "二维码"


def sticker_cell(index: int) -> tuple[float, float]:
    """The bottom left corner (points) of the ``index``-th sticker of its page, row by row from
    the top left."""
    row, column = divmod(index % PER_PAGE, COLUMNS)
    return MARGIN + column * CELL_WIDTH, PAGE_HEIGHT - MARGIN - (row + 1) * CELL_HEIGHT


def _label_lines(text: str, font: str, width: float) -> tuple[list[str], float]:
    """The label in at most two lines and the size it is set in, to fit ``width``."""
    size = float(LABEL_SIZE)
    while size > LABEL_MIN and stringWidth(text, font, size) > width:
        size -= 0.5
    if stringWidth(text, font, size) <= width:
        return [text], size
    cut = len(text)
    while cut > 1 and stringWidth(text[:cut], font, size) > width:
        cut -= 1
    rest = text[cut:]
    while len(rest) > 1 and stringWidth(rest, font, size) > width:
        rest = rest[:-1]
    return [text[:cut], rest], size


def stickers_pdf(
    community: Community,
    places: Sequence[Place],
    *,
    url_of: Callable[[Place], str],
    printed_at: datetime,
    printed_by: str,
) -> bytes:
    """The sheets of stickers for ``places`` (in the given order), one sticker each, as PDF
    bytes. ``url_of(place)`` is the URL its QR code opens (the signed /q/<code>/ URL, absolute).
    ``printed_at`` (aware) is shown in the community's time zone at the foot of each page."""
    font = cid_font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{TITLE} {community.name}")
    canvas.setAuthor(str(community.company))
    canvas.setSubject(community.name)
    local = printed_at.astimezone(ZoneInfo(community.time_zone))
    footer = (
        f"{community.company.name}　{community.name}　{TITLE}　"
        f"打印时间：{local.year}年{local.month}月{local.day}日 {local:%H:%M}　打印人：{printed_by}"
    )
    pages = max(1, -(-len(places) // PER_PAGE))
    for page in range(pages):
        on_page = places[page * PER_PAGE : (page + 1) * PER_PAGE]
        for i, place in enumerate(on_page):
            _sticker(canvas, font, community, place, url_of(place), *sticker_cell(i))
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.black)
        canvas.drawString(MARGIN, MARGIN / 2, footer)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN / 2, f"第{page + 1}页，共{pages}页")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _sticker(
    canvas: Canvas, font: str, community: Community, place: Place, url: str, x: float, y: float
) -> None:
    centre = x + CELL_WIDTH / 2
    top = y + CELL_HEIGHT
    canvas.saveState()
    canvas.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
    canvas.setLineWidth(0.3)
    canvas.setDash(2, 2)
    canvas.rect(x, y, CELL_WIDTH, CELL_HEIGHT, stroke=1, fill=0)  # where to cut
    canvas.restoreState()
    canvas.setFillColor(colors.black)
    canvas.setFont(font, 9)
    canvas.drawCentredString(centre, top - 7 * mm, community.name)
    qr_top = top - 9 * mm
    renderPDF.draw(qr_drawing(url, QR_SIZE), canvas, centre - QR_SIZE / 2, qr_top - QR_SIZE)
    lines, size = _label_lines(place.name, font, CELL_WIDTH - 6 * mm)
    canvas.setFont(font, size)
    baseline = qr_top - QR_SIZE - size - 1 * mm
    for line in lines:
        canvas.drawCentredString(centre, baseline, line)
        baseline -= size * 1.2
    canvas.setFont(font, 8)
    canvas.drawCentredString(centre, y + 4 * mm, HINT)
