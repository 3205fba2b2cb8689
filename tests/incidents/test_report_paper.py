"""EM-3: the printed 《突发事件处理表》 has the lines to sign and approve (填表人, 部门负责人 and
管理处主任 with their signatures and dates, 公司领导审批), in Chinese whatever the reader's
language, and opens in the browser like the other PDFs."""

from __future__ import annotations

from datetime import timedelta

from django.utils import translation

from propdesk.followup.services import notice_write
from propdesk.incidents import reports
from propdesk.incidents.pdf import incident_report_pdf
from tests.conftest import client_for
from tests.incidents.conftest import T_NIGHT
from tests.incidents.test_reports import resolved, write  # noqa: F401 - the fixture
from tests.pdfs import pdf_text

SIGN_LINES = ("填表人", "填表日期", "部门负责人意见", "管理处主任审批", "公司领导审批")
BLANK_DATE = "\u3000" * 6 + "年" + "\u3000" * 3 + "月" + "\u3000" * 3 + "日"


def test_em3_a_draft_prints_blank_lines_to_sign_and_approve(resolved) -> None:  # noqa: F811
    text = pdf_text(incident_report_pdf(resolved))

    assert all(w in text for w in SIGN_LINES)
    assert text.count("签字") == 3  # the department head, the office head, leadership
    assert text.count("日期") >= 4
    assert text.count(BLANK_DATE) == 4  # nothing submitted or approved: every date by hand
    assert "审批通过" not in text


def test_em3_a_filed_report_prints_who_filled_it_in_and_leaderships_decision(
    resolved,  # noqa: F811
    duty,
    office,
) -> None:
    write(resolved, office.head, cause_analysis="电线老化", measures="断电灭火")
    reports.incident_report_submit(
        report_id=resolved.pk, by=office.head, now=T_NIGHT + timedelta(hours=2)
    )
    reports.incident_report_approve(
        report_id=resolved.pk, by=duty.boss, now=T_NIGHT + timedelta(days=1), comment="同意备案"
    )
    resolved.refresh_from_db()

    with translation.override("en"):  # the reader's language does not matter: it is paper
        text = pdf_text(incident_report_pdf(resolved))

    assert f"填表人{office.head}填表日期2026年11月27日" in text
    assert "公司领导审批审批通过：同意备案" in text
    assert "2026年11月28日" in text  # the approval's date
    assert text.count(BLANK_DATE) == 2  # the department head's and office head's, by hand
    assert "状态：" in text and "State" not in text and "Work order" not in text


def test_em3_the_report_pdf_opens_in_the_browser(resolved, office) -> None:  # noqa: F811
    eid = resolved.emergency_id
    r = client_for(office.head).get(f"/api/emergencies/{eid}/report/pdf/")

    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    number = resolved.emergency.order.number
    assert r["Content-Disposition"] == f'inline; filename="incident-{number}.pdf"'
    assert "公司领导审批" in pdf_text(r.content)


def test_rv7_the_notice_pdf_opens_in_the_browser_too(office, clock) -> None:
    """RV-7: like every printable PDF of the console."""
    notice = notice_write(
        community=office.community,
        by=office.administrator,
        now=clock.now(),
        title="停水通知",
        body="明日停水。",
    )
    r = client_for(office.administrator).get(f"/api/notices/{notice.pk}/pdf/")

    assert r.status_code == 200
    assert r["Content-Disposition"] == f'inline; filename="notice-{notice.pk}.pdf"'
