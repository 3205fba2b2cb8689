"""RV-6 for orders completed late in the day: the same-day return call of a repair or a
housekeeping job finished after 20:00, after the office day's end, just before midnight or on a
non-working day. As every same-day clock (FD-6, DS-1, CP-3 …, policy.deadlines): started at or
after late intake (20:00), or once the office day is over, it is the next calendar day's; never
due before it starts. 当日 counts calendar days (RULES.md, Clocks): a Saturday's completion is
due that Saturday (or, late, on Sunday), not on the next working day."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from propdesk.clocks.models import Clock
from propdesk.followup.selectors import call_list_today
from propdesk.notify.models import Notification
from tests.clocks.conftest import sh
from tests.followup.conftest import Loop


def completed_at(loop: Loop, when: datetime, kind: str = "repair"):
    """A job opened an hour before ``when`` and completed (完工) at ``when``."""
    loop.at(when - timedelta(hours=1))
    order = loop.open_for(kind)
    leader = loop.office.repair_leader if kind == "repair" else loop.office.cleaning_leader
    loop.act(order, "claim", by=leader)
    loop.at(when)
    return loop.act(order, "resolve", by=leader)


def rv6(order) -> Clock:
    return Clock.objects.get(order=order, rule_id="RV-6")


# 2026-11-26 is a Thursday; 11-28 a Saturday (no working day).
@pytest.mark.parametrize(
    ("done", "due"),
    [
        (sh(2026, 11, 26, 19, 59, 59), sh(2026, 11, 26, 23, 59, 59)),
        (sh(2026, 11, 26, 20, 0, 0), sh(2026, 11, 27, 23, 59, 59)),  # late intake itself
        (sh(2026, 11, 26, 20, 30), sh(2026, 11, 27, 23, 59, 59)),
        (sh(2026, 11, 26, 23, 59, 58), sh(2026, 11, 27, 23, 59, 59)),
        (sh(2026, 11, 26, 23, 59, 59), sh(2026, 11, 27, 23, 59, 59)),  # day_end itself
        (sh(2026, 11, 27, 0, 0, 0), sh(2026, 11, 27, 23, 59, 59)),  # midnight: a new day
        (sh(2026, 11, 28, 10, 0), sh(2026, 11, 28, 23, 59, 59)),  # Saturday: that day
        (sh(2026, 11, 28, 20, 30), sh(2026, 11, 29, 23, 59, 59)),  # Saturday late: Sunday
    ],
)
def test_rv6_a_job_completed_late_is_called_back_by_the_next_days_end(
    desk, office, clock, done, due
):
    """RV-6, default office day (ends 23:59:59, late intake 20:00): a job completed at or after
    20:00 gets its return call by the end of the next day, never a clock born breached."""
    loop = Loop(office, clock)
    for kind in ("repair", "housekeeping"):
        c = rv6(completed_at(loop, done, kind))
        assert (c.started_at, c.due_at, c.state) == (done, due, "running")
        assert c.due_at >= c.started_at


EARLY_DAY = {"office_day": {"day_end": "18:00:00"}}  # late intake stays 20:00


@pytest.mark.parametrize(
    ("done", "due"),
    [
        (sh(2026, 11, 26, 17, 59, 59), sh(2026, 11, 26, 18, 0)),  # day_end - 1 s
        (sh(2026, 11, 26, 18, 0, 0), sh(2026, 11, 27, 18, 0)),  # day_end itself: tomorrow's
        (sh(2026, 11, 26, 18, 0, 1), sh(2026, 11, 27, 18, 0)),  # day_end + 1 s: tomorrow's
        (sh(2026, 11, 26, 20, 30), sh(2026, 11, 27, 18, 0)),
        (sh(2026, 11, 26, 23, 59, 59), sh(2026, 11, 27, 18, 0)),
        (sh(2026, 11, 27, 0, 0, 0), sh(2026, 11, 27, 18, 0)),  # midnight
        (sh(2026, 11, 28, 18, 0, 1), sh(2026, 11, 29, 18, 0)),  # a Saturday evening
    ],
)
def test_rv6_an_office_whose_day_ends_at_18_never_gets_a_call_due_before_the_job_was_done(
    desk, office, clock, done, due
):
    """RV-6 with the office day ending at 18:00 and late intake at 20:00 (both policy): a job
    completed between 18:00 and 20:00 was born breached before the same-day fix (5ea9228); the
    return call follows FD-6 and DS-1 there. Swept at its deadline it still runs; one second
    past it breaches and goes to the front desk (一级, receptionist), not before."""
    office.community.policy = EARLY_DAY
    office.community.save()
    loop = Loop(office, clock)
    c = rv6(completed_at(loop, done))
    assert (c.started_at, c.due_at) == (done, due)
    assert c.due_at >= c.started_at
    loop.sweep(due)
    c.refresh_from_db()
    assert (c.state, c.level) == ("running", 0)
    loop.sweep(due + timedelta(seconds=1))
    c.refresh_from_db()
    assert (c.state, c.breached_at, c.level) == ("breached", due, 1)
    assert set(
        Notification.objects.filter(cause=f"clock:{c.pk}:L1").values_list("recipient", flat=True)
    ) == {office.receptionist.pk}


def test_rv6_a_job_completed_after_20_is_on_the_next_mornings_call_list(desk, office, clock):
    """RV-6: the job completed at 20:30 is due by the end of the next day, so the front desk's
    list of today's calls (回访, 今日) must offer it the next morning, when its clock is still
    running and will breach tonight; an order whose call was made leaves the list, and one of
    two days ago (its clock breached yesterday) is not today's."""
    loop = Loop(office, clock)
    old = completed_at(loop, sh(2026, 11, 25, 20, 30))  # due 11-26 23:59:59
    late = completed_at(loop, sh(2026, 11, 26, 20, 30))  # due 11-27 23:59:59
    early = completed_at(loop, sh(2026, 11, 27, 8, 30))  # due 11-27 23:59:59
    loop.sweep(sh(2026, 11, 27, 0, 0, 1))
    assert rv6(old).state == "breached"
    morning = sh(2026, 11, 27, 9, 0)
    listed = [r.order_id for r in call_list_today(office.community, morning)]
    assert listed == [late.pk, early.pk]
    loop.visit(order=late, at=morning)
    assert rv6(late).state == "met"
    listed = [r.order_id for r in call_list_today(office.community, morning)]
    assert listed == [early.pk]
    # The evening it was completed, it is already on that day's list (a call now is in time).
    assert late.pk not in [
        r.order_id for r in call_list_today(office.community, sh(2026, 11, 25, 21, 0))
    ]
    assert old.pk in [
        r.order_id for r in call_list_today(office.community, sh(2026, 11, 25, 21, 0))
    ]
