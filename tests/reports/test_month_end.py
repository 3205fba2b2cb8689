"""RV-5 in a month's report is the month's: the opinions and suggestions without a written reply
at its end (in the community's time zone), aged to then, whenever the report is read. The
November report read on 10 December listed and counted what owners said in December, and judged
November 未达标 by it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from propdesk.followup.models import SuggestionItem
from propdesk.followup.services import suggestion_create, suggestion_reply
from propdesk.reports.selectors import monthly_report
from tests.followup.conftest import sh
from tests.web.conftest import browser_for

READ_ON = sh(2026, 12, 10, 10, 0)


def _said(office, text: str, at) -> SuggestionItem:
    return suggestion_create(
        community=office.community,
        by=office.administrator,
        now=at,
        kind="suggestion",
        text=text,
        household=office.household,
    )


def _answered(office, item: SuggestionItem, at) -> None:
    suggestion_reply(
        item_id=item.pk, by=office.administrator, now=at, reply="已书面答复", channel="phone"
    )


@pytest.fixture
def register(office, clock):
    """Said and answered around November's end (Shanghai): 00:00:00 on 1 December is
    December's."""
    p = _said(office, "P 十一月初，一直未答复", sh(2026, 11, 5, 9, 0))
    q = _said(office, "Q 十二月第一刻才答复", sh(2026, 11, 10, 9, 0))
    r = _said(office, "R 十一月最后一秒答复", sh(2026, 11, 12, 9, 0))
    t = _said(office, "T 十一月最后一秒记录", sh(2026, 11, 30, 23, 59, 59))
    s = _said(office, "S 十二月第一刻记录", sh(2026, 12, 1, 0, 0))
    _answered(office, q, sh(2026, 12, 1, 0, 0))
    _answered(office, r, sh(2026, 11, 30, 23, 59, 59))
    clock.at = READ_ON
    return {"P": p, "Q": q, "R": r, "S": s, "T": t}


def _texts(report) -> list[str]:
    return [row.item.text[0] for row in report.open_items]


def test_rv5_a_past_months_open_items_are_those_at_its_end_aged_to_it(register, office):
    r = monthly_report(office.community, 2026, 11, now=READ_ON)
    # P and T were never answered; Q was answered at December's first instant, after November
    # ended; R was answered within November; S was said in December.
    assert _texts(r) == ["P", "Q", "T"]
    # Aged to 1 December 00:00: P 25 days 15 hours, Q 20 days 15 hours, T one second.
    assert [(row.age_days, row.age_hours) for row in r.open_items] == [
        (25, 615),
        (20, 495),
        (0, 0),
    ]
    line = r.line("RV-5")
    assert (line.figure, line.status) == (Decimal(3), "missed")
    assert "25" in str(line.note)


def test_rv5_the_running_months_open_items_are_those_open_now(register, office):
    r = monthly_report(office.community, 2026, 12, now=READ_ON)
    assert _texts(r) == ["P", "T", "S"]
    # Aged to now, 10 December 10:00: S 9 days 10 hours.
    assert (r.open_items[-1].age_days, r.open_items[-1].age_hours) == (9, 226)
    assert r.line("RV-5").figure == Decimal(3)


def test_rv5_a_month_answered_in_full_is_met_whatever_came_after(office, clock):
    item = _said(office, "十一月的建议", sh(2026, 11, 20, 9, 0))
    _answered(office, item, sh(2026, 11, 30, 18, 0))
    _said(office, "十二月二日的建议", sh(2026, 12, 2, 9, 0))
    clock.at = READ_ON
    line = monthly_report(office.community, 2026, 11, now=READ_ON).line("RV-5")
    assert (line.figure, line.status, line.list_key) == (Decimal(0), "met", "")


def test_rv5_page_and_workbook_list_the_same_items_of_the_month(register, office):
    head = browser_for(office.head)
    url = reverse("desk-report", args=[office.community.pk]) + "?month=2026-11"
    html = head.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    xlsx = head.get(reverse("desk-report-xlsx", args=[office.community.pk]) + "?month=2026-11")
    sheet = load_workbook(io.BytesIO(xlsx.content))["未答复意见"]
    listed = [row[2] for row in sheet.iter_rows(min_row=3, values_only=True) if row[2]]
    assert [text[0] for text in listed] == ["P", "Q", "T"]
    for text in listed:
        assert text in html
    assert "S 十二月第一刻记录" not in html
