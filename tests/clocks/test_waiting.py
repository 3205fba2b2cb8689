"""Issue 16, waiting states, stored: an order waits for the owner (业主不在家, 待业主确认) or for
parts (待料) with a reason; the clocks its kind names pause (not swept), and move by the paused
time when the wait ends; the limit clocks WT-1, WT-2, WT-3 escalate a wait that runs too long.
Through the desk services and the real sweeper, on the injected clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from propdesk.clocks.models import Clock, ClockLog
from propdesk.clocks.services import calendar_day_set
from propdesk.core.errors import Conflict, Forbidden
from propdesk.desk.models import WorkOrder, WorkOrderEvent
from propdesk.desk.services.appointments import work_order_appoint
from propdesk.notify.models import Notification
from tests.clocks.conftest import sh

T0 = sh(2026, 11, 26, 10, 0)  # a Thursday morning in Shanghai
MIDNIGHT = sh(2026, 11, 26, 23, 59, 59)  # DS-1's same-day deadline for T0


def notified(clock: Clock, level: int) -> set[str]:
    return set(
        Notification.objects.filter(cause=f"clock:{clock.pk}:L{level}").values_list(
            "recipient__username", flat=True
        )
    )


@pytest.fixture
def taken(desk, office) -> WorkOrder:
    """A repair opened at T0, taken from the pool by the repair team's member at once."""
    order = desk.at(T0).open("repair")
    desk.act(order, "claim", by=office.repair_member)
    return order


def test_DS_1_paused_by_WT_1_owner_absent_across_midnight(desk, office, taken) -> None:
    """Waiting from 20:00 to 09:00 the next day: DS-1 is not swept past midnight, and its
    deadline moves by 13 h to 12:59:59; completing at 12:59:59 is on time."""
    member = office.repair_member
    desk.at(sh(2026, 11, 26, 20, 0)).act(
        taken, "wait", by=member, waiting="owner_absent", note="业主不在家，约明早九点"
    )
    ds1 = desk.clock_of(taken, "DS-1")
    assert (ds1.paused_at, ds1.next_check_at) == (sh(2026, 11, 26, 20, 0), None)
    assert desk.sweep(sh(2026, 11, 27, 0, 0, 1)).breached == 0
    desk.at(sh(2026, 11, 27, 9, 0)).act(taken, "end_wait", by=member, note="业主回来了")
    ds1.refresh_from_db()
    assert ds1.due_at == MIDNIGHT + timedelta(hours=13)
    assert (ds1.paused_at, ds1.paused_seconds, ds1.state) == (None, 13 * 3600, "running")
    assert ds1.next_check_at == ds1.warn_at == ds1.due_at - timedelta(hours=2)
    desk.at(sh(2026, 11, 27, 12, 59, 59)).act(taken, "resolve", by=member)
    assert desk.clock_of(taken, "DS-1").state == "met"
    assert desk.clock_of(taken, "WT-1").state == "met"
    lines = list(ClockLog.objects.filter(clock=ds1).values_list("what", "data"))
    assert [w for w, _ in lines] == ["started", "paused", "resumed", "met"]
    assert lines[1][1] == {
        "rule": "DS-1",
        "waiting": "owner_absent",
        "reason": "业主不在家，约明早九点",
    }
    assert lines[2][1]["paused_seconds"] == 13 * 3600


def test_DS_1_resumed_one_second_late_is_breached_at_its_moved_deadline(desk, office, taken):
    member = office.repair_member
    desk.at(sh(2026, 11, 26, 20, 0)).act(taken, "wait", by=member, waiting="parts", note="待料")
    desk.at(sh(2026, 11, 26, 21, 0)).act(taken, "end_wait", by=member)
    moved = MIDNIGHT + timedelta(hours=1)
    assert desk.sweep(moved).breached == 0
    assert desk.sweep(moved + timedelta(seconds=1)).breached == 1
    assert desk.clock_of(taken, "DS-1").breached_at == moved


def test_WT_1_a_wait_past_its_limit_escalates_at_exactly_the_limit(desk, office, taken) -> None:
    """业主不在家 for at most 2 days (WT-1): at 2 days the wait is not yet over its limit; a
    second later it is, and the assignee and the team leader hear of it. DS-1 stays paused."""
    start = sh(2026, 11, 26, 15, 0)
    desk.at(start).act(taken, "wait", by=office.repair_member, waiting="owner_absent", note="x")
    wt1 = desk.clock_of(taken, "WT-1")
    assert wt1.due_at == start + timedelta(days=2)
    desk.sweep(start + timedelta(days=2))
    wt1.refresh_from_db()
    assert wt1.state == "running"
    desk.sweep(start + timedelta(days=2, seconds=1))
    wt1.refresh_from_db()
    assert (wt1.state, wt1.breached_at) == ("breached", start + timedelta(days=2))
    assert notified(wt1, 1) == {office.repair_member.username, office.repair_leader.username}
    ds1 = desk.clock_of(taken, "DS-1")
    assert (ds1.state, ds1.paused_at) == ("running", start)


def test_DS_1_a_breached_clock_does_not_pause(desk, office, taken) -> None:
    desk.sweep(MIDNIGHT + timedelta(seconds=1))
    desk.at(sh(2026, 11, 27, 9, 0)).act(
        taken, "wait", by=office.repair_member, waiting="parts", note="等配件"
    )
    ds1 = desk.clock_of(taken, "DS-1")
    assert (ds1.state, ds1.paused_at, ds1.due_at) == ("breached", None, MIDNIGHT)
    assert not ClockLog.objects.filter(clock=ds1, what="paused").exists()
    assert desk.clock_of(taken, "WT-3").state == "running"  # the wait itself is still limited


def test_DS_1_the_next_step_ends_the_wait_and_the_timeline_says_so(desk, office, taken) -> None:
    """Checking in while waiting ends the wait first (its own line, 'ended by check-in'),
    then the check-in; DS-1 counts again, moved by the wait."""
    member = office.repair_member
    desk.at(sh(2026, 11, 26, 11, 0)).act(
        taken, "wait", by=member, waiting="owner_confirm", note="报价待业主确认"
    )
    desk.at(sh(2026, 11, 26, 14, 0)).act(taken, "check_in", by=member)
    taken.refresh_from_db()
    assert (taken.waiting, taken.waiting_since, taken.state) == ("", None, "on_site")
    actions = list(taken.events.order_by("id").values_list("action", "data"))
    assert [a for a, _ in actions][-3:] == ["wait", "end_wait", "check_in"]
    assert actions[-2][1] == {
        "waiting": "owner_confirm",
        "waited_seconds": 3 * 3600,
        "auto": "check_in",
    }
    ds1 = desk.clock_of(taken, "DS-1")
    assert (ds1.paused_at, ds1.due_at) == (None, MIDNIGHT + timedelta(hours=3))
    assert desk.clock_of(taken, "WT-2").state == "met"


def test_DS_1_across_a_statutory_holiday_on_a_working_days_clock(desk, office) -> None:
    """A community whose DS-1 counts 2 working days: opened Tuesday 9-29 it is due at the end of
    Thursday 10-8 (National Day 10-1 to 10-7). Waiting for parts from Wednesday 9-30 18:00 to
    Thursday 10-8 09:00 moves it by exactly that wall-clock time (7 d 15 h): counting only the
    office's hours comes with the team-hours clocks (the one call to shift_due)."""
    office.community.policy = {
        "clocks": {"DS-1": {"duration": {"kind": "working_days", "value": 2}}}
    }
    office.community.save(update_fields=["policy"])
    order = desk.at(sh(2026, 9, 29, 10, 0)).open("repair")
    desk.act(order, "claim", by=office.repair_member)
    due = sh(2026, 10, 8, 23, 59, 59)
    assert desk.clock_of(order, "DS-1").due_at == due
    desk.at(sh(2026, 9, 30, 18, 0)).act(
        order, "wait", by=office.repair_member, waiting="parts", note="配件节后到货"
    )
    desk.at(sh(2026, 10, 8, 9, 0)).act(order, "end_wait", by=office.repair_member)
    assert desk.clock_of(order, "DS-1").due_at == due + timedelta(days=7, hours=15)


def test_waiting_needs_a_known_kind_and_a_reason_and_changes_nothing_without(
    desk, office, taken
) -> None:
    member = office.repair_member
    taken.refresh_from_db()
    before = taken.version
    with pytest.raises(ValidationError) as exc:
        desk.act(taken, "wait", by=member, waiting="holiday", note="")
    assert set(exc.value.message_dict) == {"waiting", "note"}
    taken.refresh_from_db()
    assert (taken.version, taken.waiting) == (before, "")
    assert not Clock.objects.filter(order=taken, paused_at__isnull=False).exists()
    with pytest.raises(Conflict) as not_waiting:
        desk.act(taken, "end_wait", by=member)
    assert not_waiting.value.code == "not_waiting"
    desk.act(taken, "wait", by=member, waiting="parts", note="待料")
    with pytest.raises(Conflict) as again:
        desk.act(taken, "wait", by=member, waiting="owner_absent", note="x")
    assert again.value.code == "already_waiting"


def test_who_may_set_a_wait_the_assignee_leader_administrator_head(desk, office, taken) -> None:
    other = desk.open("repair")
    desk.act(other, "claim", by=office.repair_leader)
    with pytest.raises(Forbidden):  # a member of the team, but not theirs
        desk.act(other, "wait", by=office.repair_member, waiting="parts", note="x")
    with pytest.raises(Forbidden):
        desk.act(other, "wait", by=office.receptionist, waiting="parts", note="x")
    for who in (office.repair_leader, office.administrator, office.head):
        desk.act(other, "wait", by=who, waiting="parts", note="x")
        desk.act(other, "end_wait", by=who)
    assert WorkOrderEvent.objects.filter(order=other, action="wait").count() == 3


def test_cancelling_a_waiting_order_ends_the_wait_and_cancels_its_clocks(desk, office, taken):
    desk.at(sh(2026, 11, 26, 11, 0)).act(
        taken, "wait", by=office.repair_member, waiting="parts", note="待料"
    )
    desk.at(sh(2026, 11, 26, 12, 0)).act(taken, "cancel", by=office.administrator)
    assert desk.clock_of(taken, "DS-1").state == "cancelled"
    assert desk.clock_of(taken, "WT-3").state == "met"  # the wait ended before the cancel
    assert not Clock.objects.filter(order=taken, paused_at__isnull=False).exists()


def _working_day_repair_waited_two_hours(desk, office) -> WorkOrder:
    """DS-1 counted in 2 working days (the office's policy); a repair opened Thursday 11-26 at
    T0, taken, waiting for the owner's confirmation 12:00–14:00: due 12-1 01:59:59."""
    two_working_days = {"duration": {"kind": "working_days", "value": 2}}
    office.community.policy = {"clocks": {"DS-1": two_working_days}}
    office.community.save(update_fields=["policy"])
    order = desk.at(T0).open("repair")
    desk.act(order, "claim", by=office.repair_member)
    desk.at(sh(2026, 11, 26, 12, 0)).act(
        order, "wait", by=office.repair_member, waiting="owner_confirm", note="待确认"
    )
    desk.at(sh(2026, 11, 26, 14, 0)).act(order, "end_wait", by=office.repair_member)
    assert desk.clock_of(order, "DS-1").due_at == sh(2026, 12, 1, 1, 59, 59)
    return order


def test_DS_1_a_calendar_recompute_keeps_the_time_a_wait_paused_it(desk, office) -> None:
    """Working-day DS-1 (2 working days) opened Thursday 11-26: due Monday 11-30 at the end of
    the day; a 2-hour wait moves it to 12-1 01:59:59; the office then takes Friday 11-27 off:
    recomputed from the calendar it is due Tuesday 12-1's end, still 2 hours later."""
    order = _working_day_repair_waited_two_hours(desk, office)
    calendar_day_set(community=office.community, day=date(2026, 11, 27), is_working=False, now=T0)
    ds1 = desk.clock_of(order, "DS-1")
    assert (ds1.due_at, ds1.paused_seconds) == (sh(2026, 12, 2, 1, 59, 59), 7200)
    assert ds1.next_check_at == ds1.warn_at


def test_DS_1_a_calendar_recompute_after_a_new_agreed_time_leaves_out_the_earlier_wait(
    desk, office
) -> None:
    """Working-day DS-1 (2 working days, counted from the agreed time) opened Thursday 11-26:
    a 2-hour wait moves it to 12-1 01:59:59. The owner then agrees Friday 11-27 09:00 (改约):
    counted afresh from that time it is due Tuesday 12-1's end, the wait before it no longer
    counted. The office takes Monday 11-30 off: recomputed from the agreed time, due Wednesday
    12-2's end, and the wait before the new time still not counted."""
    order = _working_day_repair_waited_two_hours(desk, office)
    order.refresh_from_db()
    work_order_appoint(
        order_id=order.pk,
        by=office.repair_member,
        now=sh(2026, 11, 26, 15, 0),
        version=order.version,
        appointment_at=sh(2026, 11, 27, 9, 0),
    )
    assert desk.clock_of(order, "DS-1").due_at == sh(2026, 12, 1, 23, 59, 59)
    calendar_day_set(community=office.community, day=date(2026, 11, 30), is_working=False, now=T0)
    assert desk.clock_of(order, "DS-1").due_at == sh(2026, 12, 2, 23, 59, 59)
