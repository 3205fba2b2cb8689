"""FD-1 in the monthly report: the share of the month's incoming calls answered within three
rings (a missed call counts as not within), named 三声内接听, in the page, PDF and workbook; and
the call-back clock's compliance line beside the other time rules."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal

import openpyxl
from django.utils import translation

from propdesk.calls.services import CallEventInput, call_event_record
from propdesk.reports.exports import report_xlsx
from propdesk.reports.selectors import monthly_report

T0 = datetime.fromisoformat("2026-11-20T10:00:00+08:00")


def call(office, n: int, *, ring: float | None) -> None:  # type: ignore[no-untyped-def]
    at = T0 + timedelta(hours=n)
    cid = f"c{n}"

    def record(e: CallEventInput) -> None:
        call_event_record(community=office.community, data=e, source="test", now=at)

    record(CallEventInput(f"{cid}:r", cid, "ringing", at, "13812345678"))
    if ring is None:
        record(CallEventInput(f"{cid}:m", cid, "missed", at + timedelta(seconds=30)))
    else:
        record(CallEventInput(f"{cid}:a", cid, "answered", at + timedelta(seconds=ring)))


def test_fd1_the_monthly_report_has_its_line(office, clock) -> None:  # type: ignore[no-untyped-def]
    call(office, 0, ring=15)
    call(office, 1, ring=16)
    call(office, 2, ring=None)
    call(office, 3, ring=4)
    report = monthly_report(office.community, 2026, 11, now=clock.now())
    line = report.line("FD-1")
    assert (line.figure, line.sample, line.target, line.status) == (
        Decimal("50.0"),
        4,
        Decimal(100),
        "missed",
    )
    assert "clock:FD-1-callback" in [ln.key for ln in report.lines]
    with translation.override("zh-hans"):
        assert str(line.title) == "三声内接听的来电"
        assert "未接 1 个" in str(line.note)


def test_fd1_a_month_without_calls_says_so(office, clock) -> None:  # type: ignore[no-untyped-def]
    line = monthly_report(office.community, 2026, 11, now=clock.now()).line("FD-1")
    assert (line.figure, line.sample, line.status) == (None, 0, "no_data")


def test_fd1_line_in_the_workbook(office, clock) -> None:  # type: ignore[no-untyped-def]
    call(office, 0, ring=3)
    data = report_xlsx(monthly_report(office.community, 2026, 11, now=clock.now()))
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert any("三声内接听" in c for c in cells)


def test_fd1_a_missed_call_breached_reads_as_the_number_in_the_lists(office, clock) -> None:  # type: ignore[no-untyped-def]
    """The breach list names a call-back by the caller's number (未接来电 138…), not by the
    clock's key ("phone:138…"), on the page, the PDF and the workbook (one list for all three)."""
    from propdesk.clocks.services import clocks_sweep
    from propdesk.reports.exports import report_lists

    call(office, 0, ring=None)
    clocks_sweep(now=T0 + timedelta(days=1))
    report = monthly_report(
        office.community, 2026, 11, now=T0 + timedelta(days=1), viewer=office.head
    )
    with translation.override("zh-hans"):
        lists = {key: rows for key, _title, _header, rows in report_lists(report)}
    callback = [row for row in lists["breaches"] if row[0].rule_id == "FD-1-callback"]
    assert callback
    assert callback[0][1] == "未接来电 13812345678"
