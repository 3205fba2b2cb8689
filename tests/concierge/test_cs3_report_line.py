"""CS-3 每季度社区活动 on the monthly report: the quarter's line is judged from the activities
recorded (held or closed, by their date) like every other target line, met or not met, never
供参考; while the quarter runs and none is held yet, its note says the quarter is still running."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from propdesk.reports.selectors import monthly_report
from tests.clocks.conftest import sh
from tests.web.conftest import browser_for

pytestmark = pytest.mark.django_db


def cs3_row(html: str) -> str:
    found = re.search(r'<tr data-key="CS-3">(.*?)</tr>', html, re.S)
    assert found is not None
    return found.group(1)


def test_cs3_a_quarter_without_an_activity_held_is_not_met_while_it_runs(office, acts) -> None:
    acts.at(sh(2026, 11, 26, 10))
    acts.plan(sh(2026, 12, 20, 19, 0))  # planned, not held: it does not count yet
    line = monthly_report(office.community, 2026, 11, now=acts.clock.now()).line("CS-3")
    assert (line.status, line.figure, line.target) == ("missed", 0, 1)
    html = browser_for(office.head).get(
        reverse("desk-report", args=[office.community.pk]), {"month": "2026-11"}
    )
    row = cs3_row(html.content.decode())
    assert "未达标" in row and "供参考" not in row
    assert "第4季度尚未结束" in row and "待举办1场" in row


def test_cs3_an_activity_held_in_the_quarter_meets_it(office, acts) -> None:
    acts.at(sh(2026, 10, 20, 9))
    a = acts.plan(sh(2026, 10, 25, 19, 0))
    acts.announce(a)
    acts.signup(a)
    acts.at(sh(2026, 10, 25, 21, 0))
    acts.attend(a, [office.household])
    acts.at(sh(2026, 11, 26, 10))
    line = monthly_report(office.community, 2026, 11, now=acts.clock.now()).line("CS-3")
    assert (line.status, line.figure) == ("met", 1)
    html = browser_for(office.head).get(
        reverse("desk-report", args=[office.community.pk]), {"month": "2026-11"}
    )
    row = cs3_row(html.content.decode())
    assert "达标" in row and "未达标" not in row and "供参考" not in row
    assert "尚未结束" not in row
