"""A month's report read while the month runs says what is late and what is still to come: RV-1's
households short of the target but on the pace, RV-3's complaints without a return visit whose
follow-up time (CP-2, three days from 办结) still runs. 未达标 alone on the 5th read as a miss."""

from __future__ import annotations

from datetime import timedelta

from propdesk.reports.selectors import monthly_report
from tests.followup.conftest import sh


def _note(report, key: str) -> str:
    return str(report.line(key).note)


def test_rv3_a_complaint_resolved_within_its_three_days_is_said_to_be_to_come(
    november, office
) -> None:
    """Y was resolved on 20 November at 11:00 with no return visit: its CP-2 follow-up is due
    on 23 November at 11:00. Read before, the note says it is still within its time; at the
    deadline it is late, and so from then on."""
    due = sh(2026, 11, 23, 11, 0)
    early = monthly_report(office.community, 2026, 11, now=sh(2026, 11, 21, 9, 0))
    assert _note(early, "RV-3") == "1 宗未回访，其中 1 宗仍在跟踪回访时限内"
    assert early.line("RV-3").status == "missed"  # the rate is the rate: 1 of 2
    last = monthly_report(office.community, 2026, 11, now=due - timedelta(seconds=1))
    assert _note(last, "RV-3") == "1 宗未回访，其中 1 宗仍在跟踪回访时限内"
    for now in (due, sh(2026, 11, 26, 10, 0), sh(2026, 12, 10, 10, 0)):
        assert _note(monthly_report(office.community, 2026, 11, now=now), "RV-3") == "1 宗未回访"
    # The list (page, PDF, workbook, API) gives the deadline while it runs, none once late.
    assert [m.follow_up_due for m in early.complaints.missing] == [due]
    november.loop.sweep(due + timedelta(seconds=1))
    late = monthly_report(office.community, 2026, 11, now=due + timedelta(seconds=1))
    assert [(m.number, m.follow_up_due) for m in late.complaints.missing] == [
        (november.y.number, None)
    ]


def test_rv1_a_running_month_on_the_pace_says_so_and_a_past_one_short_is_behind(
    november, office
) -> None:
    """RV-1, 20 households a month: on 1 December one visited household is the pace (1 by day
    1); none visited is behind it; November, over with 3 of 20, is behind its whole pace. The
    status is 未达标 until 20 are visited, in each."""
    loop = november.loop
    assert _note(monthly_report(office.community, 2026, 12, now=sh(2026, 12, 1, 8, 0)), "RV-1") == (
        "进度落后：到第 1 天应回访 1 户"
    )
    december = loop.resolved("repair")
    loop.visit(order=december, level="satisfied", at=sh(2026, 12, 1, 9, 0))
    running = monthly_report(office.community, 2026, 12, now=sh(2026, 12, 1, 10, 0))
    assert running.line("RV-1").status == "missed"
    assert _note(running, "RV-1") == "本月尚未结束，进度正常：到第 1 天应回访 1 户"
    past = monthly_report(office.community, 2026, 11, now=sh(2026, 12, 1, 10, 0))
    assert _note(past, "RV-1") == "进度落后：到第 30 天应回访 20 户"


def test_rv2_a_past_months_dissatisfied_awaiting_are_those_at_its_end(november, office) -> None:
    """RV-2's 不满意 turned satisfied: a past month's "still awaiting" is the month's own at its
    end (in the community's zone), not those of the day it is read. E, 不满意 on 25 November and
    satisfied on 3 December, awaited at November's end; F and G, 不满意 in December, are
    December's; D turned within November."""
    loop = november.loop
    e = loop.resolved("repair")
    loop.visit(order=e, level="dissatisfied", at=sh(2026, 11, 30, 23, 59, 59))
    loop.visit(order=e, level="satisfied", at=sh(2026, 12, 3, 9, 0))
    for day in (1, 4):
        loop.at(sh(2026, 12, day, 0, 0))
        order = loop.resolved("repair")
        loop.visit(order=order, level="dissatisfied", at=sh(2026, 12, day, 0, 0))
    read_on = sh(2026, 12, 10, 10, 0)
    nov = monthly_report(office.community, 2026, 11, now=read_on)
    assert (nov.turned.opened, nov.turned.turned, nov.turned.awaiting) == (2, 1, 1)
    assert _note(nov, "turned") == "1 单仍待挽回"
    dec = monthly_report(office.community, 2026, 12, now=read_on)
    assert (dec.turned.opened, dec.turned.turned, dec.turned.awaiting) == (2, 1, 2)
