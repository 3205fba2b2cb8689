"""EM-2 5分钟内到场 on the monthly report: each row of a responder who reached the scene late (or
not at all) names that responder, on the page, in the PDF and in the workbook; rows of other
rules name no one."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from propdesk.clocks.services import clocks_sweep
from propdesk.incidents.services import emergency_check_in
from propdesk.reports.exports import report_lists, report_pdf, report_xlsx
from propdesk.reports.selectors import monthly_report
from tests.incidents.conftest import T_NIGHT
from tests.pdfs import pdf_text
from tests.web.conftest import browser_for

pytestmark = pytest.mark.django_db


def test_em2_the_reports_late_arrival_rows_name_the_responder(duty, office) -> None:
    office.repair_leader.name = "李大勇"
    office.repair_leader.save(update_fields=["name"])
    duty.night_guard.name = "赵守夜"
    duty.night_guard.save(update_fields=["name"])
    emergency = duty.log("fire", at=T_NIGHT)
    duty.clock.at = T_NIGHT + timedelta(minutes=4, seconds=59)
    emergency_check_in(emergency_id=emergency.pk, by=duty.night_guard, now=duty.clock.now())
    clocks_sweep(now=T_NIGHT + timedelta(minutes=5, seconds=1))
    duty.clock.at = T_NIGHT + timedelta(minutes=6)  # 00:36: on site, a minute late
    emergency_check_in(emergency_id=emergency.pk, by=office.repair_leader, now=duty.clock.now())
    duty.clock.at = T_NIGHT + timedelta(hours=1)

    report = monthly_report(office.community, 2026, 11, now=duty.clock.now())
    em2 = [b for b in report.breaches if b.rule_id == "EM-2"]
    assert em2 and all(b.person for b in em2)  # every late responder named
    late = next(b for b in em2 if b.person == "李大勇")
    assert late.met_at == T_NIGHT + timedelta(minutes=6)
    assert "赵守夜" not in {b.person for b in em2}  # on site in time: no breach row

    [(_key, _title, header, rows)] = [x for x in report_lists(report) if x[0] == "breaches"]
    assert header[2] == "处置人员"
    row = next(r for r in rows if r[2] == "李大勇")
    assert (str(row[0]), row[1], row[5]) == (
        "5分钟内到场",
        emergency.order.number,
        "2026-11-27 00:36",
    )

    html = (
        browser_for(office.head)
        .get(reverse("desk-report", args=[office.community.pk]), {"month": "2026-11"})
        .content.decode()
    )
    listed = re.search(r'id="list-breaches">(.*?)</section>', html, re.S)
    assert listed is not None
    assert "<th>处置人员</th>" in listed.group(1)
    assert re.search(r"5分钟内到场.*?</td><td>[^<]*</td><td>李大勇</td>", listed.group(1), re.S)

    assert "李大勇" in pdf_text(report_pdf(report))
    wb = load_workbook(io.BytesIO(report_xlsx(report)))
    sheet = wb[next(n for n in wb.sheetnames if "超时" in n)]
    values = list(sheet.iter_rows(values_only=True))  # its title, then the header and rows
    assert any("处置人员" in r for r in values)
    assert any("李大勇" in r for r in values)
