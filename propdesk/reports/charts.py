"""The report's charts as hand-written SVG (no script, no CDN: offices may be offline), from the
numbers alone. The PDF draws the same charts with ReportLab (``propdesk.reports.exports``).

- ``percent_bars_svg``: one bar per percentage line (figure) with its target as a tick;
  green when met, red when missed, a grey outline and "—" when there is no data.
- ``trend_svg``: 满意率 and 满意度 over the last twelve months, with the two target lines; a month
  without answers leaves a gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from propdesk.core.rule_names import rule_name
from propdesk.followup.selectors import TrendPoint
from propdesk.reports.selectors import ReportLine

OK, BAD, NONE, INK, GRID, TARGET = "#1a7f37", "#b42318", "#98a2b3", "#1d2430", "#d9dee7", "#b26a00"
RATE, DEGREE = "#1f5fbf", "#7a3db8"


def _num(d: Decimal | None) -> str:
    return "—" if d is None else f"{d:.1f}".rstrip("0").rstrip(".")


def chart_lines(lines: Sequence[ReportLine]) -> list[ReportLine]:
    """The lines a figure-against-target chart shows: every percentage of the seed's targets,
    and the time rules that had a decided clock this month (the others are all "no data")."""
    return [
        ln
        for ln in lines
        if ln.unit == "%" and (ln.figure is not None or not ln.key.startswith("clock:"))
    ]


def percent_bars_svg(lines: Sequence[ReportLine], *, width: int = 720) -> SafeString:
    """Horizontal bars, one per line of ``chart_lines`` (0–100 %), the target as a tick."""
    rows = chart_lines(lines)
    row_h, left, right, top = 24, 190, 60, 10
    height = top + row_h * len(rows) + 24
    plot = width - left - right
    name = escape(_("figure against target"))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-label="{name}" font-size="12" font-family="sans-serif">'
    ]
    for pct in (0, 25, 50, 75, 100):
        x = left + plot * pct / 100
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 20}" stroke="{GRID}"/>'
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="{INK}">{pct}%</text>'
        )
    for i, ln in enumerate(rows):
        y = top + i * row_h
        label = str(ln.title)
        # The tooltip names the rule once, by its name alone (plain text has no small print for
        # an ID): a time rule's title is its name.
        named = rule_name(ln.rule_id, label)
        tip = named if named == label else f"{label} · {named}"
        if len(label) > 14:  # Chinese glyphs are a full em wide: 14 fit the left margin
            label = label[:13] + "…"
        out.append(
            f'<text x="{left - 6}" y="{y + 16}" text-anchor="end" fill="{INK}">'
            f"<title>{escape(tip)}</title>{escape(label)}</text>"
        )
        if ln.figure is None:
            out.append(
                f'<rect x="{left}" y="{y + 4}" width="{plot}" height="14" fill="none" '
                f'stroke="{NONE}" stroke-dasharray="3 3"/>'
                f'<text x="{left + 6}" y="{y + 16}" fill="{NONE}">—</text>'
            )
        else:
            w = plot * float(min(ln.figure, Decimal(100))) / 100
            colour = {"met": OK, "missed": BAD}.get(ln.status, RATE)
            out.append(
                f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="14" fill="{colour}" '
                f"data-key={quoteattr(ln.key)}/>"
                f'<text x="{left + w + 4:.1f}" y="{y + 16}" fill="{INK}">{_num(ln.figure)}%</text>'
            )
        if ln.target is not None:
            tx = left + plot * float(ln.target) / 100
            out.append(
                f'<line x1="{tx:.1f}" y1="{y + 1}" x2="{tx:.1f}" y2="{y + 21}" '
                f'stroke="{TARGET}" stroke-width="3"/>'
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def trend_svg(
    trend: Sequence[TrendPoint],
    *,
    rate_target: int,
    degree_target: int,
    width: int = 720,
    height: int = 240,
) -> SafeString:
    """Two lines over the months (满意率 blue, 满意度 purple), 0–100 %, targets dashed."""
    left, right, top, bottom = 40, 20, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(trend), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / 100)

    name = escape(_("12-month trend"))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart trend" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{name}" '
        f'font-size="12" font-family="sans-serif">'
    ]
    for v in (0, 25, 50, 75, 100):
        out.append(
            f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" '
            f'stroke="{GRID}"/><text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end" '
            f'fill="{INK}">{v}</text>'
        )
    for target, colour in ((rate_target, RATE), (degree_target, DEGREE)):
        out.append(
            f'<line x1="{left}" y1="{y(target):.1f}" x2="{width - right}" y2="{y(target):.1f}" '
            f'stroke="{colour}" stroke-dasharray="5 4" opacity="0.6"/>'
        )
    for i, p in enumerate(trend):
        out.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'fill="{INK}">{p.month}月</text>'
        )
        if i == 0 or p.month == 1:
            out.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 30}" text-anchor="middle" '
                f'fill="{NONE}">{p.year}</text>'
            )
    for attr, colour in (("rate", RATE), ("degree", DEGREE)):
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, p in enumerate(trend):
            v = getattr(p.figures, attr)
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(float(v)):.1f}")
            out.append(
                f'<circle cx="{x(i):.1f}" cy="{y(float(v)):.1f}" r="3" fill="{colour}">'
                f"<title>{p.year}-{p.month:02d} {_num(v)}% (n={p.figures.answered})</title>"
                f"</circle>"
            )
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) > 1:
                out.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2" data-series="{attr}"/>'
                )
    out.append(
        f'<rect x="{left + 8}" y="{top}" width="10" height="10" fill="{RATE}"/>'
        f'<text x="{left + 22}" y="{top + 9}" fill="{INK}">满意率</text>'
        f'<rect x="{left + 80}" y="{top}" width="10" height="10" fill="{DEGREE}"/>'
        f'<text x="{left + 94}" y="{top + 9}" fill="{INK}">满意度</text>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - numbers only, and fixed labels
