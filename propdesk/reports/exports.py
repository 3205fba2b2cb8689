"""The monthly report as files: an A4 PDF in Chinese (ReportLab, the built-in CID font
STSong-Light) and an Excel workbook (openpyxl). Both are written in Simplified Chinese whatever
the language of the request: they are the office's paper."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from propdesk.core.pdf import cid_font, para
from propdesk.core.rule_names import rule_name, rule_text, subject_text
from propdesk.core.xlsx import Figure, count, percent, safe_row
from propdesk.policy.percent import figure_text
from propdesk.reports.charts import chart_lines
from propdesk.reports.selectors import MonthlyReport, ReportLine

PDF_LANGUAGE = "zh-hans"
PDF_LIST_ROWS = 100  # a longer list prints its first rows and points to the workbook
GREEN, RED, GREY = (
    colors.HexColor("#1a7f37"),
    colors.HexColor("#b42318"),
    colors.HexColor("#667085"),
)
BLUE, PURPLE, AMBER = (
    colors.HexColor("#1f5fbf"),
    colors.HexColor("#7a3db8"),
    colors.HexColor("#b26a00"),
)


def status_label(status: str) -> str:
    return {
        "met": _("met"),
        "missed": _("missed"),
        "no_data": _("no data"),
        "info": _("for information"),
    }[status]


def unit_label(unit: str) -> str:
    return {
        "%": "%",
        "households": pgettext("unit", "households"),
        "items": pgettext("unit", "items"),
        "orders": pgettext("unit", "orders"),
        "activities": pgettext("unit", "activities"),
        "times": pgettext("unit", "times"),
    }.get(unit, unit)


def number(d: Decimal | int | None, unit: str = "") -> str:
    """A figure as printed: "96%", "20 households", "—" for no data."""
    if d is None:
        return "—"
    text = figure_text(d)
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit_label(unit)}" if unit else text


def figure(d: Decimal | int | None, unit: str) -> Figure:
    """A figure of the report for the workbook: a percentage, else a count."""
    if unit == "%":
        return percent(d)
    return count(None if d is None else int(d))


def target_text(ln: ReportLine) -> str:
    if ln.target is None:
        return "—"
    sign = "≥" if ln.comparison == ">=" else "≤"
    return f"{sign} {number(ln.target, ln.unit)}"


def sample_text(ln: ReportLine) -> str:
    return "—" if ln.sample is None else f"{ln.sample} {ln.sample_label}".strip()


def local(dt: datetime | None, zone: str) -> str:
    return "—" if dt is None else dt.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


# --- the lists, shared by the PDF and the workbook ------------------------------------------


@dataclass(frozen=True)
class RuleCell:
    """A list's rule column: the rule's name (as text on paper and in the workbook); the page
    shows the ID small beside it (the ``rule_label`` tag)."""

    rule_id: str
    name: str

    def __str__(self) -> str:
        return self.name


def report_lists(report: MonthlyReport) -> list[tuple[str, str, list[str], list[list[Any]]]]:
    """(key, title, header, rows) of each list behind the figures, in the report's order.
    Times are local strings; rows are plain values."""
    tz = report.time_zone
    breaches_title = _("Clocks breached (which order, which rule)")
    if report.breaches_total > len(report.breaches):
        breaches_title += " " + _("(first %(n)d of %(total)d)") % {
            "n": len(report.breaches),
            "total": report.breaches_total,
        }
    return [
        (
            "breaches",
            breaches_title,
            [
                _("rule"),
                _("work order"),
                _("responder called to the scene"),
                _("started"),
                _("due"),
                _("met late"),
            ],
            [
                [
                    RuleCell(b.rule_id, rule_name(b.rule_id, b.title)),
                    b.number or b.contact or subject_text(b.subject) or "—",
                    b.person or "—",
                    local(b.started_at, tz),
                    local(b.due_at, tz),
                    local(b.met_at, tz) if b.met_at else _("not met"),
                ]
                for b in report.breaches
            ],
        ),
        (
            "missing_complaint_visits",
            _("%(rule)s: resolved complaints without a return visit") % {"rule": rule_text("RV-3")},
            [_("work order"), _("resolved"), _("important"), _("follow-up due")],
            [
                [
                    m.number,
                    local(m.resolved_at, tz),
                    _("yes") if m.is_important else "",
                    # CP-2 still runs: to come, not late (blank once late)
                    local(m.follow_up_due, tz) if m.follow_up_due else "",
                ]
                for m in report.complaints.missing
            ],
        ),
        (
            "open_items",
            _("%(rule)s: opinions and suggestions without a reply, with their age")
            % {"rule": rule_text("RV-5")},
            [_("recorded"), _("household"), _("text"), _("age (days)")],
            [
                [
                    local(r.item.created_at, tz),
                    r.item.household.code if r.item.household else (r.item.area or "—"),
                    r.item.text,
                    count(r.age_days),
                ]
                for r in report.open_items
            ],
        ),
        (
            "common_issues",
            _("%(rule)s: common issues of the month and their notices")
            % {"rule": rule_text("RV-7")},
            [_("title"), _("opened"), _("notice due"), _("notice posted"), _("in time")],
            [
                [
                    i.title,
                    local(i.opened_at, tz),
                    local(i.notice_due_at, tz),
                    local(i.notice_posted_at, tz),
                    "—" if i.in_time is None else (_("yes") if i.in_time else _("no")),
                ]
                for i in report.common_issues
            ],
        ),
        (
            "turned_orders",
            _("Dissatisfied orders turned satisfied this month"),
            [_("work order"), _("dissatisfied since"), _("turned satisfied")],
            [
                [t.number, local(t.opened_at, tz), local(t.turned_at, tz)]
                for t in report.turned_orders
            ],
        ),
        *[
            (
                f"breakdown_{by}",
                str(BREAKDOWN_TITLES[by]),
                [_("group"), _("answered visits"), "满意率", "满意度"],
                [
                    [
                        r.label,
                        count(r.figures.answered),
                        percent(r.figures.rate),
                        percent(r.figures.degree),
                    ]
                    for r in rows
                ],
            )
            for by, rows in report.breakdowns
        ],
    ]


BREAKDOWN_TITLES = {
    "team": gettext_lazy("Satisfaction by team"),
    "kind": gettext_lazy("Satisfaction by kind of order"),
    "building": gettext_lazy("Satisfaction by building"),
}


def _in_chinese(build: Callable[[MonthlyReport], bytes]) -> Callable[[MonthlyReport], bytes]:
    def wrapped(report: MonthlyReport) -> bytes:
        with translation.override(PDF_LANGUAGE):
            return build(report)

    wrapped.__doc__ = build.__doc__
    wrapped.__name__ = build.__name__
    return wrapped


# --- PDF ---------------------------------------------------------------------------------------


# The three RV-2 lines by their names on a chart (the rule ID alone would say RV-2 three times).
CHART_NAMES = {"RV-2-rate": "满意率", "RV-2-degree": "满意度", "return-visit-rate": "回访率"}


def _bars_drawing(lines: Sequence[ReportLine], width: float) -> Drawing:
    """Figure against target for each percentage line (a missing figure draws as 0, its label
    says "—")."""
    rows = chart_lines(lines)
    names = [CHART_NAMES.get(ln.key, str(ln.title)) for ln in rows]
    # The names are written at 30°, hanging from the axis: the longest sets how far below it
    # the drawing reaches (half its length, sin 30°, and its own height), so that it stays
    # above what follows on the page.
    longest = max((stringWidth(n, cid_font(), 7) for n in names), default=0.0)
    bottom = max(40.0, longest * 0.5 + 7 + 8)
    plot = 110.0
    height = bottom + plot + 30
    d = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, bottom, width - 40, plot
    chart.data = [
        [float(ln.figure) if ln.figure is not None else 0 for ln in rows],
        [float(ln.target) if ln.target is not None else 0 for ln in rows],
    ]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labels.fontName = cid_font()
    chart.categoryAxis.labels.fontName = cid_font()
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.categoryNames = names
    chart.bars[0].fillColor = BLUE
    chart.bars[1].fillColor = colors.HexColor("#e4c590")
    chart.bars.strokeColor = None
    for i, ln in enumerate(rows):
        chart.bars[(0, i)].fillColor = {"met": GREEN, "missed": RED}.get(ln.status, GREY)
    chart.barLabelArray = [
        [number(ln.figure) if ln.figure is not None else "—" for ln in rows],
        ["" for _ln in rows],
    ]
    chart.barLabelFormat = "values"
    chart.barLabels.fontName = cid_font()
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 5
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = 40, height - 4
    legend.fontName = cid_font()
    legend.fontSize = 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(GREEN, _("this month")), (colors.HexColor("#e4c590"), _("target"))]
    d.add(legend)
    return d


def _trend_drawing(report: MonthlyReport, width: float) -> Drawing:
    """满意率 and 满意度 over twelve months with the targets dashed, in plain shapes (like the
    SVG): a month without answers leaves a gap, a lone month is a dot."""
    height = 170.0
    left, right, top, bottom = 30.0, 10.0, 18.0, 24.0
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(report.trend), 1)
    d = Drawing(width, height)

    def x(i: int) -> float:
        return left + plot_w * (i + 0.5) / n

    def y(v: float) -> float:
        return bottom + plot_h * v / 100

    for v in (0, 25, 50, 75, 100):
        d.add(Line(left, y(v), width - right, y(v), strokeColor=colors.HexColor("#d9dee7")))
        d.add(String(left - 4, y(v) - 3, str(v), fontSize=7, textAnchor="end"))
    for i, p in enumerate(report.trend):
        d.add(
            String(
                x(i), bottom - 12, f"{p.year % 100:02d}/{p.month}", fontSize=7, textAnchor="middle"
            )
        )
    sat = report.satisfaction
    for target, colour in ((sat.rate_target, BLUE), (sat.degree_target, PURPLE)):
        d.add(
            Line(
                left,
                y(target),
                width - right,
                y(target),
                strokeColor=colour,
                strokeDashArray=[3, 3],
                strokeWidth=0.7,
            )
        )
    for attr, colour in (("rate", BLUE), ("degree", PURPLE)):
        segment: list[float] = []
        values = [getattr(p.figures, attr) for p in report.trend]
        for i, v in enumerate([*values, None]):
            if v is None:
                if len(segment) >= 4:
                    d.add(PolyLine(segment, strokeColor=colour, strokeWidth=1.5))
                segment = []
                continue
            segment += [x(i), y(float(v))]
            d.add(Circle(x(i), y(float(v)), 2.2, fillColor=colour, strokeColor=None))
    d.add(String(left + 4, height - 10, "满意率", fontName=cid_font(), fontSize=8, fillColor=BLUE))
    d.add(
        String(left + 50, height - 10, "满意度", fontName=cid_font(), fontSize=8, fillColor=PURPLE)
    )
    return d


def _pdf(report: MonthlyReport) -> bytes:
    """The report as an A4 PDF: title, the target table, the two charts, then the lists."""
    font = cid_font()
    title = ParagraphStyle(
        "title", fontName=font, fontSize=17, leading=24, alignment=TA_CENTER, spaceAfter=4
    )
    sub = ParagraphStyle("sub", fontName=font, fontSize=9, leading=13, alignment=TA_CENTER)
    # A heading never ends a page: it goes over with what it heads.
    h2 = ParagraphStyle(
        "h2", fontName=font, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4, keepWithNext=1
    )
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10.5)
    head = ParagraphStyle("head", parent=cell, textColor=colors.white)
    width = A4[0] - 30 * mm

    story: list[Any] = [
        para(f"《{report.title}》", title),  # the community's name: text, not markup
        para(
            _("Generated %(at)s · targets met %(met)d, missed %(missed)d")
            % {
                "at": local(report.generated_at, report.time_zone),
                "met": report.met_count,
                "missed": report.missed_count,
            },
            sub,
        ),
        Spacer(1, 4 * mm),
    ]

    def table(
        header: list[str], rows: list[list[Any]], widths: list[float], styles: Sequence[Any] = ()
    ) -> Table:
        col_widths = [w * width for w in widths]

        def fit(v: Any, room: float) -> Any:
            # A Paragraph only where the text must wrap: plain strings draw ten times faster,
            # and the lists can run to hundreds of rows (bench/RESULTS.md).
            text = str(v)
            if "\n" in text or stringWidth(text, font, cell.fontSize) > room - 6:
                return para(text, cell)
            return text

        data = [[para(h, head) for h in header]] + [
            [fit(v, col_widths[i]) for i, v in enumerate(row)] for row in rows
        ]
        t = Table(data, colWidths=col_widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#16325c")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b7c0ce")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONT", (0, 1), (-1, -1), font, cell.fontSize, cell.leading),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    *styles,
                ]
            )
        )
        return t

    # One rule column, the rule's name without its ID (paper), as wide as the longest name needs
    # to wrap onto two lines at most (a Chinese name wraps at any character), and room for ten
    # characters on one line (每月回访不少于20户 would break inside its 20); the same in both
    # tables. The time rules have no measure column: theirs is the table's heading.
    names = [stringWidth(ln.rule_cell, font, cell.fontSize) for ln in report.lines]
    longest = max(names, default=0)
    rule_w = min(max(longest / 2 + 2 * cell.fontSize + 6, 0.18 * width), 0.25 * width) / width
    for heading, lines, measure in (
        (_("Targets of the month"), report.target_lines, True),
        (_("Time rules: clocks met in time"), report.time_lines, False),
    ):
        header = [_("rule"), _("measure"), _("target"), _("this month")]
        header += [_("sample"), _("result"), _("note")]
        shares = [0.27, 0.1, 0.1, 0.14, 0.09, 0.21]
        if not measure:
            del header[1], shares[0]
        widths = [rule_w] + [x * (1 - rule_w) / sum(shares) for x in shares]
        result = header.index(_("result"))
        rows, styles = [], []
        for i, ln in enumerate(lines, start=1):
            row = [ln.rule_cell, str(ln.measure)] if measure else [ln.rule_cell]
            row += [target_text(ln), number(ln.figure, ln.unit), sample_text(ln)]
            row += [status_label(ln.status), str(ln.note)]
            rows.append(row)
            colour = {"met": "#e6f4ea", "missed": "#fde8e6"}.get(ln.status)
            if colour:
                styles.append(("BACKGROUND", (result, i), (result, i), colors.HexColor(colour)))
        story += [Paragraph(heading, h2), table(header, rows, widths, styles)]

    story += [
        KeepTogether(
            [
                Paragraph(_("Figure against target (percent)"), h2),
                _bars_drawing(report.lines, width),
            ]
        ),
        KeepTogether(
            [
                Paragraph(_("Satisfaction rate and degree over twelve months"), h2),
                _trend_drawing(report, width),
            ]
        ),
    ]
    for _key, heading, header, rows in report_lists(report):
        story.append(Paragraph(heading, h2))
        if len(rows) > PDF_LIST_ROWS:
            # Paper for the meeting, the workbook for the whole list.
            story.append(
                para(
                    _("The first %(n)d of %(total)d rows; the Excel file lists the rest.")
                    % {"n": PDF_LIST_ROWS, "total": len(rows)},
                    cell,
                )
            )
            rows = rows[:PDF_LIST_ROWS]
        if rows:
            story.append(table(header, rows, [1 / len(header)] * len(header)))
        else:
            story.append(para(_("None."), cell))

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=report.title,
    )

    def footer(canvas: Any, doc_: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(GREY)
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"{report.title} · {doc_.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


report_pdf = _in_chinese(_pdf)


# --- Excel -------------------------------------------------------------------------------------


def _xlsx(report: MonthlyReport) -> bytes:
    """A workbook: 汇总 (targets against figures, with a bar chart), one sheet per list, and 趋势
    (twelve months, with a line chart)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    bold = Font(bold=True)
    fills = {
        "met": PatternFill("solid", fgColor="E6F4EA"),
        "missed": PatternFill("solid", fgColor="FDE8E6"),
    }
    ws = wb.active
    assert ws is not None
    ws.title = _("Summary")[:31]
    ws.append(safe_row(ws, [report.title]))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(safe_row(ws, [_("Generated"), local(report.generated_at, report.time_zone)]))
    ws.append(safe_row(ws, []))
    header = [
        _("rule"),
        _("measure"),
        _("target"),
        _("this month"),
        _("unit of measure"),
        _("sample"),
        _("sample of"),
        _("result"),
        _("note"),
    ]
    ws.append(safe_row(ws, header))
    for c in ws[4]:
        c.font = bold
    for ln in report.lines:
        ws.append(
            safe_row(
                ws,
                [
                    ln.rule_cell,
                    str(ln.measure) if not ln.is_clock else _("Clocks met in time"),
                    figure(ln.target, ln.unit),
                    figure(ln.figure, ln.unit),
                    unit_label(ln.unit),
                    count(ln.sample),
                    str(ln.sample_label),
                    status_label(ln.status),
                    str(ln.note),
                ],
            )
        )
        fill = fills.get(ln.status)
        if fill:
            ws.cell(row=ws.max_row, column=8).fill = fill
    last = ws.max_row
    for col, w in zip("ABCDEFGHI", (10, 40, 9, 11, 8, 8, 14, 10, 44), strict=True):
        ws.column_dimensions[col].width = w
    ws.freeze_panes = "A5"
    # A native chart of the percentage lines, figure against target: an empty cell where there
    # is no data or no target (as the page and the PDF say "—"), never a 0.
    pct_lines = chart_lines(report.lines)  # what the page and the PDF chart
    if pct_lines:
        chart_ws = wb.create_sheet(_("Chart data")[:31])
        chart_ws.append(safe_row(chart_ws, [_("rule"), _("this month"), _("target")]))
        for ln in pct_lines:
            chart_ws.append(
                safe_row(
                    chart_ws,
                    [
                        CHART_NAMES.get(ln.key, str(ln.title)),
                        percent(ln.figure),
                        percent(ln.target),
                    ],
                )
            )
        bar = BarChart()
        bar.title = _("Figure against target (percent)")
        bar.y_axis.scaling.min, bar.y_axis.scaling.max = 0, 1
        bar.y_axis.numFmt = "0%"
        bar.add_data(
            Reference(chart_ws, min_col=2, max_col=3, min_row=1, max_row=chart_ws.max_row),
            titles_from_data=True,
        )
        bar.set_categories(Reference(chart_ws, min_col=1, min_row=2, max_row=chart_ws.max_row))
        bar.width, bar.height = 24, 9
        ws.add_chart(bar, f"A{last + 3}")

    names = _sheet_names()
    for key, title, head, rows in report_lists(report):
        sheet = wb.create_sheet(_sheet_name(names.get(key, title)))
        sheet.append(safe_row(sheet, [title]))
        sheet["A1"].font = bold
        sheet.append(safe_row(sheet, head))
        for c in sheet[2]:
            c.font = bold
        for row in rows:
            sheet.append(safe_row(sheet, [str(v) if isinstance(v, RuleCell) else v for v in row]))
        if not rows:
            sheet.append(safe_row(sheet, [_("None.")]))
        for i in range(len(head)):
            sheet.column_dimensions[chr(ord("A") + i)].width = 22
        for row in sheet.iter_rows(min_row=3):
            for c in row:
                c.alignment = Alignment(wrap_text=True, vertical="top")

    trend = wb.create_sheet(_("Trend")[:31])
    trend.append(
        safe_row(
            trend,
            [
                _("month"),
                _("answered visits"),
                "满意率",
                "满意度",
                _("rate target"),
                _("degree target"),
            ],
        )
    )
    for c in trend[1]:
        c.font = bold
    sat = report.satisfaction
    for p in report.trend:
        f = p.figures
        trend.append(
            safe_row(
                trend,
                [
                    f"{p.year:04d}-{p.month:02d}",
                    count(f.answered),
                    percent(f.rate),
                    percent(f.degree),
                    percent(sat.rate_target),
                    percent(sat.degree_target),
                ],
            )
        )
    line = LineChart()
    line.title = _("Satisfaction rate and degree over twelve months")
    line.y_axis.scaling.min, line.y_axis.scaling.max = 0, 1
    line.y_axis.numFmt = "0%"
    line.add_data(
        Reference(trend, min_col=3, max_col=6, min_row=1, max_row=trend.max_row),
        titles_from_data=True,
    )
    line.set_categories(Reference(trend, min_col=1, min_row=2, max_row=trend.max_row))
    line.width, line.height = 24, 9
    trend.add_chart(line, "H2")

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_names() -> dict[str, str]:
    return {
        "breaches": _("Breaches"),
        "missing_complaint_visits": _("Complaints without a visit"),
        "open_items": _("Open items"),
        "common_issues": _("Common issues"),
        "turned_orders": _("Turned satisfied"),
        "breakdown_team": _("By team"),
        "breakdown_kind": _("By kind"),
        "breakdown_building": _("By building"),
    }


def _sheet_name(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "list"


report_xlsx = _in_chinese(_xlsx)

__all__ = ["report_lists", "report_pdf", "report_xlsx"]
