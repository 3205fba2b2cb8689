"""What if (issue 16, item 5): the engine's inputs are recorded as they happen (ClockInput), and a
month replayed under a policy gives its compliance per rule. Under the same policy the replay
reproduces the stored figures exactly (a Hypothesis property over real service calls on the
injected clock); under another it names the clocks whose outcome changes."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from propdesk.clocks.models import ClockInput
from propdesk.clocks.selectors import compliance_for_month
from propdesk.clocks.services import clocks_on_event, clocks_sweep
from propdesk.core.errors import ServiceError
from propdesk.desk.services import (
    ContactInput,
    contact_log,
    contact_promise_keep,
)
from propdesk.policy.replay import RuleCompliance, decode_data, encode_data
from propdesk.policy.rules import load_policy
from propdesk.reports.whatif import policy_from_text, replay_month, what_if
from tests.clocks.conftest import repair_done_late_in_urumqi, sh

NOV_END = sh(2026, 12, 1, 0, 0)  # the first instant of December in Shanghai


def _figures(rows: list[RuleCompliance]) -> dict[str, tuple[int, ...]]:
    return {
        r.rule_id: (r.started, r.met, r.breached, r.running, r.cancelled, r.title) for r in rows
    }


def _stored_equals_replayed(community, now) -> None:
    for year, month in ((2026, 11), (2026, 12)):
        stored = compliance_for_month(community, year, month)
        replayed, diff, _n = replay_month(community, year, month, policy=None, now=now)
        assert _figures(replayed) == _figures(stored), (year, month)
        assert [r.compliance for r in replayed] == [r.compliance for r in stored]
        assert diff == []


# --- the inputs -----------------------------------------------------------------------------


def test_every_call_of_the_engine_is_recorded_with_its_facts(desk, office, clock) -> None:
    """A created order and its actions; a promise whose deadline (a datetime) comes back as one;
    a community-level event with no order or contact."""
    order = desk.at(sh(2026, 11, 26, 10, 0)).open("complaint", complaint_type="written")
    desk.act(order, "take")
    promised_at = sh(2026, 11, 27, 10, 0)
    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="phone",
            intent="repair",
            content="电梯异响",
            outcome="promised",
            caller_phone="13812345678",
            promised_at=promised_at,
            promise_reason="需电梯公司派人",
        ),
    )
    clocks_on_event(community=office.community, event="month_start", at=sh(2026, 11, 1))
    rows = list(ClockInput.objects.filter(community=office.community).order_by("id"))
    by_event = {(r.event, r.order_id, r.contact_id) for r in rows}
    assert ("create", order.pk, None) in by_event
    assert ("take", order.pk, None) in by_event
    assert ("contact_promised", None, contact.pk) in by_event
    assert ("month_start", None, None) in by_event
    create = next(r for r in rows if r.event == "create")
    assert create.new and create.facts["complaint_type"] == "written"
    assert create.roles == ["receptionist"]
    take = next(r for r in rows if r.event == "take")
    assert not take.new and take.facts["has_assignee"] is True
    promise = next(r for r in rows if r.event == "contact_promised")
    assert decode_data(promise.data) == {"promised_at": promised_at}
    with pytest.raises(PermissionError):
        take.save()


def test_data_codec_round_trips_nested_datetimes() -> None:
    at = sh(2026, 11, 30, 23, 59, 59)
    data = {"deadline": at, "x": [at, 1, "a"], "m": {"y": at}, "fee": None}
    stored = json.loads(json.dumps(encode_data(data)))
    assert decode_data(stored) == data


# --- the property ---------------------------------------------------------------------------

KINDS = st.sampled_from(
    [
        ("complaint", "general", False),
        ("complaint", "written", False),
        ("complaint", "attitude", False),
        ("complaint", "general", True),
        ("repair", "", False),
        ("repair", "", True),  # 急修 at intake (issue 16)
        ("housekeeping", "", False),
    ]
)
ACTIONS = st.sampled_from(
    [
        "take",
        "dispatch",
        "accept",
        "check_in",
        "reply",
        "resolve",
        "follow_up",
        "close",
        "contact_owner",
        "flag_long",
        "flag_important",
        "return",
        "reopen",
        "cancel",
        # Issue 16: waiting states pause DS-1 (and FD-6), and the wait's own limit (WT-1..3).
        "wait_owner_absent",
        "wait_parts",
        "end_wait",
        # Issue 16: 急修 marked after intake starts DS-1-arrival (when on), unmarking cancels it.
        "mark_urgent",
        "unmark_urgent",
    ]
)
# Steps between calls: around CP-1's 10 minutes, the day's end, two days, a week.
GAPS = st.sampled_from([0, 1, 9, 10, 11, 30, 180, 600, 1440, 2 * 1440, 7 * 1440 + 1])
STEP = st.one_of(
    st.tuples(st.just("open"), GAPS, KINDS),
    st.tuples(st.just("act"), GAPS, st.tuples(st.integers(0, 3), ACTIONS)),
    st.tuples(st.just("promise"), GAPS, st.sampled_from([60, 600, 1440])),
    st.tuples(st.just("keep"), GAPS, st.integers(0, 2)),
    st.tuples(st.just("sweep"), GAPS, st.none()),
)


def _act(desk, office, order, action: str) -> None:
    kw: dict[str, object] = {}
    by = office.administrator
    if action == "dispatch":
        if order.kind == "complaint":
            kw["assignee"] = office.administrator
        else:
            kw["team"] = office.repair
            by = office.receptionist
    elif action in ("reply", "contact_owner"):
        kw["channel"] = "phone"
    elif action == "flag_long":
        action, kw["flags"] = "flag", {"is_long_running": True}
    elif action == "flag_important":
        action, kw["flags"] = "flag", {"is_important": True}
    elif action.startswith("wait_"):
        action, kw["waiting"], kw["note"] = "wait", action.removeprefix("wait_"), "等待"
    elif action == "unmark_urgent":
        kw["note"] = "误标"
    desk.act(order, action, by=by, **kw)


def _run(desk, office, clock, steps) -> None:
    orders, contacts = [], []
    for op, gap, arg in steps:
        clock.advance(minutes=gap)
        try:
            with transaction.atomic():
                if op == "open":
                    kind, ctype, marked = arg
                    orders.append(
                        desk.open(kind, complaint_type=ctype, is_important=marked)
                        if kind == "complaint"
                        else desk.open(kind, is_urgent=marked)
                    )
                elif op == "act" and orders:
                    index, action = arg
                    _act(desk, office, orders[index % len(orders)], action)
                elif op == "promise":
                    contacts.append(
                        contact_log(
                            community=office.community,
                            by=office.receptionist,
                            now=clock.now(),
                            data=ContactInput(
                                channel="phone",
                                intent="repair",
                                content="电梯异响",
                                outcome="promised",
                                caller_phone="13812345678",
                                promised_at=clock.now() + timedelta(minutes=arg),
                                promise_reason="需电梯公司派人",
                            ),
                        )
                    )
                elif op == "keep" and contacts:
                    contact_promise_keep(
                        contact_id=contacts[arg % len(contacts)].pk,
                        by=office.receptionist,
                        now=clock.now(),
                        result="已处理",
                    )
                elif op == "sweep":
                    clocks_sweep(now=clock.now())
        except (ServiceError, ValidationError):
            pass  # refused (not allowed in this state, by this role): nothing changed


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(STEP, min_size=1, max_size=8),
    start=st.sampled_from([0, 150, 590]),
    arrival=st.booleans(),
)
def test_replaying_a_month_under_its_own_policy_reproduces_its_figures(
    desk, office, clock, steps, start, arrival
) -> None:
    """Property (CP-1, CP-3 … CP-7, FD-3, FD-5, FD-6, DS-1, DS-1-take, CP-2, and DS-1-arrival
    when the community turns it on): whatever the office did, from late on November 30 (some
    clocks start in November and end in December), the replay of each month under the same
    policy gives the stored figures exactly, and no clock changes."""
    with transaction.atomic():
        # The fixture's objects outlive each example's rollback: the community's policy is read
        # again, or an example would run on the previous one's DS-1-arrival in memory while the
        # rows read back say otherwise.
        office.community.refresh_from_db()
        if arrival:
            office.community.policy = {"clocks": {"DS-1-arrival": {"enabled": True}}}
            office.community.save()
        clock.at = sh(2026, 11, 30, 14, 0) + timedelta(minutes=start)
        _run(desk, office, clock, steps)
        now = clock.advance(minutes=30)
        clocks_sweep(now=now)  # the figures are read once the sweeper is up to date
        _stored_equals_replayed(office.community, now)
        transaction.set_rollback(True)


# --- boundaries and another policy ----------------------------------------------------------


def test_cp1_a_clock_due_exactly_at_month_end_counts_in_its_month_in_time_until_then(
    desk, office
) -> None:
    """CP-1 (10 minutes) from 23:50 on November 30: due at the first instant of December. It
    is November's; at that instant still in time (running), a second later breached; a
    complaint opened exactly at midnight is December's."""
    desk.at(NOV_END - timedelta(minutes=10)).open("complaint")
    desk.at(NOV_END).open("complaint")
    for now, outcome in ((NOV_END, "running"), (NOV_END + timedelta(seconds=1), "breached")):
        clocks_sweep(now=now)
        nov = {
            r.rule_id: r for r in replay_month(office.community, 2026, 11, policy=None, now=now)[0]
        }
        assert nov["CP-1"].started == 1
        assert (nov["CP-1"].running, nov["CP-1"].breached) == (
            (1, 0) if outcome == "running" else (0, 1)
        )
        dec = {
            r.rule_id: r for r in replay_month(office.community, 2026, 12, policy=None, now=now)[0]
        }
        assert dec["CP-1"].started == 1
        _stored_equals_replayed(office.community, now)


def test_cp1_a_longer_limit_changes_the_late_orders_and_names_them(desk, office) -> None:
    """CP-1 at 15 minutes instead of 10: the complaint dispatched after 12 minutes is met under
    the new policy; the one dispatched after 5 stays met; a disabled DS-1-take has no clocks."""
    t0 = sh(2026, 11, 10, 10, 0)
    late = desk.at(t0).open("complaint")
    desk.at(t0 + timedelta(minutes=12)).act(
        late, "dispatch", by=office.receptionist, assignee=office.administrator
    )
    early = desk.at(t0).open("complaint")
    desk.at(t0 + timedelta(minutes=5)).act(
        early, "dispatch", by=office.receptionist, assignee=office.administrator
    )
    desk.at(t0).open("repair")
    now = sh(2026, 12, 1, 9, 0)
    clocks_sweep(now=now)
    policy, overrides = policy_from_text(
        "clocks:\n  CP-1: {duration: {value: 15}}\n  DS-1-take: {enabled: false}\n"
    )
    assert overrides is not None
    result = what_if(office.community, 2026, 11, policy=policy, now=now)
    lines = {r.rule_id: r for r in result.rules}
    assert (lines["CP-1"].now.met, lines["CP-1"].now.breached) == (1, 1)
    assert (lines["CP-1"].then.met, lines["CP-1"].then.breached) == (2, 0)
    assert str(lines["CP-1"].now.compliance) == "50.0"
    assert str(lines["CP-1"].then.compliance) == "100.0"
    assert lines["DS-1-take"].now.started == 1 and lines["DS-1-take"].then is None
    changed = {(c.label, c.rule_id, c.now, c.then) for c in result.changed}
    assert (late.number, "CP-1", "breached", "met") in changed
    assert not any(c[0] == early.number and c[1] == "CP-1" for c in changed)
    assert any(c[1] == "DS-1-take" and c[3] == "" for c in changed)


def test_ds1_a_what_if_for_a_community_in_another_zone_counts_in_its_zone(
    desk, office, tmp_path
) -> None:
    """RULES.md (Clocks): deadlines are in the community's time zone. A community in Urumqi
    (UTC+6): a repair at 09:00 there, completed at 22:30 there, met DS-1 (due 23:59:59 there).
    Rule changes that name no zone (here: none at all), replayed over its month by the command
    or previewed in the back office, count in that zone too: nothing changes. They were counted
    in Shanghai's, where the repair was due two hours sooner, and every late-evening completion
    read as a breach the rule changes would cause."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    urumqi = ZoneInfo("Asia/Urumqi")
    order = repair_done_late_in_urumqi(desk, office, 11, 10)
    community = office.community
    now = datetime(2026, 12, 1, 9, 0, tzinfo=urumqi)
    clocks_sweep(now=now)
    assert desk.clock_of(order, "DS-1").state == "met"
    policy, _overrides = policy_from_text("{}", community)
    result = what_if(community, 2026, 11, policy=policy, now=now)
    assert result.changed == []
    unchanged = tmp_path / "same.yaml"
    unchanged.write_text("clocks: {}\n", encoding="utf-8")
    out = io.StringIO()
    call_command(
        "replay",
        *("--community", community.code, "--month", "2026-11", "--policy", str(unchanged)),
        *("--now", now.isoformat(), "--json"),
        stdout=out,
    )
    assert json.loads(out.getvalue())["changed"] == []


def test_replay_command_prints_the_table_and_json(desk, office, tmp_path) -> None:
    t0 = sh(2026, 11, 10, 10, 0)
    late = desk.at(t0).open("complaint")
    desk.at(t0 + timedelta(minutes=12)).act(
        late, "dispatch", by=office.receptionist, assignee=office.administrator
    )
    clocks_sweep(now=sh(2026, 12, 1, 9, 0))
    new = tmp_path / "new.yaml"
    new.write_text("clocks:\n  CP-1: {duration: {value: 15}}\n", encoding="utf-8")
    args = ["--community", office.community.code, "--month", "2026-11", "--policy", str(new)]
    args += ["--now", "2026-12-01T09:00:00+08:00"]
    out = io.StringIO()
    call_command("replay", *args, "--json", stdout=out)
    data = json.loads(out.getvalue())
    cp1 = next(r for r in data["rules"] if r["rule_id"] == "CP-1")
    assert cp1["now"]["compliance"] == "0.0" and cp1["then"]["compliance"] == "100.0"
    assert {"label": late.number, "rule_id": "CP-1", "now": "breached", "then": "met"}.items() <= (
        next(c for c in data["changed"] if c["rule_id"] == "CP-1").items()
    )
    out = io.StringIO()
    call_command("replay", *args, stdout=out)
    text = out.getvalue()
    assert late.number in text and "CP-1" in text and "100.0%" in text
    # A whole policy file (it names its version) is read as it is.
    whole = tmp_path / "whole.yaml"
    whole.write_text(
        json.dumps(load_policy().model_dump(mode="json"), ensure_ascii=False), encoding="utf-8"
    )
    out = io.StringIO()
    call_command("replay", *args[:4], "--policy", str(whole), "--now", args[-1], stdout=out)
    # Bad input: a clear error naming the key.
    bad = tmp_path / "bad.yaml"
    bad.write_text("clocks:\n  CP-1: {duration: {value: -1}}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="CP-1"):
        call_command("replay", *args[:4], "--policy", str(bad))
    with pytest.raises(CommandError):
        call_command("replay", *args[:2], "--month", "2026-13", "--policy", str(new))
    with pytest.raises(CommandError):
        call_command("replay", "--community", "nowhere", "--month", "2026-11", "--policy", str(new))


def test_cp1_cancelled_after_its_deadline_before_the_sweeper_is_breached_in_the_replay_too(
    desk, office
) -> None:
    """CP-1: a complaint cancelled at 11 minutes, the sweeper not run: breached, not cancelled;
    one cancelled at 10 minutes is cancelled."""
    t0 = sh(2026, 11, 10, 10, 0)
    late, in_time = desk.at(t0).open("complaint"), desk.open("complaint")
    desk.at(t0 + timedelta(minutes=10)).act(in_time, "cancel")
    desk.at(t0 + timedelta(minutes=11)).act(late, "cancel")
    now = t0 + timedelta(minutes=12)
    rows = {r.rule_id: r for r in replay_month(office.community, 2026, 11, policy=None, now=now)[0]}
    assert (rows["CP-1"].breached, rows["CP-1"].cancelled) == (1, 1)
    _stored_equals_replayed(office.community, now)
