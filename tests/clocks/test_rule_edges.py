"""The time rules of RULES.md at the edges an outside tester probes: the deadline's own second,
the marks that start a clock set and taken off again, a clock started on a weekend. Work orders
go through the desk services on the injected clock; the sweeper is the real one."""

from __future__ import annotations

from datetime import timedelta

from propdesk.clocks.models import Clock
from propdesk.notify.models import Notification
from tests.clocks.conftest import sh

T0 = sh(2026, 11, 26, 10, 0)  # a Thursday morning in Shanghai


def clocks(order, rule_id: str) -> list[tuple[int, str]]:
    return list(
        Clock.objects.filter(order=order, rule_id=rule_id)
        .order_by("pk")
        .values_list("period", "state")
    )


def test_cp1_an_administrator_assigned_at_the_tenth_minute_itself_is_in_time(desk, office):
    """CP-1: "within 10 minutes": 10:00 after the complaint is still within; the breach is
    only past it (test_rules: 10:00:01)."""
    order = desk.at(T0).open("complaint")
    desk.at(T0 + timedelta(minutes=10)).act(order, "take", by=office.administrator)
    c = desk.clock_of(order, "CP-1")
    assert (c.state, c.met_at, c.met_by) == (
        "met",
        T0 + timedelta(minutes=10),
        office.administrator,
    )


def test_cp1_a_complaint_is_never_dispatched_to_a_team_without_its_administrator(desk, office):
    """CP-1 asks for an administrator: sending the complaint to a team with nobody named is
    refused, and the clock keeps running."""
    import pytest
    from django.core.exceptions import ValidationError

    order = desk.at(T0).open("complaint")
    with pytest.raises(ValidationError):
        desk.at(T0 + timedelta(minutes=1)).act(order, "dispatch", team=office.service)
    assert desk.clock_of(order, "CP-1").state == "running"


def test_cp2_a_follow_up_at_exactly_three_days_is_in_time(desk, office):
    """CP-2: "within 3 days" of resolving = 72 hours; the 72nd hour itself is within."""
    order = desk.at(T0).open("complaint")
    desk.act(order, "take")
    desk.act(order, "resolve")
    desk.at(T0 + timedelta(days=3)).act(order, "follow_up")
    assert desk.clock_of(order, "CP-2").state == "met"


def test_cp2_reopened_and_resolved_again_needs_a_new_follow_up_from_the_second_resolve(
    desk, office
):
    """CP-2: reopening cancels the follow-up clock; resolving again starts a fresh 3 days."""
    order = desk.at(T0).open("complaint")
    desk.act(order, "take")
    desk.act(order, "resolve")
    desk.at(T0 + timedelta(days=1)).act(order, "reopen")
    desk.act(order, "take")
    again = T0 + timedelta(days=2)
    desk.at(again).act(order, "resolve")
    assert clocks(order, "CP-2") == [(1, "cancelled"), (1, "running")]
    fresh = Clock.objects.get(order=order, rule_id="CP-2", state="running")
    assert fresh.due_at == again + timedelta(days=3)


def test_cp4_received_on_a_saturday_counts_monday_and_tuesday(desk, office):
    """CP-4: an important complaint on Saturday 2026-11-28 (no working day): Saturday does not
    count, nor Sunday; due at the end of Tuesday 12-01."""
    order = desk.at(sh(2026, 11, 28, 10, 0)).open("complaint", is_important=True)
    c = desk.clock_of(order, "CP-4")
    assert c.due_at == sh(2026, 12, 1, 23, 59, 59)
    desk.sweep(sh(2026, 12, 1, 23, 59, 59))
    c.refresh_from_db()
    assert c.state == "running"
    desk.sweep(sh(2026, 12, 2, 0, 0, 0))
    c.refresh_from_db()
    assert c.state == "breached"
    assert set(
        Notification.objects.filter(cause=f"clock:{c.pk}:L1").values_list("recipient", flat=True)
    ) == {office.head.pk}


def test_cp4_answered_by_the_head_stays_answered_when_another_mark_is_set_later(desk, office):
    """CP-4: the head answered the important complaint in time; marking it long-running a day
    later (CP-7) must not start a second two-working-day clock that breaches and escalates to
    leadership about a complaint already answered."""
    order = desk.at(T0).open("complaint", is_important=True)
    desk.at(T0 + timedelta(hours=1)).act(order, "reply", by=office.head, channel="phone")
    desk.at(T0 + timedelta(days=1)).act(order, "flag", flags={"is_long_running": True})
    assert clocks(order, "CP-4") == [(1, "met")]
    assert clocks(order, "CP-7") == [(1, "running")]
    desk.sweep(T0 + timedelta(days=10))
    assert clocks(order, "CP-4") == [(1, "met")]


def test_cp4_marked_important_by_mistake_and_unmarked_stops_its_clock(desk, office):
    """CP-4: RULES.md is silent on taking the mark off; an office that unmarks a complaint
    (a mistake) expects its two-working-day clock to stop, not to breach and escalate to
    leadership, as unmarking 急修 cancels its arrival clock."""
    order = desk.at(T0).open("complaint")
    desk.at(T0 + timedelta(minutes=5)).act(order, "flag", flags={"is_important": True})
    desk.at(T0 + timedelta(minutes=6)).act(order, "flag", flags={"is_important": False})
    c = desk.clock_of(order, "CP-4")
    assert (c.state, c.cancel_reason, c.next_check_at) == ("cancelled", "flag", None)
    assert "CP-4" not in desk.sweep(T0 + timedelta(days=10)).rules  # CP-1 and CP-6 breach
    # Marked again: a fresh clock from then.
    again = T0 + timedelta(days=10)
    desk.at(again).act(order, "flag", flags={"is_important": True})
    assert clocks(order, "CP-4") == [(1, "cancelled"), (1, "running")]


def test_cp7_unmarking_a_long_running_complaint_stops_the_weekly_call(desk, office):
    """CP-7: the weekly contact runs "until resolved" on a complaint *marked* long-running;
    the mark taken off stops it (RULES.md silent: what a real office expects)."""
    order = desk.at(T0).open("complaint", is_long_running=True)
    desk.at(T0 + timedelta(days=1)).act(order, "flag", flags={"is_long_running": False})
    assert clocks(order, "CP-7") == [(1, "cancelled")]


def test_fd5_a_weekly_call_meets_the_week_and_starts_the_next_from_the_call(desk, office):
    """FD-5: the call on the 7th day's last second is in time; the next week runs from it;
    a week without a call breaches one second past it and goes to the responsible person."""
    order = desk.at(T0).open("repair", is_construction_legacy=True)
    desk.act(order, "claim", by=office.repair_member)
    call = T0 + timedelta(days=7)
    desk.at(call).act(order, "contact_owner", channel="phone")
    assert clocks(order, "FD-5") == [(1, "met"), (2, "running")]
    second = desk.clock_of(order, "FD-5", period=2)
    assert second.due_at == call + timedelta(days=7)
    desk.sweep(second.due_at)
    second.refresh_from_db()
    assert second.state == "running"
    desk.sweep(second.due_at + timedelta(seconds=1))
    second.refresh_from_db()
    assert second.state == "breached"
    assert set(
        Notification.objects.filter(cause=f"clock:{second.pk}:L1").values_list(
            "recipient", flat=True
        )
    ) == {office.repair_member.pk}


def test_fd5_flagged_later_starts_then_and_unflagged_stops(desk, office):
    """FD-5: marked 施工遗留 after intake, the weekly call counts from the mark; the mark taken
    off (a mistake) stops it; marking another flag meanwhile starts nothing twice."""
    order = desk.at(T0).open("repair")
    marked = T0 + timedelta(hours=2)
    desk.at(marked).act(order, "flag", flags={"is_construction_legacy": True})
    assert desk.clock_of(order, "FD-5").due_at == marked + timedelta(days=7)
    desk.at(marked + timedelta(hours=1)).act(order, "flag", flags={"is_important": True})
    assert clocks(order, "FD-5") == [(1, "running")]
    desk.at(marked + timedelta(hours=2)).act(order, "flag", flags={"is_construction_legacy": False})
    assert clocks(order, "FD-5") == [(1, "cancelled")]


def test_fd6_ds1_rv1_deadlines_are_in_the_communitys_own_time_zone(desk, office):
    """RULES.md (Clocks): deadlines are computed in the community's time zone. A community set
    to Asia/Urumqi (UTC+6) whose policy names no zone of its own: a repair at 09:00 there is due
    at 23:59:59 there (not Shanghai's, two hours sooner), and the month's RV-1 quota, started at
    its local month's first instant, runs to that month's last second there."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from propdesk.followup.services import monthly_quota_ensure

    urumqi = ZoneInfo("Asia/Urumqi")
    community = office.community
    community.time_zone = "Asia/Urumqi"
    community.save()
    order = desk.at(datetime(2026, 11, 26, 9, 0, tzinfo=urumqi)).open("repair")
    for rule_id in ("FD-6", "DS-1"):
        assert desk.clock_of(order, rule_id).due_at == datetime(
            2026, 11, 26, 23, 59, 59, tzinfo=urumqi
        )
    monthly_quota_ensure(community=community, now=datetime(2026, 12, 1, 0, 0, 30, tzinfo=urumqi))
    quota = Clock.objects.get(community=community, rule_id="RV-1")
    assert quota.started_at == datetime(2026, 12, 1, 0, 0, tzinfo=urumqi)
    assert quota.due_at == datetime(2026, 12, 31, 23, 59, 59, tzinfo=urumqi)
    # A zone the policy names itself wins.
    community.policy = {"office_day": {"time_zone": "Asia/Shanghai"}}
    community.save()
    later = desk.at(datetime(2026, 11, 26, 9, 0, tzinfo=urumqi)).open("repair")
    assert desk.clock_of(later, "DS-1").due_at == sh(2026, 11, 26, 23, 59, 59)


def test_rv3_cp2_a_major_complaints_follow_up_on_the_order_is_the_heads_only(desk, office):
    """RV-3: a major complaint's return visit only by the office head; CP-2's follow-up counts
    as that visit. The order's own 跟踪回访 action refused an administrator on the return-visit
    screen but took one on the order (API, action bar), meeting CP-2 without the head."""
    import pytest

    from propdesk.core.errors import Forbidden

    order = desk.at(T0).open("complaint", is_important=True)
    desk.act(order, "take")
    desk.act(order, "resolve")
    with pytest.raises(Forbidden) as err:
        desk.at(T0 + timedelta(days=1)).act(order, "follow_up", by=office.administrator)
    assert err.value.code == "head_only"
    assert desk.clock_of(order, "CP-2").state == "running"
    desk.act(order, "follow_up", by=office.head)
    c = desk.clock_of(order, "CP-2")
    assert (c.state, c.met_by) == ("met", office.head)
    # An ordinary complaint's follow-up stays the office's.
    general = desk.at(T0).open("complaint")
    desk.act(general, "take")
    desk.act(general, "resolve")
    desk.act(general, "follow_up", by=office.administrator)
    assert desk.clock_of(general, "CP-2").state == "met"


def test_cp3_the_written_complaints_reply_is_an_administrators(desk, office):
    """CP-3: the head has a written complaint investigated and an administrator replies with
    the result the same day (RULES.md). The front desk's word to the owner ("we have it") is
    no reply of the result: the clock keeps running until an administrator's (or the head's)."""
    order = desk.at(T0).open("complaint", complaint_type="written")
    desk.at(T0 + timedelta(hours=1)).act(order, "reply", by=office.receptionist, channel="phone")
    assert desk.clock_of(order, "CP-3").state == "running"
    desk.at(T0 + timedelta(hours=3)).act(order, "reply", by=office.administrator, channel="phone")
    c = desk.clock_of(order, "CP-3")
    assert (c.state, c.met_by) == ("met", office.administrator)
