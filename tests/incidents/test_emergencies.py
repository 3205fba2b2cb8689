"""EM-1 (who is called, at once, until each acknowledges; repeats and widening) and EM-2 (each
responder's 5-minute clock) through the services, on the injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from propdesk.clocks.models import Clock
from propdesk.clocks.services import clocks_sweep
from propdesk.core.errors import Conflict, Forbidden
from propdesk.desk.models import WorkOrder, WorkOrderEvent
from propdesk.incidents.models import Emergency, IncidentReport, Responder
from propdesk.incidents.services import (
    emergencies_repeat,
    emergency_acknowledge,
    emergency_check_in,
    emergency_resolve,
)
from propdesk.notify.models import Notification
from tests.incidents.conftest import T_NIGHT, sh


def called(emergency: Emergency) -> dict[str, str]:
    return {r.user.username: r.reason for r in emergency.responders.select_related("user")}


def inbox(cause: str) -> set[str]:
    return set(
        Notification.objects.filter(cause=cause, channel="in_app").values_list(
            "recipient__username", flat=True
        )
    )


def test_em1_night_shift_across_midnight_and_a_department_with_nobody_on_duty(duty) -> None:
    emergency = duty.log("fire", at=T_NIGHT)

    # The office head, the security guard of the night shift that began yesterday at 20:00, and,
    # as nobody of the repair team is on the roster, its leader.
    assert called(emergency) == {
        "a-head": "office_head",
        "a-night-guard": "on_duty",
        "a-repair-leader": "team_leader",
    }
    assert inbox(f"emergency:{emergency.pk}") == {"a-head", "a-night-guard", "a-repair-leader"}
    alert = Notification.objects.filter(cause=f"emergency:{emergency.pk}").first()
    assert alert is not None and alert.kind == "emergency" and alert.created_at == T_NIGHT
    assert alert.payload["kind_title"] == "火警"
    # The roster gap is itself a warning to the office head.
    gap = Notification.objects.get(cause=f"emergency:{emergency.pk}:gap:repair")
    assert (gap.recipient.username, gap.kind) == ("a-head", "roster_gap")
    assert not Notification.objects.filter(cause__endswith=":gap:security").exists()
    # One EM-2 clock per responder, due 5 minutes after the alert.
    clocks = Clock.objects.filter(order=emergency.order, rule_id="EM-2")
    assert {c.subject for c in clocks} == {str(r.user_id) for r in emergency.responders.all()}
    assert {c.due_at for c in clocks} == {T_NIGHT + timedelta(minutes=5)}
    # The work order: a complaint of type emergency, taken by the office head at once.
    order = emergency.order
    assert (order.kind, order.complaint_type, order.state) == (
        "complaint",
        "emergency",
        "dispatched",
    )
    assert order.assignee == duty.office.head
    actions = list(order.events.values_list("action", flat=True))
    assert actions[:3] == ["create", "dispatch", "emergency_logged"]
    assert actions.count("responder_notified") == 3 and actions.count("roster_gap") == 1


@pytest.mark.parametrize(
    ("at", "guard"),
    [
        (sh(2026, 11, 26, 23, 59), "a-night-guard"),
        (sh(2026, 11, 27, 7, 59), "a-night-guard"),
        (sh(2026, 11, 27, 8, 0), "a-day-guard"),  # the night shift ends as the day one begins
        (sh(2026, 11, 27, 19, 59), "a-day-guard"),
        (sh(2026, 11, 27, 20, 0), "a-night-guard"),
    ],
)
def test_em1_the_roster_at_the_shift_boundaries(duty, at, guard) -> None:
    emergency = duty.log("security_incident", at=at)
    assert called(emergency) == {"a-head": "office_head", guard: "on_duty"}
    assert not Notification.objects.filter(kind="roster_gap").exists()


def test_em1_a_department_without_a_team_or_leader_still_warns_the_head(duty) -> None:
    emergency = duty.log("flooding", at=T_NIGHT)  # repair, cleaning, security
    assert called(emergency) == {
        "a-head": "office_head",
        "a-night-guard": "on_duty",
        "a-repair-leader": "team_leader",
        "a-cleaning-leader": "team_leader",
    }
    gaps = set(Notification.objects.filter(kind="roster_gap").values_list("cause", flat=True))
    assert gaps == {
        f"emergency:{emergency.pk}:gap:repair",
        f"emergency:{emergency.pk}:gap:cleaning",
    }


def test_em1_bad_input_and_the_wrong_person_change_nothing(duty, office) -> None:
    with pytest.raises(ValidationError) as exc:
        duty.log("meteor", location="  ")
    assert set(exc.value.message_dict) == {"kind", "location"}
    with pytest.raises(ValidationError) as exc:
        duty.log("fire", caller_phone="12")
    assert set(exc.value.message_dict) == {"caller_phone"}
    from propdesk.incidents.services import emergency_log

    with pytest.raises(Forbidden):
        emergency_log(
            community=office.community,
            by=office.repair_member,
            now=duty.clock.now(),
            kind="fire",
            location="1栋",
        )
    assert not Emergency.objects.exists()
    assert not WorkOrder.objects.exists()
    assert not Notification.objects.exists()


def test_em1_a_household_is_enough_for_where(duty, office) -> None:
    emergency = duty.log("lift_entrapment", location="", household=office.household)
    assert emergency.location == "3-2-1502"
    assert emergency.order.household == office.household


def test_em2_check_in_at_4m59_is_met_at_5m01_breached(duty, office) -> None:
    emergency = duty.log("fire", at=T_NIGHT)
    duty.clock.at = T_NIGHT + timedelta(minutes=4, seconds=59)
    emergency_check_in(emergency_id=emergency.pk, by=duty.night_guard, now=duty.clock.now())
    clocks_sweep(now=T_NIGHT + timedelta(minutes=5, seconds=1))

    def clock_of(user) -> Clock:
        return Clock.objects.get(order=emergency.order, rule_id="EM-2", subject=str(user.pk))

    assert clock_of(duty.night_guard).state == "met"
    late = clock_of(office.repair_leader)
    assert late.state == "breached"
    assert late.breached_at == T_NIGHT + timedelta(minutes=5)
    # The breach tells the late responder and the office head.
    escalation = set(
        Notification.objects.filter(cause=f"clock:{late.pk}:L1", channel="in_app").values_list(
            "recipient__username", flat=True
        )
    )
    assert escalation == {"a-repair-leader", "a-head"}
    # Arriving at 5 min 1 s: on site, recorded, but late.
    duty.clock.at = T_NIGHT + timedelta(minutes=5, seconds=1)
    emergency_check_in(emergency_id=emergency.pk, by=office.repair_leader, now=duty.clock.now())
    late.refresh_from_db()
    assert (late.state, late.met_at) == ("breached", duty.clock.at)
    arrived = Responder.objects.get(emergency=emergency, user=office.repair_leader)
    assert arrived.arrived_at == arrived.acknowledged_at == duty.clock.at


def test_em2_check_in_at_exactly_5_minutes_is_in_time(duty) -> None:
    """EM-2: "within 5 minutes": the fifth minute itself is still in time, swept or not."""
    emergency = duty.log("fire", at=T_NIGHT)
    clocks_sweep(now=T_NIGHT + timedelta(minutes=5))
    duty.clock.at = T_NIGHT + timedelta(minutes=5)
    emergency_check_in(emergency_id=emergency.pk, by=duty.night_guard, now=duty.clock.now())
    clock = Clock.objects.get(order=emergency.order, subject=str(duty.night_guard.pk))
    assert (clock.state, clock.met_at, clock.met_by) == ("met", duty.clock.at, duty.night_guard)


def test_em2_check_in_without_a_sweep_after_the_deadline_is_a_breach(duty) -> None:
    emergency = duty.log("fire", at=T_NIGHT)
    duty.clock.at = T_NIGHT + timedelta(minutes=5, seconds=1)
    emergency_check_in(emergency_id=emergency.pk, by=duty.night_guard, now=duty.clock.now())
    clock = Clock.objects.get(order=emergency.order, subject=str(duty.night_guard.pk))
    assert clock.state == "breached"


def test_em2_only_a_responder_checks_in_and_only_once(duty, office) -> None:
    emergency = duty.log("fire", at=T_NIGHT)
    with pytest.raises(Forbidden):
        emergency_check_in(emergency_id=emergency.pk, by=duty.day_guard, now=T_NIGHT)
    with pytest.raises(Forbidden):
        emergency_acknowledge(emergency_id=emergency.pk, by=office.receptionist, now=T_NIGHT)
    assert not Responder.objects.filter(emergency=emergency, user=duty.day_guard).exists()
    emergency_check_in(emergency_id=emergency.pk, by=duty.night_guard, now=T_NIGHT)
    with pytest.raises(Conflict):
        emergency_check_in(
            emergency_id=emergency.pk, by=duty.night_guard, now=T_NIGHT + timedelta(minutes=1)
        )
    assert Responder.objects.get(emergency=emergency, user=duty.night_guard).arrived_at == T_NIGHT
    assert WorkOrderEvent.objects.filter(action="responder_arrived").count() == 1


def test_em1_repeat_every_60s_until_acknowledged_then_widen_once(duty, office) -> None:
    emergency = duty.log("fire", at=T_NIGHT)
    eid = emergency.pk
    head, guard, leader = office.head, duty.night_guard, office.repair_leader

    def repeats() -> set[str]:
        return set(
            Notification.objects.filter(cause__regex=r":r[0-9]+:", channel="in_app").values_list(
                "cause", flat=True
            )
        )

    assert emergencies_repeat(now=T_NIGHT + timedelta(seconds=59)).repeats == 0
    emergencies_repeat(now=T_NIGHT + timedelta(seconds=60))
    round1 = {f"emergency:{eid}:r1:{u.pk}" for u in (head, guard, leader)}
    assert repeats() == round1
    # Again at the same time (a second worker): nothing more.
    assert emergencies_repeat(now=T_NIGHT + timedelta(seconds=61)).repeats == 0
    assert repeats() == round1

    emergency_acknowledge(emergency_id=eid, by=head, now=T_NIGHT + timedelta(seconds=90))
    emergency_check_in(emergency_id=eid, by=guard, now=T_NIGHT + timedelta(seconds=100))
    emergencies_repeat(now=T_NIGHT + timedelta(seconds=120))
    assert repeats() == round1 | {f"emergency:{eid}:r2:{leader.pk}"}
    assert not Notification.objects.filter(cause__contains=":w:").exists()

    # The third unacknowledged round widens to the deputies: the repair leader's deputies are the
    # office head and the team's on-duty staff (nobody on duty in repair now), once.
    emergencies_repeat(now=T_NIGHT + timedelta(seconds=180))
    assert f"emergency:{eid}:r3:{leader.pk}" in repeats()
    assert inbox(f"emergency:{eid}:w:{leader.pk}") == {"a-head"}
    emergencies_repeat(now=T_NIGHT + timedelta(seconds=240))
    assert f"emergency:{eid}:r4:{leader.pk}" in repeats()
    assert Notification.objects.filter(cause__contains=":w:").count() == 1
    responder = Responder.objects.get(emergency=emergency, user=leader)
    assert (responder.rounds, responder.widened_at) == (4, T_NIGHT + timedelta(seconds=180))
    assert responder.next_repeat_at == T_NIGHT + timedelta(seconds=300)
    # A worker that fell behind sends only the latest round, not a burst.
    emergencies_repeat(now=T_NIGHT + timedelta(seconds=430))
    assert f"emergency:{eid}:r7:{leader.pk}" in repeats()
    assert not {f"emergency:{eid}:r5:{leader.pk}", f"emergency:{eid}:r6:{leader.pk}"} & repeats()


def test_em1_an_unacknowledged_office_head_widens_to_the_administrators(duty, office) -> None:
    emergency = duty.log("security_incident", at=T_NIGHT)
    emergency_acknowledge(emergency_id=emergency.pk, by=duty.night_guard, now=T_NIGHT)
    for n in (1, 2, 3):
        emergencies_repeat(now=T_NIGHT + timedelta(seconds=60 * n))
    assert inbox(f"emergency:{emergency.pk}:w:{office.head.pk}") == {"a-admin"}


def test_em1_the_unacknowledged_guard_widens_to_the_team(duty, office) -> None:
    emergency = duty.log("security_incident", at=T_NIGHT)
    emergency_acknowledge(emergency_id=emergency.pk, by=office.head, now=T_NIGHT)
    for n in (1, 2, 3):
        emergencies_repeat(now=T_NIGHT + timedelta(seconds=60 * n))
    deputies = inbox(f"emergency:{emergency.pk}:w:{duty.night_guard.pk}")
    assert deputies == {"a-sec-leader", "a-head"}


def test_resolve_stops_repeats_cancels_clocks_resolves_the_order_and_opens_the_report(
    duty, office
) -> None:
    emergency = duty.log("fire", at=T_NIGHT)
    emergency_check_in(emergency_id=emergency.pk, by=duty.night_guard, now=T_NIGHT)
    with pytest.raises(Forbidden):
        emergency_resolve(emergency_id=emergency.pk, by=duty.night_guard, now=T_NIGHT, note="x")
    with pytest.raises(ValidationError):
        emergency_resolve(emergency_id=emergency.pk, by=office.head, now=T_NIGHT, note=" ")
    assert not IncidentReport.objects.exists()
    at = T_NIGHT + timedelta(minutes=3)
    emergency_resolve(emergency_id=emergency.pk, by=office.head, now=at, note="明火已扑灭")
    emergency.refresh_from_db()
    assert (emergency.state, emergency.resolved_at) == ("resolved", at)
    states = dict(
        Clock.objects.filter(order=emergency.order, rule_id="EM-2").values_list("subject", "state")
    )
    assert states == {
        str(duty.night_guard.pk): "met",
        str(office.head.pk): "cancelled",
        str(office.repair_leader.pk): "cancelled",
    }
    emergency.order.refresh_from_db()
    assert (emergency.order.state, emergency.order.resolved_at) == ("resolved", at)
    assert emergencies_repeat(now=at + timedelta(minutes=5)).repeats == 0
    assert IncidentReport.objects.get(emergency=emergency).state == "draft"
    with pytest.raises(Conflict):
        emergency_acknowledge(emergency_id=emergency.pk, by=office.head, now=at)


def test_em1_an_emergency_runs_its_own_clocks_not_a_complaints(duty) -> None:
    """EM-1, EM-2, CP-1: an emergency is stored as a complaint of type emergency but is not one
    (GLOSSARY.md): no 10分钟内安排管理员 (CP-1) clock starts, none met counts in CP-1's figures,
    and marking it important or long-running starts no complaint clock either."""
    from propdesk.desk.services import work_order_transition

    emergency = duty.log("fire", at=T_NIGHT)
    order = emergency.order
    rules = set(Clock.objects.filter(order=order).values_list("rule_id", flat=True))
    assert rules == {"EM-2"}, rules
    order.refresh_from_db()
    work_order_transition(
        order_id=order.pk,
        action="flag",
        by=duty.office.head,
        now=T_NIGHT + timedelta(minutes=1),
        version=order.version,
        flags={"is_important": True, "is_long_running": True},
    )
    rules = set(Clock.objects.filter(order=order).values_list("rule_id", flat=True))
    assert rules == {"EM-2"}, rules


def test_em3_handled_the_timeline_has_no_acceptance_after_it(duty) -> None:
    """EM-3: 处置完毕 closes the emergency's order as its own step; the order's bookkeeping on
    the way (accepted, handled to the end, at the same instant) is not a 已接单 line after it."""
    from propdesk.desk.selectors import work_order_timeline

    emergency = duty.log("fire", at=T_NIGHT)
    emergency_resolve(
        emergency_id=emergency.pk,
        by=duty.office.head,
        now=T_NIGHT + timedelta(minutes=9),
        note="灭火器扑灭",
    )
    order = WorkOrder.objects.get(pk=emergency.order_id)
    whats = [e["what"] for e in work_order_timeline(order) if e["source"] == "event"]
    assert "emergency_resolved" in whats
    after = whats[whats.index("emergency_resolved") :]
    assert "accept" not in after and "resolve" not in after, whats


def test_em1_stored_emergencies_and_policies_lose_their_complaint_clocks(duty) -> None:
    """EM-1, CP-1: migration clocks.0010. A CP-1 clock an emergency's order got before the
    policy said otherwise is cancelled (it counts in no CP-1 figure); a community's own CP-1
    start triggers, which replace the shipped ones, get the same exception; other rules' clocks
    and a real complaint's stay."""
    from importlib import import_module

    from django.apps import apps

    from propdesk.community.models import Community
    from propdesk.policy.rules import load_policy

    migration = import_module("propdesk.clocks.migrations.0010_emergency_no_complaint_clocks")
    emergency = duty.log("fire", at=T_NIGHT)
    em2 = Clock.objects.filter(order=emergency.order, rule_id="EM-2").first()
    assert em2 is not None
    stale = Clock.objects.create(
        **{
            f.attname: getattr(em2, f.attname)
            for f in Clock._meta.concrete_fields
            if not f.primary_key
        }
        | {"rule_id": "CP-1", "subject": "", "state": "met", "met_at": T_NIGHT}
    )
    community = duty.office.community
    own = {"clocks": {"CP-1": {"start": [{"event": "create", "when": {"kind": "complaint"}}]}}}
    Community.objects.filter(pk=community.pk).update(policy=own)

    migration.forward(apps, None)

    stale.refresh_from_db()
    assert (stale.state, stale.cancel_reason) == ("cancelled", "emergency")
    em2.refresh_from_db()
    assert em2.state == "running"
    community.refresh_from_db()
    start = community.policy["clocks"]["CP-1"]["start"][0]
    assert start["unless"] == {"complaint_type": "emergency"}
    assert load_policy(community.policy).clocks["CP-1"].start[0].unless


def test_em2_the_warning_and_escalation_name_the_responder(duty) -> None:
    """EM-2: each responder's 5分钟内到场 warning and escalation says whose it is; the three lines
    of one fire read alike without it."""
    emergency = duty.log("fire", at=T_NIGHT)
    clocks_sweep(now=T_NIGHT + timedelta(minutes=4))
    clocks_sweep(now=T_NIGHT + timedelta(minutes=6))
    names = {r.user_id: r.user.name for r in emergency.responders.select_related("user")}
    notes = Notification.objects.filter(
        kind__in=["clock_warning", "clock_escalation"], payload__rule="EM-2", channel="in_app"
    )
    assert notes.exists()
    for n in notes:
        clock = Clock.objects.get(pk=n.payload["clock"])
        assert names[int(clock.subject)] in n.title, n.title
