"""What the QA pass through the demo's monthly report found (the hand-built November of
tests/reports/conftest.py, on the injected clock): one verdict per rule (a quota rule judged by its
target line is not judged again as a time rule), no data left empty in the workbook's chart data,
one rule column naming the rule (GLOSSARY.md: the ID small beside it at most) on the page, the PDF
and the workbook, and a PDF whose rule names wrap onto two lines at most."""

from __future__ import annotations

import io
import re
from collections import defaultdict

from openpyxl import load_workbook

from propdesk.clocks.models import Clock
from propdesk.community.models import User
from propdesk.reports.exports import report_pdf, report_xlsx
from propdesk.reports.selectors import leadership_comparison, monthly_report, report_json
from tests.followup.conftest import sh
from tests.pdfs import Page, pages
from tests.reports.conftest import NOW
from tests.web.conftest import browser_for

CP1 = "10分钟内安排管理员"


def _report(office, now=NOW):
    return monthly_report(office.community, 2026, 11, now=now)


def test_rv1_a_quota_rule_has_one_verdict_its_target_line(november, office):
    """RV-1: the month's quota clock breaches when November ends short of 20 households; the
    report judges RV-1 once, by its target line (households against 20), in the tables, the
    headline count, the API's lines, the workbook and leadership's comparison."""
    december = sh(2026, 12, 1, 9, 0)
    november.loop.sweep(december)
    rv1 = Clock.objects.get(community=office.community, rule_id="RV-1", started_at__lt=december)
    assert rv1.state == "breached"  # the clock's own verdict, kept in the clocks' log

    r = _report(office, now=december)
    assert [(ln.key, ln.status) for ln in r.lines if ln.rule_id == "RV-1"] == [("RV-1", "missed")]
    assert [ln.key for ln in r.lines if ln.rule_id == "CS-3"] == ["CS-3"]
    assert r.missed_count == sum(1 for ln in r.lines if ln.status == "missed")
    assert "RV-1" not in {b.rule_id for b in r.breaches}
    assert "clock:RV-1" not in {ln["key"] for ln in report_json(r)["lines"]}

    wb = load_workbook(io.BytesIO(report_xlsx(r)))
    names = [row[0] for row in wb.worksheets[0].iter_rows(min_row=5, values_only=True)]
    assert names.count("每月回访不少于20户") == 1

    boss = User.objects.get(username="boss")
    [mine] = [
        h
        for h in leadership_comparison(boss, 2026, 11, now=december)
        if h.community_id == office.community.pk
    ]
    timed = Clock.objects.filter(
        community=office.community, started_at__gte=sh(2026, 11, 1), started_at__lt=december
    ).exclude(rule_id__in=("RV-1", "CS-3"))
    assert mine.clocks_breached == timed.filter(state="breached").count()
    assert mine.clocks_decided == timed.filter(state__in=("met", "breached")).count()
    assert mine.statuses["rv1"] == "missed"


def test_the_chart_data_leaves_no_data_and_no_target_empty(november, office):
    """The workbook's chart data: an empty cell where the page and the PDF say "—" (no data) or
    the line has no target (回访率), never a 0; the lines the page's chart shows."""
    r = _report(office)
    wb = load_workbook(io.BytesIO(report_xlsx(r)))
    rows = list(wb["图表数据"].iter_rows(min_row=2, values_only=True))
    by_name = {name: (figure, target) for name, figure, target in rows}
    assert by_name["回访率"] == (0.833, None)  # 5 of 6 resolved orders with an answered visit
    assert by_name["共性问题一周内书面通知答复"] == (None, 1)  # no common issue this month
    assert by_name[CP1] == (0.5, 1)
    # A time rule without a decided clock is "no data": left off the chart, as on the page.
    assert "5分钟内到场" not in by_name and "承诺时间" not in by_name
    assert all(figure != 0 for figure, _target in by_name.values())


def _row(html: str, key: str) -> list[str]:
    row = re.search(rf'<tr data-key="{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert row, key
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_the_page_names_each_rule_once_with_its_id_small_beside_it(november, office):
    """GLOSSARY.md: a person sees the rule's name, the ID small beside it; one rule column in
    the targets, the time rules and the breaches, the name never repeated beside it."""
    c = browser_for(office.head)
    html = c.get(f"/desk/{office.community.pk}/report/?month=2026-11").content.decode()
    small = '<small class="rule-id">{}</small>'
    cp1 = _row(html, "clock:CP-1")
    assert cp1[0] == f"{CP1} {small.format('CP-1')}"
    assert all(CP1 not in cell for cell in cp1[1:])
    assert len(cp1) == 6  # rule, target, this month, sample, result, note
    rv3 = _row(html, "RV-3")
    assert rv3[0] == f"投诉回访率100% {small.format('RV-3')}" and rv3[1] == "投诉回访率"
    breaches = re.search(r'id="list-breaches">(.*?)</section>', html, re.S).group(1)
    assert "<th>规则</th><th>工单</th>" in breaches
    assert f"<td>{CP1} {small.format('CP-1')}</td><td>{november.x.number}</td>" in breaches
    assert "<td>CP-1</td>" not in breaches and f"<td>{CP1}</td>" not in breaches


def test_the_workbook_names_each_rule_once(november, office):
    wb = load_workbook(io.BytesIO(report_xlsx(_report(office))))
    summary = {row[0]: row for row in wb.worksheets[0].iter_rows(min_row=5, values_only=True)}
    assert summary[CP1][1] == "按时完成率"
    assert "CP-1" not in summary
    sheet = wb[next(n for n in wb.sheetnames if "超时" in n)]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:2] == ("规则", "工单")
    assert (CP1, november.x.number) in {r[:2] for r in rows}


def _first_column(page: Page) -> list[str]:
    """The lines of text drawn in the first column of the page's target and time-rule tables,
    top to bottom (above the chart that follows them)."""
    heads = [t for t in page.texts if t.text == "规则"]
    if not heads:
        return []
    left = min(t.x for t in heads)
    right = min(t.x for t in page.texts if t.text in ("指标", "目标") and t.x > left + 1)
    charts = [t.y for t in page.texts if t.text.startswith("本月指标与目标对比")]
    floor = max(charts, default=-1.0)
    lines: dict[float, list] = defaultdict(list)
    for t in page.texts:
        if left - 1 <= t.x < right - 1 and t.y > floor:
            lines[round(t.y, 1)].append(t)
    return [
        "".join(t.text for t in sorted(lines[y], key=lambda t: t.x))
        for y in sorted(lines, reverse=True)
    ]


def _tables_pages(pdf: bytes) -> list[Page]:
    """The pages up to the one with the chart after the two tables."""
    out = []
    for page in pages(pdf):
        out.append(page)
        if any(t.text.startswith("本月指标与目标对比") for t in page.texts):
            break
    return out


def test_the_pdf_prints_rule_names_on_two_lines_at_most_with_no_lone_bracket(november, office):
    """The PDF's rule column is wide enough for every name in two lines at most on A4 (the
    longest here: 满意率≥96%，满意度≥75%), never a bracket on a line of its own; the time
    rules are named in that column too (it was empty)."""
    r = _report(office)
    pdf = report_pdf(r)
    lines = [ln for p in _tables_pages(pdf) for ln in _first_column(p)]
    assert not [ln for ln in lines if ln.strip() in ("）", ")", "（", "(")]
    expected = [ln.rule_cell for ln in (*r.target_lines, *r.time_lines)]
    assert CP1 in expected and "满意率≥96%，满意度≥75%" in expected
    rest = [ln for ln in lines if ln not in ("规则", "本月目标", "时限规则：按时完成率")]
    for name in expected:
        taken = ""
        for _n in (1, 2):
            taken += rest.pop(0)
            if taken == name:
                break
        assert taken == name, (name, taken)
    assert not rest
