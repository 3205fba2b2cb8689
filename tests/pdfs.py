"""Reading back the PDFs ReportLab makes, without a PDF library: the pages, the text drawn on each
(where and how wide), and the filled rectangles (where and in which colour). Enough to check the
printable forms; not a general PDF reader (no xref, no nested forms, no rotated text)."""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth

from propdesk.core.pdf import FONT

A4_MEDIABOX = b"/MediaBox [ 0 0 595.2756 841.8898 ]"
TOKEN = re.compile(
    rb"\((?:\\.|[^\\)])*\)"  # a literal string (ReportLab escapes parentheses inside)
    rb"|/[^\s/\[\]()<>]+"  # a name
    rb"|[-+]?(?:\d+\.?\d*|\.\d+)"  # a number
    rb"|[A-Za-z'\"*]+"  # an operator
    rb"|\[|\]",
    re.S,
)


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes: \\ddd octal and \\( \\) \\\\ escapes."""
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def one(m: re.Match[bytes]) -> bytes:
        x = m.group(1)
        if x[:1].isdigit():
            return bytes([int(x, 8)])
        return simple.get(x, x)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


def _decode(raw: bytes) -> bytes:
    for decode in (
        lambda b: zlib.decompress(b),
        lambda b: zlib.decompress(base64.a85decode(b.strip(), adobe=b.strip().endswith(b"~>"))),
    ):
        try:
            return decode(raw)
        except Exception:  # noqa: S112 - not this encoding; try the next
            continue
    return raw


def content_streams(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF, decoded (deflated, perhaps ASCII85 first)."""
    return [_decode(raw) for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S)]


def pdf_text(pdf: bytes) -> str:
    """The text drawn in the PDF's content streams: ReportLab writes a CID font's strings as UCS-2
    big-endian literals; enough to find Chinese words."""
    out = []
    for data in content_streams(pdf):
        for lit in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data, re.S):
            out.append(_unescape(lit).decode("utf-16-be", "replace"))
    return "".join(out)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    width: float
    text: str


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    colour: tuple[float, ...]


@dataclass
class Page:
    texts: list[Text] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(t.text for t in self.texts)


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


def _times(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF order: the new cm matrix times the current one)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _point(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def read_page(stream: bytes) -> Page:
    """Interpret one page's content stream: q/Q/cm, the fill colour (rg, g), rectangles filled
    (re then f, f* or B), and the text state (Tf, TL, Tm, Td, T*) at each Tj."""
    page = Page()
    ctm, stack = IDENTITY, []
    colour: tuple[float, ...] = (0.0, 0.0, 0.0)
    colours: list[tuple[float, ...]] = []
    line: Matrix = IDENTITY
    font_size, leading = 10.0, 12.0
    pending: list[tuple[float, float, float, float]] = []
    args: list[bytes] = []
    for tok in TOKEN.findall(stream):
        if tok[:1] in b"(/[]" or re.fullmatch(rb"[-+]?(?:\d+\.?\d*|\.\d+)", tok):
            args.append(tok)
            continue
        nums = [float(a) for a in args if a[:1] not in b"(/[]"]
        if tok == b"q":
            stack.append(ctm)
            colours.append(colour)
        elif tok == b"Q":
            ctm, colour = stack.pop(), colours.pop()
        elif tok == b"cm":
            ctm = _times(tuple(nums[-6:]), ctm)  # type: ignore[arg-type]
        elif tok == b"rg":
            colour = tuple(nums[-3:])
        elif tok == b"g":
            colour = (nums[-1],) * 3
        elif tok == b"re":
            pending.append(tuple(nums[-4:]))  # type: ignore[arg-type]
        elif tok in (b"f", b"f*", b"B", b"B*"):
            for x, y, w, h in pending:
                x0, y0 = _point(ctm, x, y)
                x1, y1 = _point(ctm, x + w, y + h)
                page.boxes.append(Box(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0), colour))
            pending = []
        elif tok in (b"n", b"S", b"s"):
            pending = [] if tok != b"n" else pending
        elif tok == b"BT":
            line = IDENTITY
        elif tok == b"Tf":
            font_size = nums[-1]
        elif tok == b"TL":
            leading = nums[-1]
        elif tok == b"Tm":
            line = tuple(nums[-6:])  # type: ignore[assignment]
        elif tok == b"Td":
            line = _times((1, 0, 0, 1, nums[-2], nums[-1]), line)
        elif tok == b"T*":
            line = _times((1, 0, 0, 1, 0, -leading), line)
        elif tok == b"Tj":
            text = _unescape(args[-1][1:-1]).decode("utf-16-be", "replace")
            x, y = _point(_times(line, ctm), 0, 0)
            width = stringWidth(text, FONT, font_size) * ctm[0]
            page.texts.append(Text(x, y, width, text))
        args = []
    return page


def pages(pdf: bytes) -> list[Page]:
    """The pages' content (ReportLab writes one content stream per page, in page order, and no
    other stream has text or filled rectangles)."""
    found = [read_page(s) for s in content_streams(pdf) if re.search(rb"\bre\b|\bTj\b", s)]
    return [p for p in found if p.texts or p.boxes]


def qr_cells(page: Page) -> tuple[set[tuple[int, int]], float, float, float]:
    """The dark modules drawn on the page (black filled rectangles) as (row, column) cells, with
    the module size and the symbol's top left corner."""
    black = [b for b in page.boxes if b.colour == (0.0, 0.0, 0.0)]
    module = min(b.height for b in black)
    left = min(b.x for b in black)
    top = max(b.y + b.height for b in black)
    cells = set()
    for b in black:
        row = round((top - b.y - b.height) / module)
        first = round((b.x - left) / module)
        cells |= {(row, c) for c in range(first, first + round(b.width / module))}
    return cells, module, left, top
