"""The console pages and the API of the monthly report: the figures, the files, and who may
see them (403 for a team member, 404 for another community's)."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from propdesk.community.models import User
from tests.conftest import client_for
from tests.followup.conftest import sh
from tests.pdfs import A4_MEDIABOX, pdf_text
from tests.web.conftest import browser_for


def _url(office, name="desk-report"):
    return reverse(name, args=[office.community.pk]) + "?month=2026-11"


def test_rv2_console_page_shows_the_figures_charts_and_lists(november, office):
    r = browser_for(office.head).get(_url(office), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    html = r.content.decode()
    assert "锦绣花园 2026年11月 服务质量月报" in html
    assert 'data-key="RV-2-rate"' in html and "83.3%" in html and "≥ 96%" in html
    assert 'data-key="clock:CP-1"' in html
    assert html.count("<svg") >= 2 and '<script src="http' not in html
    assert november.y.number in html  # RV-3: the complaint without a visit
    assert "希望增加儿童游乐设施" in html  # RV-5: the open item
    assert reverse("desk-report-pdf", args=[office.community.pk]) + "?month=2026-11" in html
    # The nav carries the report for the head.
    assert f'href="{reverse("desk-report", args=[office.community.pk])}"' in html


def test_console_report_for_administrator_and_leadership_not_team_or_reception(
    november, office, other_office
):
    boss = User.objects.get(username="boss")
    assert browser_for(office.administrator).get(_url(office)).status_code == 200
    assert browser_for(boss).get(_url(office)).status_code == 200
    assert browser_for(office.repair_member).get(_url(office)).status_code == 403
    assert browser_for(office.receptionist).get(_url(office)).status_code == 403
    assert browser_for(office.head).get(_url(other_office)).status_code == 404
    assert browser_for(office.repair_member).get(_url(office, "desk-report-pdf")).status_code == 403


def test_console_bad_month_falls_back_to_this_month(november, office):
    r = browser_for(office.head).get(
        reverse("desk-report", args=[office.community.pk]) + "?month=2026-13"
    )
    assert r.status_code == 200
    assert "2026年11月" in r.content.decode()
    assert "请按 2026-11 的格式输入月份" in r.content.decode()


def test_console_a_month_with_no_report_says_so_not_that_its_form_is_wrong(november, office):
    """1999-01 is written right, but no report is kept before 2000; a month still to come drew
    an empty report as if nothing had happened. Each says which months there are."""
    page = browser_for(office.head)
    for month in ("1999-01", "2027-01", "2030-01"):
        html = page.get(
            reverse("desk-report", args=[office.community.pk]) + f"?month={month}"
        ).content.decode()
        assert f"没有 {month} 的月报：可查看 2000-01 至本月" in html, month
        assert "的格式" not in html and "2026年11月" in html, month
    boss = User.objects.get(username="boss")
    html = browser_for(boss).get(reverse("desk-report-compare") + "?month=2030-01").content
    assert "没有 2030-01 的月报" in html.decode()


def test_console_files_pdf_and_xlsx(november, office):
    c = browser_for(office.head)
    pdf = c.get(_url(office, "desk-report-pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert A4_MEDIABOX in pdf.content
    assert "《锦绣花园 2026年11月 服务质量月报》" in pdf_text(pdf.content)
    xlsx = c.get(_url(office, "desk-report-xlsx"))
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.worksheets[0]["A1"].value == "锦绣花园 2026年11月 服务质量月报"


def test_console_compare_for_leadership_only(november, office, other_office):
    boss = User.objects.get(username="boss")
    r = browser_for(boss).get(reverse("desk-report-compare") + "?month=2026-11")
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-community="{office.community.pk}"' in html
    assert f'data-community="{other_office.community.pk}"' in html
    assert "83.3%" in html
    # RV-3's 1 of 2 reads as the monthly report prints it: 50%, not 50.0%.
    assert "50%" in html and "50.0%" not in html
    assert browser_for(office.head).get(reverse("desk-report-compare")).status_code == 403


def test_console_compare_offers_no_month_that_has_not_begun(november, loop, office, other_office):
    """The comparison's › goes to the next month only once that month has begun (Asia/Shanghai),
    as the community's own report does: on 2026-11-30 23:30 there is no arrow to December; a
    minute past midnight, on 12-01, there is."""
    boss = User.objects.get(username="boss")
    page = reverse("desk-report-compare") + "?month=2026-11"
    loop.at(sh(2026, 11, 30, 23, 30))
    html = browser_for(boss).get(page).content.decode()
    assert 'href="?month=2026-10"' in html
    assert 'href="?month=2026-12"' not in html
    loop.at(sh(2026, 12, 1, 0, 1))
    assert 'href="?month=2026-12"' in browser_for(boss).get(page).content.decode()


def test_rv3_api_monthly_report_json(november, office):
    r = client_for(office.head).get(
        "/api/reports/monthly/", {"community": office.community.pk, "month": "2026-11"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["title"] == "锦绣花园 2026年11月 服务质量月报"
    lines = {ln["key"]: ln for ln in body["lines"]}
    assert (lines["RV-3"]["figure"], lines["RV-3"]["target"], lines["RV-3"]["sample"]) == (
        "50.0",
        "100.0",
        2,
    )
    assert lines["RV-3"]["status"] == "missed"
    assert [m["number"] for m in body["complaints"]["missing"]] == [november.y.number]
    assert (lines["RV-2-rate"]["figure"], lines["RV-2-rate"]["sample"]) == ("83.3", 6)
    assert lines["clock:EM-2"]["status"] == "no_data"
    assert {(b["rule_id"], b["number"]) for b in body["breaches"]} >= {("CP-1", november.x.number)}
    assert [i["text"] for i in body["open_items"]] == ["希望增加儿童游乐设施"]
    assert [t["number"] for t in body["turned_orders"]] == [november.d.number]
    assert len(body["trend"]) == 12
    # RV-2 by team, kind and building: every group adds up to the month's answered visits.
    for by in ("team", "kind", "building"):
        assert sum(g["figures"]["answered"] for g in body["breakdowns"][by]) == 6
    assert office.repair.name in {g["name"] for g in body["breakdowns"]["team"]}


def test_api_files(november, office):
    c = client_for(office.administrator)
    q = {"community": office.community.pk, "month": "2026-11"}
    pdf = c.get("/api/reports/monthly/pdf/", q)
    assert pdf.status_code == 200 and A4_MEDIABOX in pdf.content
    xlsx = c.get("/api/reports/monthly/xlsx/", q)
    assert xlsx.status_code == 200
    load_workbook(io.BytesIO(xlsx.content))


def test_api_scoping_and_bad_input(november, office, other_office):
    q = {"community": office.community.pk, "month": "2026-11"}
    r = client_for(office.repair_member).get("/api/reports/monthly/", q)
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
    r = client_for(office.head).get(
        "/api/reports/monthly/", {"community": other_office.community.pk, "month": "2026-11"}
    )
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    r = client_for(office.head).get("/api/reports/monthly/", {**q, "month": "11/2026"})
    assert r.status_code == 400 and "month" in r.json()["error"]["fields"]
    r = client_for(office.head).get("/api/reports/monthly/", {"month": "2026-11"})
    assert r.status_code == 400 and "community" in r.json()["error"]["fields"]
    assert client_for(office.repair_member).get("/api/reports/monthly/pdf/", q).status_code == 403


def test_api_compare_for_leadership(november, office, other_office):
    boss = User.objects.get(username="boss")
    r = client_for(boss).get("/api/reports/compare/", {"month": "2026-11"})
    assert r.status_code == 200
    rows = {c["community_id"]: c for c in r.json()["communities"]}
    assert set(rows) == {office.community.pk, other_office.community.pk}
    assert rows[office.community.pk]["rate"] == "83.3"
    assert rows[other_office.community.pk]["rate"] is None
    r = client_for(office.head).get("/api/reports/compare/", {"month": "2026-11"})
    assert r.status_code == 403


def test_console_compare_says_what_its_missed_count_counts(november, office, other_office):
    """The comparison's 未达标项 is not the monthly report's 未达标 N 项 (a leader who opens the
    report from the row reads a larger number): the column says it counts this table's
    targets (the cells marked missed in the row), out of how many, and the note says why the
    report's count is larger."""
    import re

    boss = User.objects.get(username="boss")
    html = browser_for(boss).get(reverse("desk-report-compare") + "?month=2026-11").content.decode()
    row = html.split(f'data-community="{office.community.pk}"', 1)[1].split("</tr>", 1)[0]
    found = re.search(rf'id="missed-{office.community.pk}">(\d+) / 6</td>', row)
    assert found, row
    assert int(found.group(1)) == row.count("st-missed")
    assert "本表未达标项" in html and "月报逐项列出每个目标和每条时限规则" in html
