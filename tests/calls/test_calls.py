"""FD-1 through the calls service (the one door of the webhook, the AMI adapter and the CSV
import): ring times, the three-ring figures, and missed calls becoming one call-back per number
with its own clock (FD-1-callback), met by a logged contact or an outgoing call."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from propdesk.calls.models import Call, CallEvent, CallState, Extension
from propdesk.calls.selectors import (
    answer_by_day,
    answer_by_staff,
    answer_figures,
    callbacks_open,
    day_bounds,
)
from propdesk.calls.services import CallEventInput, call_event_record
from propdesk.clocks.models import Clock, ClockState
from propdesk.clocks.services import clocks_sweep
from propdesk.core.errors import Conflict, NotFound
from propdesk.desk.services import ContactInput, contact_log
from propdesk.notify.models import Notification

T0 = datetime.fromisoformat("2026-11-26T10:00:00+08:00")
CALLER = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py)


def event(call: str, kind: str, at: datetime, **kw: str) -> CallEventInput:
    return CallEventInput(event_id=f"{call}:{kind}", call_id=call, kind=kind, at=at, **kw)


def record(office, data: CallEventInput, now: datetime = T0) -> Call:  # type: ignore[no-untyped-def]
    return call_event_record(community=office.community, data=data, source="test", now=now)


def answered_after(office, call: str, seconds: float, extension: str = "801") -> Call:  # type: ignore[no-untyped-def]
    record(office, event(call, "ringing", T0, phone=CALLER, line="88881234"))
    return record(
        office, event(call, "answered", T0 + timedelta(seconds=seconds), extension=extension)
    )


@pytest.fixture
def ext(office):  # type: ignore[no-untyped-def]
    return Extension.objects.create(
        community=office.community, number="801", user=office.receptionist
    )


def test_fd1_answered_at_15_seconds_is_within_three_rings(office, clock, ext) -> None:  # type: ignore[no-untyped-def]
    call = answered_after(office, "c1", 15)
    assert (call.state, call.ring_ms, call.answered_by) == (
        CallState.ANSWERED,
        15_000,
        office.receptionist,
    )
    start, end = day_bounds(office.community, T0.date())
    f = answer_figures(office.community, start, end)
    assert (f.calls, f.within, f.late, f.missed, f.rate) == (1, 1, 0, 0, 100)


def test_fd1_answered_at_15_seconds_and_one_is_not_within(office, clock, ext) -> None:  # type: ignore[no-untyped-def]
    answered_after(office, "c1", 15.001)
    answered_after(office, "c2", 16)
    start, end = day_bounds(office.community, T0.date())
    f = answer_figures(office.community, start, end)
    assert (f.calls, f.within, f.late) == (2, 0, 2)


def test_fd1_ring_cycle_from_the_communitys_policy(office, clock, ext) -> None:  # type: ignore[no-untyped-def]
    office.community.policy = {"calls": {"ring_cycle_seconds": 4}}
    office.community.save(update_fields=["policy"])
    answered_after(office, "c1", 12)
    answered_after(office, "c2", 13)
    start, end = day_bounds(office.community, T0.date())
    f = answer_figures(office.community, start, end)
    assert (f.within, f.late) == (1, 1)


def test_fd1_per_day_and_per_receptionist(office, clock, ext) -> None:  # type: ignore[no-untyped-def]
    answered_after(office, "c1", 5)
    answered_after(office, "c2", 20)
    answered_after(office, "c3", 3, extension="899")  # an extension mapped to nobody
    record(office, event("c4", "ringing", T0, phone="13900000000"))
    record(office, event("c4", "ended", T0 + timedelta(seconds=40)))
    start, end = day_bounds(office.community, T0.date())
    [day] = answer_by_day(office.community, start - timedelta(days=6), end)
    assert day.day == T0.date()
    assert (day.figures.calls, day.figures.within, day.figures.missed) == (4, 2, 1)
    assert day.figures.rate == 50
    staff = {s.user_id: s.figures for s in answer_by_staff(office.community, start, end)}
    assert (staff[office.receptionist.pk].calls, staff[office.receptionist.pk].within) == (2, 1)
    assert (staff[None].calls, staff[None].within) == (1, 1)


def test_events_in_any_order_give_the_same_ring_time(office, clock) -> None:  # type: ignore[no-untyped-def]
    record(office, event("c1", "answered", T0 + timedelta(seconds=9), extension="801"))
    call = record(office, event("c1", "ringing", T0, phone=CALLER))
    assert (call.state, call.ring_ms) == (CallState.ANSWERED, 9_000)


def test_a_replayed_event_is_refused_and_changes_nothing(office, clock) -> None:  # type: ignore[no-untyped-def]
    record(office, event("c1", "ringing", T0, phone=CALLER))
    with pytest.raises(Conflict) as exc:
        record(office, event("c1", "ringing", T0 + timedelta(seconds=3), phone=CALLER))
    assert exc.value.code == "replayed"
    assert CallEvent.objects.count() == 1
    assert Call.objects.get().ringing_at == T0


def test_bad_input_is_refused_field_by_field_and_writes_nothing(office, clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        record(office, CallEventInput(event_id="", call_id="c1", kind="rang", at=T0, phone="12"))
    assert set(exc.value.message_dict) == {"event_id", "kind", "phone"}
    assert not Call.objects.exists() and not CallEvent.objects.exists()


# --- missed calls and their call-back (FD-1-callback) ------------------------------------------


def missed(office, call: str, at: datetime, phone: str = CALLER) -> Call:  # type: ignore[no-untyped-def]
    record(office, event(call, "ringing", at, phone=phone), now=at)
    return record(office, event(call, "missed", at + timedelta(seconds=30)), now=at)


def call_logged(office, at: datetime, phone: str, content: str = "回拨：咨询停车") -> None:  # type: ignore[no-untyped-def]
    """The front desk logs a call with ``phone`` at ``at``, answered there and then."""
    contact_log(
        community=office.community,
        by=office.receptionist,
        now=at,
        data=ContactInput(
            channel="phone",
            intent="consultation",
            content=content,
            outcome="resolved",
            resolution="已答复",
            caller_phone=phone,
        ),
    )


def test_fd1_missed_call_becomes_a_callback_with_a_10_minute_clock(office, clock) -> None:  # type: ignore[no-untyped-def]
    call = missed(office, "c1", T0)
    assert call.state == CallState.MISSED
    clock_row = call.callback
    assert clock_row is not None
    assert (clock_row.rule_id, clock_row.subject, clock_row.state) == (
        "FD-1-callback",
        f"phone:{CALLER}",
        ClockState.RUNNING,
    )
    assert clock_row.due_at == T0 + timedelta(seconds=30, minutes=10)
    assert [c.pk for c in callbacks_open(office.receptionist, office.community)] == [clock_row.pk]


def test_fd1_several_missed_calls_from_one_number_make_one_callback(office, clock) -> None:  # type: ignore[no-untyped-def]
    first = missed(office, "c1", T0)
    second = missed(office, "c2", T0 + timedelta(minutes=2))
    other = missed(office, "c3", T0, phone="13900000000")
    assert first.callback_id == second.callback_id != other.callback_id
    rows = callbacks_open(office.receptionist, office.community)
    assert len(rows) == 2
    mine = next(r for r in rows if r.phone == CALLER)  # type: ignore[attr-defined]
    assert [c.call_id for c in mine.missed_calls] == ["c2", "c1"]  # type: ignore[attr-defined]


def test_fd1_a_call_ended_unanswered_is_missed(office, clock) -> None:  # type: ignore[no-untyped-def]
    record(office, event("c1", "ringing", T0, phone=CALLER))
    call = record(office, event("c1", "ended", T0 + timedelta(seconds=40)))
    assert call.state == CallState.MISSED and call.callback is not None


def test_fd1_a_withheld_number_is_missed_without_a_callback(office, clock) -> None:  # type: ignore[no-untyped-def]
    record(office, event("c1", "ringing", T0))
    call = record(office, event("c1", "missed", T0 + timedelta(seconds=30)))
    assert call.state == CallState.MISSED and call.callback is None
    assert not Clock.objects.filter(rule_id="FD-1-callback").exists()


def test_fd1_callback_met_by_a_contact_logged_with_that_number(office, clock) -> None:  # type: ignore[no-untyped-def]
    call = missed(office, "c1", T0)
    at = T0 + timedelta(minutes=8)
    call_logged(office, at, "138 1234 5678")
    row = Clock.objects.get(pk=call.callback_id)
    assert (row.state, row.met_at, row.met_by) == (ClockState.MET, at, office.receptionist)
    assert callbacks_open(office.receptionist, office.community) == []


def test_fd1_callback_met_by_an_outgoing_call_to_that_number(office, clock, ext) -> None:  # type: ignore[no-untyped-def]
    call = missed(office, "c1", T0)
    at = T0 + timedelta(minutes=5)
    record(office, event("out1", "outgoing", at, phone=CALLER, extension="801"), now=at)
    row = Clock.objects.get(pk=call.callback_id)
    assert (row.state, row.met_by) == (ClockState.MET, office.receptionist)


def test_fd1_a_contact_with_another_number_leaves_the_callback_open(office, clock) -> None:  # type: ignore[no-untyped-def]
    call = missed(office, "c1", T0)
    call_logged(office, T0 + timedelta(minutes=1), "13900000000", content="咨询")
    assert Clock.objects.get(pk=call.callback_id).state == ClockState.RUNNING


def test_fd1_callback_clock_breaches_one_second_after_its_deadline(office, clock) -> None:  # type: ignore[no-untyped-def]
    call = missed(office, "c1", T0)
    due = Clock.objects.get(pk=call.callback_id).due_at
    clocks_sweep(now=due - timedelta(seconds=1))
    clocks_sweep(now=due)
    assert Clock.objects.get(pk=call.callback_id).state == ClockState.RUNNING
    clocks_sweep(now=due + timedelta(seconds=1))
    row = Clock.objects.get(pk=call.callback_id)
    assert (row.state, row.breached_at, row.level) == (ClockState.BREACHED, due, 1)
    told = set(
        Notification.objects.filter(kind="clock_escalation").values_list("recipient", flat=True)
    )
    assert told == {office.receptionist.pk}


def test_fd1_callback_warns_3_minutes_before(office, clock) -> None:  # type: ignore[no-untyped-def]
    call = missed(office, "c1", T0)
    row = Clock.objects.get(pk=call.callback_id)
    assert row.warn_at == row.due_at - timedelta(minutes=3)
    clocks_sweep(now=row.warn_at)
    assert Clock.objects.get(pk=row.pk).warned_at is None
    clocks_sweep(now=row.warn_at + timedelta(seconds=1))
    assert Clock.objects.get(pk=row.pk).warned_at is not None


def test_fd1_callback_of_a_call_missed_at_night_runs_from_opening(office, clock) -> None:  # type: ignore[no-untyped-def]
    night = datetime.fromisoformat("2026-11-26T22:30:00+08:00")
    call = missed(office, "c1", night)
    row = Clock.objects.get(pk=call.callback_id)
    opening = datetime.fromisoformat("2026-11-27T08:00:00+08:00")
    assert (row.started_at, row.due_at) == (opening, opening + timedelta(minutes=10))


def test_callbacks_are_the_office_of_their_community_only(office, other_office, clock) -> None:  # type: ignore[no-untyped-def]
    missed(office, "c1", T0)
    with pytest.raises(NotFound):
        callbacks_open(other_office.receptionist, office.community)
    with pytest.raises(NotFound):
        callbacks_open(office.repair_member, office.community)


def test_fd1_a_call_logged_reads_its_number_s_call_back_not_every_open_one(office, clock) -> None:  # type: ignore[no-untyped-def]
    """Call-backs never returned stay open and pile up: a call logged reads its own number's
    and the community's subject-less clocks, not the others (policy.engine.reach, in SQL) —
    save those started under an earlier policy, which keep that policy's rules."""
    from propdesk.clocks.services.events import _running
    from propdesk.clocks.services.policy import policy_for
    from propdesk.policy.engine import in_reach, reach

    earlier = missed(office, "c0", T0, phone="13900000099")
    office.community.policy = {"notify_cap": {"per_person": 50}}  # another policy version
    office.community.save()
    for i in range(12):
        missed(office, f"c{i + 1}", T0 + timedelta(minutes=1), phone=f"139000000{i:02d}")
    policy, version = policy_for(office.community)
    subject = "phone:13900000007"
    found = reach(policy, "call_logged", subject)
    every = _running(None, subject, version, "community", office.community.pk)
    read = _running(found, subject, version, "community", office.community.pk)
    assert len(every) >= 13
    assert [r.clock_id for r in read] == [
        r.clock_id
        for r in every
        if in_reach(found, subject, r) or r.clock_id == earlier.callback_id
    ]
    assert {r.subject for r in read if r.rule_id == "FD-1-callback"} == {
        subject,
        "phone:13900000099",  # the earlier policy's
    }
    call_logged(office, T0 + timedelta(minutes=5), "13900000007")
    met = Clock.objects.filter(rule_id="FD-1-callback", state=ClockState.MET)
    assert list(met.values_list("subject", flat=True)) == [subject]
    assert Clock.objects.filter(rule_id="FD-1-callback", state=ClockState.RUNNING).count() == 12
