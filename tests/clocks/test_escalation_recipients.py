"""Who hears of a breach, for every rule that escalates in the shipped policy (default.yaml):
each clock is started on a fresh owner in the office of tests/conftest.py, swept one second past
its deadline and past each level (一级, 二级, 三级), and the people of each level are checked
against the hand-made table below (RULES.md: escalations go to the office head, then company
leadership; DESIGN.md). Beside the office live people who must never hear: the same roles in
another community of the company, inactive staff of the office in every role, company
leadership that is inactive or of another company."""

from __future__ import annotations

from datetime import timedelta

import pytest

from propdesk.clocks.models import Clock
from propdesk.clocks.services import clocks_on_event
from propdesk.community.models import User
from propdesk.desk.services import ContactInput, contact_log
from propdesk.notify.models import Notification
from propdesk.policy.rules import load_policy
from tests import factories as f
from tests.clocks.conftest import sh

T0 = sh(2026, 11, 26, 10, 0)  # a Thursday, within the office's hours

# Per rule, the people of each escalation level, by the office's names (see ``people``):
# "responsible" is written out as whom it finds for a fresh owner: a repair's or a housekeeping
# job's team leader (no assignee yet), the complaint's administrator once taken, the front-desk
# receptionist who made a promise, the office head for the community's own clocks.
EXPECTED: dict[str, list[set[str]]] = {
    "FD-3": [{"receptionist"}, {"head"}, {"boss"}],
    "FD-5": [{"repair_leader"}, {"head"}, {"boss"}],
    "FD-6": [{"repair_leader"}, {"head"}, {"boss"}],
    "CP-1": [{"administrator", "head"}, {"head"}, {"boss"}],  # RULES.md CP-1: to the head
    "CP-2": [{"administrator"}, {"head"}, {"boss"}],
    "EM-2": [{"repair_member", "head"}, {"boss"}],  # the responder himself, and the head
    "CP-3": [{"head"}, {"boss"}],  # unassigned: its team is the head's 客服中心
    "CP-4": [{"head"}, {"boss"}],
    "CP-5": [{"head"}, {"boss"}],
    "CP-5-rectification": [{"repair_member", "head"}, {"boss"}],  # the staff member named
    "CP-6": [{"head"}, {"head"}, {"boss"}],
    "CP-7": [{"head"}, {"head"}, {"boss"}],
    "DS-1": [{"cleaning_leader"}, {"head"}, {"boss"}],  # a housekeeping job
    "DS-1-take": [{"repair_leader"}, {"head"}],
    "DS-1-appointment": [{"repair_leader"}, {"head"}],
    "FD-1-callback": [{"receptionist"}, {"head"}],
    "RV-1": [{"head"}, {"boss"}],
    "RV-6": [{"receptionist"}, {"head"}],  # RULES.md RV-6: the receptionists' call
    "RV-7": [{"administrator", "head"}, {"boss"}],
    "RV-8": [{"administrator", "head"}, {"boss"}],  # the administrator sent
    "CS-3": [{"head"}, {"boss"}],
    "WT-1": [{"repair_leader"}, {"head"}],
    "WT-2": [{"repair_leader"}, {"head"}],
    "WT-3": [{"repair_leader"}, {"head"}],
}


def escalating_rules() -> list[str]:
    return [rid for rid, rule in load_policy().clocks.items() if rule.enabled and rule.escalation]


def test_every_escalating_rule_of_the_shipped_policy_is_in_the_table():
    """A rule added to default.yaml (or one that starts escalating) must say who hears of it."""
    assert sorted(escalating_rules()) == sorted(EXPECTED)


@pytest.fixture
def people(desk, office, other_office, company):
    boss = User.objects.get(username="boss")  # the company's leadership (the desk fixture's)
    # Who must never hear: inactive staff of the office in every role, and leadership that
    # left or belongs to another company (the other community's staff come with other_office).
    for role in ("receptionist", "administrator", "office_head", "team_leader", "team_member"):
        f.UserFactory(username=f"gone-{role}", roles=[(office.community, role)], is_active=False)
    f.UserFactory(username="gone-boss", company=company, is_leadership=True, is_active=False)
    f.UserFactory(
        username="rival-boss", company=f.CompanyFactory(name="别家物业"), is_leadership=True
    )
    return {
        "receptionist": office.receptionist,
        "administrator": office.administrator,
        "head": office.head,
        "repair_leader": office.repair_leader,
        "repair_member": office.repair_member,
        "cleaning_leader": office.cleaning_leader,
        "boss": boss,
    }


def start(rule_id: str, desk, office):
    """Start ``rule_id``'s clock at T0 the way the office does, on a fresh owner; its clock."""
    community = office.community
    desk.at(T0)

    def event(name: str, order=None, **kw):
        clocks_on_event(community=community, event=name, at=T0, order=order, **kw)

    owner: dict = {}
    if rule_id == "FD-3":
        contact = contact_log(
            community=community,
            by=office.receptionist,
            now=T0,
            data=ContactInput(
                channel="phone",
                intent="consultation",
                content="问停车费标准",
                outcome="promised",
                caller_phone="13812345678",
                room_text="3-2-1502",
                promised_at=T0 + timedelta(hours=2),
                promise_reason="需查询",
            ),
        )
        owner = {"contact": contact}
    elif rule_id == "FD-5":
        owner = {"order": desk.open("repair", is_construction_legacy=True)}
    elif rule_id in ("FD-6", "DS-1-take"):
        owner = {"order": desk.open("repair")}
    elif rule_id == "DS-1":
        owner = {"order": desk.open("housekeeping")}
    elif rule_id == "DS-1-appointment":
        owner = {"order": desk.open("repair", appointment_at=T0 + timedelta(hours=2))}
    elif rule_id in ("CP-1", "CP-6"):
        owner = {"order": desk.open("complaint", complaint_type="general")}
    elif rule_id == "CP-2":
        order = desk.open("complaint", complaint_type="general")
        desk.act(order, "take", by=office.administrator)
        owner = {"order": desk.act(order, "resolve", by=office.administrator)}
    elif rule_id == "CP-3":
        owner = {"order": desk.open("complaint", complaint_type="written")}
    elif rule_id == "CP-4":
        owner = {"order": desk.open("complaint", complaint_type="general", is_important=True)}
    elif rule_id == "CP-5":
        owner = {"order": desk.open("complaint", complaint_type="attitude")}
    elif rule_id == "CP-5-rectification":
        order = desk.open("complaint", complaint_type="attitude")
        subject = str(office.repair_member.pk)
        event("rectification_set", order, subject=subject, data={"deadline": T0 + timedelta(1)})
        owner = {"order": order, "subject": subject}
    elif rule_id == "CP-7":
        owner = {"order": desk.open("complaint", complaint_type="general", is_long_running=True)}
    elif rule_id == "EM-2":
        order = desk.open("repair")
        subject = str(office.repair_member.pk)
        event("responder_notified", order, subject=subject)
        owner = {"order": order, "subject": subject}
    elif rule_id == "RV-6":
        order = desk.open("repair")
        desk.act(order, "claim", by=office.repair_leader)
        owner = {"order": desk.act(order, "resolve", by=office.repair_leader)}
    elif rule_id.startswith("WT-"):
        waiting = {"WT-1": "owner_absent", "WT-2": "owner_confirm", "WT-3": "parts"}[rule_id]
        order = desk.open("repair")
        event("wait_start", order, data={"waiting": waiting})
        owner = {"order": order}
    elif rule_id == "FD-1-callback":
        event("call_missed", subject="phone:13900001111")
    elif rule_id == "RV-1":
        event("month_start")
    elif rule_id == "RV-7":
        event("common_issue_opened", subject="issue:1")
    elif rule_id == "RV-8":
        event(
            "home_visit_assigned",
            subject=f"{office.administrator.pk}:home_visit:1",
            data={"due_at": T0 + timedelta(days=1)},
        )
    elif rule_id == "CS-3":
        event("quarter_start")
    else:  # pragma: no cover - the table test above names every rule
        raise AssertionError(rule_id)
    where = {k: v for k, v in owner.items() if k in ("order", "contact")}
    if not where:
        where = {"order": None, "contact": None}
    return Clock.objects.get(community=community, rule_id=rule_id, **where)


@pytest.mark.parametrize("rule_id", sorted(EXPECTED))
def test_a_breach_and_each_level_reach_the_office_people_the_rules_name(
    rule_id, desk, office, people
):
    """Every escalating rule (FD-3, FD-5, FD-6, CP-1 … CS-3, WT-*): swept one second before
    each level's time, the level has not gone out; one second after it, it reached exactly the
    people of the table, of this community, active."""
    rule = load_policy().clocks[rule_id]
    c = start(rule_id, desk, office)
    assert len(rule.escalation) == len(EXPECTED[rule_id])
    names = {u.pk: name for name, u in people.items()}
    for level, (step, expected) in enumerate(
        zip(rule.escalation, EXPECTED[rule_id], strict=True), start=1
    ):
        at = c.due_at + timedelta(minutes=step.after_minutes)
        desk.sweep(at)
        assert not Notification.objects.filter(cause=f"clock:{c.pk}:L{level}").exists(), level
        desk.sweep(at + timedelta(seconds=1))
        told = Notification.objects.filter(cause=f"clock:{c.pk}:L{level}").values_list(
            "recipient", flat=True
        )
        assert {names.get(pk, f"stranger {pk}") for pk in told} == expected, (rule_id, level)
        c.refresh_from_db()
        assert (c.state, c.level) == ("breached", level)


def test_fd6_ds1_a_person_who_left_is_not_the_one_told_the_next_in_line_is(desk, office, people):
    """FD-6 and DS-1-appointment's ``responsible`` and ``team_leader`` are people, not roles: a
    repair taken by a member who has since left (deactivated) and a team whose leader left.
    Their breach goes to whom is still there: past the member, the leader; past a leader who
    left, the office head (as for an order with neither); never to an inactive account."""
    desk.at(T0)
    order = desk.open("repair", appointment_at=T0 + timedelta(hours=2))
    desk.act(order, "claim", by=office.repair_member)
    office.repair_member.is_active = False
    office.repair_member.save(update_fields=["is_active"])
    c = start("FD-6", desk, office)  # another order, in the team's pool
    office.repair_leader.is_active = False
    office.repair_leader.save(update_fields=["is_active"])
    c.refresh_from_db()
    desk.sweep(sh(2026, 11, 28, 0, 0))
    names = {u.pk: name for name, u in people.items()}

    def told(clock, level=1):
        return {
            names.get(pk, pk)
            for pk in Notification.objects.filter(cause=f"clock:{clock.pk}:L{level}").values_list(
                "recipient", flat=True
            )
        }

    assert told(c) == {"head"}  # FD-6 of an order nobody took: its leader left
    appointment = Clock.objects.get(order=order, rule_id="DS-1-appointment")
    assert told(appointment) == {"head"}  # the member and the leader both left
