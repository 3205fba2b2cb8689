"""What an event about one subject reads (``engine.reach``): only the running clocks it can act
on, so that a call logged does not read every open call-back of the community (FD-1-callback)
— and never fewer: the engine decides exactly as it would on all of them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.engine import APPOINT_EVENT, Facts, Meet, Running, in_reach, reach, react
from propdesk.policy.rules import WAIT_END, WAIT_START, load_policy

SH = ZoneInfo("Asia/Shanghai")
POLICY = load_policy()
CAL = WorkingCalendar()
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SH)
EVENTS = sorted(
    {t.event for rule in POLICY.clocks.values() for t in (*rule.start, *rule.met, *rule.cancel)}
    | {WAIT_START, WAIT_END, APPOINT_EVENT, "something_else"}
)
# The deadlines some events bring (a rule of kind "given" reads its own key).
GIVEN = {
    rule.duration.given_from: NOW + timedelta(days=1)
    for rule in POLICY.clocks.values()
    if rule.duration.given_from
}
SUBJECTS = ["", "phone:13800000001", "phone:13800000002", "household:7"]

clocks = st.lists(
    st.builds(
        lambda rule_id, subject, paused, breached, minutes, progress: Running(
            clock_id=0,  # numbered below
            rule_id=rule_id,
            rule=POLICY.clocks[rule_id],
            subject=subject,
            progress=frozenset(progress),
            breached=breached,
            paused_at=NOW - timedelta(minutes=30) if paused else None,
            due_at=NOW + timedelta(minutes=minutes),
            warn_at=None,
            started_at=NOW - timedelta(hours=1),
        ),
        st.sampled_from(sorted(POLICY.clocks)),
        st.sampled_from(SUBJECTS),
        st.booleans(),
        st.booleans(),
        st.integers(-600, 600),
        st.sets(st.sampled_from(SUBJECTS[1:]), max_size=2),
    ),
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(
    event=st.sampled_from(EVENTS),
    subject=st.sampled_from(SUBJECTS),
    running=clocks,
    kind=st.sampled_from(["repair", "complaint", "housekeeping"]),
    waiting=st.sampled_from(["", *POLICY.waiting]),
)
def test_the_clocks_an_event_reads_decide_exactly_what_all_of_them_would(
    event: str, subject: str, running: list[Running], kind: str, waiting: str
) -> None:
    running = [
        Running(**{**r.__dict__, "clock_id": i + 1}) for i, r in enumerate(running)
    ]  # ids in the order read
    facts = Facts(
        event=event,
        at=NOW,
        order={"kind": kind, "complaint_type": "", "state": "dispatched"},
        subject=subject,
        data={**GIVEN, "waiting": waiting, "appointment_at": NOW + timedelta(hours=2)},
    )
    found = reach(POLICY, event, subject)
    read = [r for r in running if in_reach(found, subject, r)]
    assert react(POLICY, CAL, facts, read) == react(POLICY, CAL, facts, running)


def test_every_rule_and_event_with_a_clock_of_another_subject() -> None:
    """Exhaustively, the cases a random draw rarely meets: for every event and every rule, a
    clock of that rule about another subject (counting, paused, breached) is read exactly when
    the engine would act on it (a quota's next period, an agreed time moved, a paused clock's
    met or cancel event)."""
    facts_of = {
        event: Facts(
            event=event,
            at=NOW,
            order={"kind": "repair", "complaint_type": "", "state": "dispatched"},
            subject="household:7",
            data={**GIVEN, "waiting": "", "appointment_at": NOW + timedelta(hours=2)},
        )
        for event in EVENTS
    }
    acted_on = 0
    for event, facts in facts_of.items():
        found = reach(POLICY, event, facts.subject)
        for rule_id, rule in POLICY.clocks.items():
            for paused in (None, NOW - timedelta(minutes=30)):
                for breached in (False, True):
                    clock = Running(
                        clock_id=1,
                        rule_id=rule_id,
                        rule=rule,
                        subject="phone:13800000002",
                        breached=breached,
                        paused_at=paused,
                        due_at=NOW + timedelta(minutes=20),
                        started_at=NOW - timedelta(hours=1),
                    )
                    alone = react(POLICY, CAL, facts, [clock])
                    unread = react(POLICY, CAL, facts, [])
                    acted_on += alone != unread
                    if not in_reach(found, facts.subject, clock):
                        assert alone == unread, (event, rule_id, paused, breached)
    assert acted_on  # the cases exist: quotas, agreed times, paused clocks


def test_fd1_a_call_logged_reads_its_number_s_call_back_not_every_open_one() -> None:
    """The community's own clocks when the office calls 13800000001 back: that number's
    call-back and the subject-less quotas, none of the other numbers' call-backs."""
    own = [
        Running(
            clock_id=i,
            rule_id="FD-1-callback",
            rule=POLICY.clocks["FD-1-callback"],
            subject=f"phone:1380000{i:04d}",
            breached=i > 1,
            due_at=NOW - timedelta(minutes=i),
        )
        for i in range(1, 2001)
    ] + [Running(clock_id=5000, rule_id="RV-1", rule=POLICY.clocks["RV-1"], due_at=NOW)]
    subject = "phone:13800000001"
    found = reach(POLICY, "call_logged", subject)
    read = [r for r in own if in_reach(found, subject, r)]
    assert [r.clock_id for r in read] == [1, 5000]
    facts = Facts(event="call_logged", at=NOW, subject=subject)
    assert react(POLICY, CAL, facts, read) == [Meet(1, "FD-1-callback", NOW)]


def test_an_event_about_no_subject_or_a_wait_reads_every_clock() -> None:
    assert reach(POLICY, "call_logged", "") is None
    assert reach(POLICY, WAIT_START, "household:7") is None
    assert reach(POLICY, WAIT_END, "household:7") is None


def test_an_events_reach_is_worked_out_once_per_policy() -> None:
    # It depends on the event and the rules alone: the same answer for every subject, and for
    # every policy of the same content, without going over the rules again; a policy with other
    # rules (another community's overrides, another version) works out its own.
    from propdesk.policy.engine import _reach
    from propdesk.policy.rules import parse_policy

    data = POLICY.model_dump(mode="json")
    same = parse_policy(data)
    fewer = parse_policy(
        {**data, "clocks": {k: v for k, v in data["clocks"].items() if k != "FD-1-callback"}}
    )
    for event in EVENTS:
        if event in (WAIT_START, WAIT_END):
            continue
        first = reach(POLICY, event, SUBJECTS[1])
        assert first == _reach(POLICY, event)
        for subject in SUBJECTS[1:]:
            assert reach(POLICY, event, subject) is first
        assert reach(same, event, SUBJECTS[2]) is first
        assert reach(fewer, event, SUBJECTS[1]) == _reach(fewer, event)
    assert reach(fewer, "call_logged", SUBJECTS[1]) != reach(POLICY, "call_logged", SUBJECTS[1])
