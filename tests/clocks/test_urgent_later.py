"""Issue 16, 急修 marked after intake (DS-1-arrival 急修限时到场, switched on at 30 minutes as an
office sets it in its own policy): the arrival clock starts when the repair is marked urgent,
is met by 签到 at its deadline exactly, breaches a second later, is cancelled by unmarking (a
breach once missed), and never starts again once met. The timeline says who marked it and why;
refusals change nothing. The what-if replay reproduces it. All on the injected clock (Thursday
2026-11-26, Shanghai)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from propdesk.clocks.models import Clock, ClockInput, ClockLog
from propdesk.core.errors import Conflict, Forbidden
from propdesk.desk.models import WorkOrderEvent
from propdesk.reports.whatif import policy_from_text, replay_month, what_if
from tests.clocks.conftest import sh
from tests.clocks.test_replay import _stored_equals_replayed

ARRIVAL_30 = {
    "clocks": {"DS-1-arrival": {"enabled": True, "duration": {"kind": "minutes", "value": 30}}}
}
T0 = sh(2026, 11, 26, 10, 0)
MARKED = sh(2026, 11, 26, 10, 20)
DUE = sh(2026, 11, 26, 10, 50)


@pytest.fixture
def arrival_on(office) -> None:
    office.community.policy = ARRIVAL_30
    office.community.save()


def arrivals(order) -> list[Clock]:
    return list(Clock.objects.filter(order=order, rule_id="DS-1-arrival").order_by("id"))


def marked_later(desk, office, by=None):
    """A plain repair opened at 10:00, in the repair team's pool; marked 急修 at 10:20."""
    order = desk.at(T0).open("repair")
    assert (order.is_urgent, arrivals(order)) == (False, [])
    return desk.at(MARKED).act(order, "mark_urgent", by=by or office.administrator, note="漏水加剧")


def test_ds1_arrival_starts_at_the_marking_and_check_in_at_its_deadline_exactly_is_in_time(
    desk, office, arrival_on
) -> None:
    order = marked_later(desk, office)
    assert order.is_urgent
    (clock,) = arrivals(order)
    assert (clock.state, clock.started_at, clock.due_at) == ("running", MARKED, DUE)
    event = WorkOrderEvent.objects.get(order=order, action="mark_urgent")
    assert (event.actor, event.at, event.note, event.data) == (
        office.administrator,
        MARKED,
        "漏水加剧",
        {"is_urgent": True},
    )
    desk.at(sh(2026, 11, 26, 10, 30)).act(order, "claim", by=office.repair_member)
    desk.sweep(DUE)
    clock.refresh_from_db()
    assert clock.state == "running"
    desk.at(DUE).act(order, "check_in", by=office.repair_member)
    clock.refresh_from_db()
    assert (clock.state, clock.met_at) == ("met", DUE)


def test_ds1_arrival_marked_later_breaches_one_second_after_its_deadline(
    desk, office, arrival_on
) -> None:
    order = marked_later(desk, office)
    desk.sweep(DUE + timedelta(seconds=1))
    (clock,) = arrivals(order)
    assert (clock.state, clock.breached_at) == ("breached", DUE)


def test_ds1_arrival_unmarked_at_its_deadline_exactly_is_cancelled(
    desk, office, arrival_on
) -> None:
    order = marked_later(desk, office)
    order = desk.at(DUE).act(order, "unmark_urgent", note="误标，一般报修")
    assert not order.is_urgent
    (clock,) = arrivals(order)
    assert (clock.state, clock.cancelled_at, clock.breached_at) == ("cancelled", DUE, None)
    assert ClockLog.objects.filter(clock=clock, what="cancelled", at=DUE).exists()
    event = WorkOrderEvent.objects.get(order=order, action="unmark_urgent")
    assert (event.note, event.data) == ("误标，一般报修", {"is_urgent": False})
    desk.sweep(DUE + timedelta(hours=1))
    clock.refresh_from_db()
    assert clock.state == "cancelled"


def test_ds1_arrival_unmarked_one_second_after_its_deadline_stays_a_breach(
    desk, office, arrival_on
) -> None:
    order = marked_later(desk, office)
    desk.at(DUE + timedelta(seconds=1)).act(order, "unmark_urgent", note="误标")
    (clock,) = arrivals(order)
    assert (clock.state, clock.breached_at) == ("breached", DUE)


def test_ds1_arrival_never_starts_again_once_met(desk, office, arrival_on) -> None:
    """Met by 签到: a flag, unmarking and marking again on site start nothing."""
    order = marked_later(desk, office)
    desk.at(sh(2026, 11, 26, 10, 30)).act(order, "claim", by=office.repair_member)
    desk.at(sh(2026, 11, 26, 10, 40)).act(order, "check_in", by=office.repair_member)
    desk.at(sh(2026, 11, 26, 11, 0)).act(order, "flag", flags={"is_important": True})
    desk.at(sh(2026, 11, 26, 11, 5)).act(order, "unmark_urgent", note="误标")
    order = desk.at(sh(2026, 11, 26, 11, 10)).act(order, "mark_urgent")
    assert order.is_urgent
    assert [(c.state, c.met_at) for c in arrivals(order)] == [("met", sh(2026, 11, 26, 10, 40))]
    desk.sweep(sh(2026, 11, 27, 9, 0))
    assert [c.state for c in arrivals(order)] == ["met"]


def test_an_order_opened_urgent_is_not_started_again_by_a_flag_after_check_in(
    desk, office, arrival_on
) -> None:
    order = desk.at(T0).open("repair", is_urgent=True)
    desk.at(sh(2026, 11, 26, 10, 10)).act(order, "claim", by=office.repair_member)
    desk.at(sh(2026, 11, 26, 10, 20)).act(order, "check_in", by=office.repair_member)
    desk.at(sh(2026, 11, 26, 10, 30)).act(order, "flag", flags={"is_long_running": True})
    assert [c.state for c in arrivals(order)] == ["met"]


def test_marked_again_before_anyone_is_on_site_counts_from_the_new_marking(
    desk, office, arrival_on
) -> None:
    order = marked_later(desk, office)
    desk.at(sh(2026, 11, 26, 10, 25)).act(order, "unmark_urgent", note="误标")
    desk.at(sh(2026, 11, 26, 11, 0)).act(order, "mark_urgent")
    first, second = arrivals(order)
    assert first.state == "cancelled"
    assert (second.state, second.started_at, second.due_at) == (
        "running",
        sh(2026, 11, 26, 11, 0),
        sh(2026, 11, 26, 11, 30),
    )


def test_ds1_arrival_off_by_default_the_mark_is_still_kept(desk, office) -> None:
    order = marked_later(desk, office)
    assert order.is_urgent and arrivals(order) == []


def test_the_repair_team_leader_marks_a_repair_of_the_team(desk, office, arrival_on) -> None:
    order = marked_later(desk, office, by=office.repair_leader)
    assert order.is_urgent and [c.state for c in arrivals(order)] == ["running"]


def _unchanged(order, version: int) -> None:
    order.refresh_from_db()
    assert order.version == version
    assert not WorkOrderEvent.objects.filter(
        order=order, action__in=["mark_urgent", "unmark_urgent"]
    ).exists()


def test_only_a_repair_is_marked_urgent_and_nothing_changes(desk, office, arrival_on) -> None:
    for kind in ("housekeeping", "complaint"):
        order = desk.at(T0).open(kind)
        inputs = ClockInput.objects.count()
        with pytest.raises(Forbidden) as refused:
            desk.act(order, "mark_urgent")
        assert (refused.value.code, refused.value.message) == (
            "not_for_kind",
            "只有报修可以标为急修。",
        )
        _unchanged(order, 1)
        assert not order.is_urgent and ClockInput.objects.count() == inputs


def test_marking_an_urgent_repair_again_is_nothing_to_change(desk, office, arrival_on) -> None:
    order = desk.at(T0).open("repair", is_urgent=True)
    with pytest.raises(Conflict) as refused:
        desk.act(order, "mark_urgent")
    assert refused.value.code == "already_urgent"
    assert refused.value.message == "无需修改：工单已是急修。"
    _unchanged(order, 1)
    plain = desk.open("repair")
    with pytest.raises(Conflict) as refused:
        desk.act(plain, "unmark_urgent", note="误标")
    assert refused.value.code == "not_urgent"
    _unchanged(plain, 1)
    assert [c.started_at for c in arrivals(order)] == [T0] and arrivals(plain) == []


def test_unmarking_needs_the_reason(desk, office, arrival_on) -> None:
    order = marked_later(desk, office)
    with pytest.raises(ValidationError) as refused:
        desk.act(order, "unmark_urgent")
    assert list(refused.value.message_dict) == ["note"]
    order.refresh_from_db()
    assert order.is_urgent and [c.state for c in arrivals(order)] == ["running"]


@pytest.mark.parametrize("who", ["repair_member", "cleaning_leader"])
def test_a_member_or_another_teams_leader_may_not_mark(desk, office, arrival_on, who) -> None:
    order = desk.at(T0).open("repair")
    with pytest.raises(Forbidden) as refused:
        desk.act(order, "mark_urgent", by=getattr(office, who))
    assert refused.value.code == "role_not_allowed"
    _unchanged(order, 1)
    assert not order.is_urgent and arrivals(order) == []


# --- what if --------------------------------------------------------------------------------------


def test_replay_reproduces_marked_and_unmarked_arrivals_and_a_new_limit_changes_them(
    desk, office, arrival_on
) -> None:
    """Under its own policy the replay gives the stored figures; at 60 minutes the repair
    marked at 10:20 and checked in at 11:00 (late at 30) is in time; the one unmarked stays
    cancelled; the one met stays met."""
    late = marked_later(desk, office)
    desk.at(sh(2026, 11, 26, 10, 30)).act(late, "claim", by=office.repair_member)
    desk.at(sh(2026, 11, 26, 11, 0)).act(late, "check_in", by=office.repair_member)
    undone = marked_later(desk, office)
    desk.at(sh(2026, 11, 26, 10, 40)).act(undone, "unmark_urgent", note="误标")
    quick = marked_later(desk, office)
    desk.at(sh(2026, 11, 26, 10, 30)).act(quick, "claim", by=office.repair_member)
    desk.at(sh(2026, 11, 26, 10, 45)).act(quick, "check_in", by=office.repair_member)
    now = sh(2026, 12, 1, 9, 0)
    desk.sweep(now)
    _stored_equals_replayed(office.community, now)
    rows = {r.rule_id: r for r in replay_month(office.community, 2026, 11, policy=None, now=now)[0]}
    line = rows["DS-1-arrival"]
    assert (line.started, line.met, line.breached, line.cancelled) == (3, 1, 1, 1)
    policy, _ = policy_from_text(
        "clocks:\n  DS-1-arrival: {enabled: true, duration: {kind: minutes, value: 60}}\n"
    )
    result = what_if(office.community, 2026, 11, policy=policy, now=now)
    then = {r.rule_id: r for r in result.rules}["DS-1-arrival"].then
    assert then is not None and (then.met, then.breached, then.cancelled) == (2, 0, 1)
    changed = {(c.label, c.rule_id, c.now, c.then) for c in result.changed}
    assert changed == {(late.number, "DS-1-arrival", "breached", "met")}


# --- who is told -----------------------------------------------------------------------------


def test_marking_later_tells_whoever_has_it_and_the_leader_never_the_one_who_marked(
    desk, office, clock
) -> None:
    """notify.order_urgent: the assignee and the team leader hear of 急修 marked later; the
    leader who marks it is not told of it; unmarking tells nobody."""
    from propdesk.notify.models import Notification
    from tests.notify.helpers import run_telling

    order = desk.at(T0).open("repair")
    desk.act(order, "claim", by=office.repair_member)
    desk.at(MARKED).act(order, "mark_urgent", by=office.receptionist, note="业主回电：漏水加剧")
    run_telling(clock)
    told = Notification.objects.filter(kind="order_urgent", channel="in_app")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [office.repair_member.pk, office.repair_leader.pk]
    )
    assert order.number in told.first().title and "业主回电：漏水加剧" in told.first().title
    desk.act(order, "unmark_urgent", by=office.repair_leader, note="误标")
    desk.act(order, "mark_urgent", by=office.repair_leader)
    run_telling(clock)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [office.repair_member.pk, office.repair_member.pk, office.repair_leader.pk]
    )
