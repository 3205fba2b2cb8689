"""What the printable forms share: ReportLab's built-in Chinese CID font (STSong-Light, nothing to
install, every PDF reader has it) that prints a character it lacks as a visible □ (core.glyphs),
a paragraph that escapes what a user typed and wraps Chinese
text anywhere, and a QR code drawn as vector squares from segno's matrix (crisp on any printer)."""

from __future__ import annotations

from xml.sax.saxutils import escape

import segno
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph

from propdesk.core.glyphs import printable

FONT = "STSong-Light"
QR_QUIET_ZONE = 2  # modules of white around the symbol; the form's white margin adds to it


class CoveredCIDFont(UnicodeCIDFont):  # type: ignore[misc]  # reportlab has no types
    """The CID font whose text goes through ``printable`` both where it is measured and where it
    is written: every string drawn in it, by a paragraph, a table, a chart or the canvas, has the
    characters the font lacks replaced, and lines are laid out with the replaced text's width."""

    def formatForPdf(self, text: str | bytes) -> str:
        return super().formatForPdf(printable(_text(text)))  # type: ignore[no-any-return]

    def stringWidth(self, text: str | bytes, size: float, encoding: str | None = None) -> float:
        return super().stringWidth(printable(_text(text)), size, encoding)  # type: ignore[no-any-return]


def _text(text: str | bytes) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else text


def cid_font() -> str:
    """The name of the Chinese font, registered with ReportLab on first use (replacing a plain
    registration of the same font, so that no PDF draws a character the font lacks)."""
    registered = FONT in pdfmetrics.getRegisteredFontNames()
    if not registered or not isinstance(pdfmetrics.getFont(FONT), CoveredCIDFont):
        pdfmetrics.registerFont(CoveredCIDFont(FONT))
    return FONT


def para(text: str | None, style: ParagraphStyle, *, blank: str = "—") -> Paragraph:
    """``text`` as a paragraph: markup escaped, line breaks kept; ``blank`` when empty."""
    return Paragraph(escape(text or "").replace("\n", "<br/>") or escape(blank), style)


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code of ``data`` (error correction M, never a Micro QR) as rows of dark modules,
    top row first, without the quiet zone."""
    qr = segno.make(data, error="m", micro=False, boost_error=False)
    return [[bool(m) for m in row] for row in qr.matrix]


def qr_drawing(data: str, size: float) -> Drawing:
    """The QR code of ``data`` as a square Drawing of ``size`` points (quiet zone included). Each
    horizontal run of dark modules is one black rectangle, so no hairline shows between modules."""
    rows = qr_matrix(data)
    n = len(rows)
    module = size / (n + 2 * QR_QUIET_ZONE)
    drawing = Drawing(size, size)
    for r, row in enumerate(rows):
        y = size - (QR_QUIET_ZONE + r + 1) * module
        c = 0
        while c < n:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < n and row[c]:
                c += 1
            drawing.add(
                Rect(
                    (QR_QUIET_ZONE + start) * module,
                    y,
                    (c - start) * module,
                    module,
                    fillColor=colors.black,
                    strokeColor=None,
                    strokeWidth=0,
                )
            )
    return drawing
