"""Live dispatch: work reaches the person who must act by itself (DS-1, CP-1, FD-4): routing to
the team's pool, 抢单 with one winner, 受理 in one step, 转单 and 退单 with a reason, and who is
told of what (the policy's ``notify``), each with a link they can open."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from propdesk.clocks.models import Clock
from propdesk.clocks.services import clocks_sweep
from propdesk.community.models import DutyShift
from propdesk.core.clock import FixedClock
from propdesk.core.errors import Conflict, Forbidden
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from propdesk.notify.models import Notification
from tests import factories as f
from tests.conftest import Office
from tests.notify.helpers import run_telling


def create(office: Office, clock: FixedClock, kind: str = "repair", **kw) -> WorkOrder:
    draft = WorkOrderDraft(kind=kind, description="厨房水龙头漏水", household=office.household)
    for k, v in kw.items():
        setattr(draft, k, v)
    return work_order_create(
        community=office.community, by=office.receptionist, now=clock.now(), draft=draft
    )


def act(order: WorkOrder, action: str, by, clock: FixedClock, **kw) -> WorkOrder:
    order.refresh_from_db()
    return work_order_transition(
        order_id=order.pk, action=action, by=by, now=clock.now(), version=order.version, **kw
    )


def on_duty(team, user, clock: FixedClock) -> None:
    DutyShift.objects.create(
        team=team,
        user=user,
        starts_at=clock.now() - timedelta(hours=2),
        ends_at=clock.now() + timedelta(hours=6),
    )


def told(kind: str) -> dict[int, dict]:
    """recipient id → payload of the in-app notifications of ``kind``."""
    return {
        n.recipient_id: n.payload for n in Notification.objects.filter(kind=kind, channel="in_app")
    }


def test_ds1_a_repair_goes_straight_to_its_teams_pool_and_the_team_is_told(office, clock) -> None:
    on_duty(office.repair, office.repair_member, clock)
    order = create(office, clock)
    assert (order.state, order.team, order.assignee) == ("dispatched", office.repair, None)
    run_telling(clock)
    tell = told("order_routed")
    assert set(tell) == {office.repair_leader.pk, office.repair_member.pk}
    # Team staff open the phone job page; nobody else of the office is bothered.
    assert tell[office.repair_member.pk]["url"] == f"/desk/jobs/{order.pk}/"
    assert order.clocks.filter(rule_id="DS-1-take", state="running").exists()


def test_ds1_a_community_can_keep_the_office_dispatch(office, clock) -> None:
    office.community.policy = {"dispatch": {"direct": []}}
    office.community.save()
    order = create(office, clock)
    assert (order.state, order.team, order.assignee) == ("new", office.repair, None)
    run_telling(clock)
    assert not told("order_routed")


def test_ds1_take_escalates_to_the_leader_when_nobody_takes_it_within_30_minutes(
    office, clock
) -> None:
    order = create(office, clock)
    clock.advance(minutes=30)
    clocks_sweep(now=clock.now())
    assert Clock.objects.get(order=order, rule_id="DS-1-take").state == "running"
    clock.advance(seconds=1)
    clocks_sweep(now=clock.now())
    assert Clock.objects.get(order=order, rule_id="DS-1-take").state == "breached"
    assert set(told("clock_escalation")) == {office.repair_leader.pk}


def test_ds1_claim_takes_a_pool_order_and_meets_the_take_clock(office, clock) -> None:
    order = create(office, clock)
    clock.advance(minutes=5)
    order = act(order, "claim", office.repair_member, clock)
    assert (order.state, order.assignee) == ("accepted", office.repair_member)
    assert Clock.objects.get(order=order, rule_id="DS-1-take").state == "met"
    assert Clock.objects.get(order=order, rule_id="FD-6").state == "met"


def test_ds1_a_pool_order_is_claimed_not_accepted(office, clock) -> None:
    order = create(office, clock)
    with pytest.raises(Conflict) as refused:
        act(order, "accept", office.repair_member, clock)
    assert refused.value.code == "in_pool"
    order.refresh_from_db()
    assert (order.state, order.assignee, order.version) == ("dispatched", None, 1)


def test_ds1_the_loser_of_a_claim_is_told_who_won_and_nothing_is_written(office, clock) -> None:
    second = f.UserFactory(username="a-repair-2", roles=[(office.community, "team_member")])
    office.repair.members.add(second)
    order = create(office, clock)
    act(order, "claim", office.repair_member, clock)
    with pytest.raises(Conflict) as lost:
        work_order_transition(
            order_id=order.pk, action="claim", by=second, now=clock.now(), version=1
        )
    assert lost.value.code == "taken"
    assert office.repair_member.name in lost.value.message
    order.refresh_from_db()
    assert (order.assignee, order.version, order.events.count()) == (office.repair_member, 2, 2)


@pytest.mark.django_db(transaction=True)
def test_ds1_two_phones_claim_at_once_one_wins(company, clock) -> None:
    """Two technicians tap 抢单 on the same order at the same moment, on two connections."""
    from tests.conftest import make_office

    office = make_office(f.CommunityFactory(company=company, name="并发苑", code="bf"), "c")
    second = f.UserFactory(username="c-repair-2", roles=[(office.community, "team_member")])
    office.repair.members.add(second)
    order = create(office, clock)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}
    messages: dict[str, str] = {}

    def tap(user) -> None:
        try:
            barrier.wait()
            work_order_transition(
                order_id=order.pk, action="claim", by=user, now=clock.now(), version=1
            )
            results[user.username] = "won"
        except Conflict as exc:
            results[user.username] = exc.code
            messages[user.username] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap, args=(u,)) for u in (office.repair_member, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["taken", "won"], results
    order.refresh_from_db()
    winner = office.repair_member if results[office.repair_member.username] == "won" else second
    assert (order.state, order.assignee, order.version) == ("accepted", winner, 2)
    assert order.events.filter(action="claim").count() == 1
    # The loser is told who took it (on PostgreSQL the loser's read waited for the winner's lock).
    assert [winner.name in m for m in messages.values()] == [True]
    assert connection.vendor in ("sqlite", "postgresql")


def test_cp1_a_new_complaint_tells_the_administrator_on_duty(office, clock) -> None:
    on_duty(office.service, office.administrator, clock)
    order = create(office, clock, kind="complaint")
    run_telling(clock)
    tell = told("complaint_created")
    assert set(tell) == {office.administrator.pk}
    assert tell[office.administrator.pk]["url"] == f"/desk/orders/{order.pk}/"


def test_cp1_with_no_administrator_on_duty_the_head_is_told(office, clock) -> None:
    create(office, clock, kind="complaint")
    run_telling(clock)
    assert set(told("complaint_created")) == {office.head.pk}


def test_cp1_a_deactivated_head_is_never_told(office, clock) -> None:
    office.head.is_active = False
    office.head.save()
    create(office, clock, kind="complaint", complaint_type="written")
    run_telling(clock)
    assert not told("complaint_created")
    assert not told("complaint_to_head")


def test_cp1_the_administrator_takes_a_complaint_in_one_step(office, clock) -> None:
    order = create(office, clock, kind="complaint")
    clock.advance(minutes=4)
    order = act(order, "take", office.administrator, clock)
    assert (order.state, order.assignee, order.team) == (
        "accepted",
        office.administrator,
        office.service,
    )
    cp1 = Clock.objects.get(order=order, rule_id="CP-1")
    assert (cp1.state, cp1.met_at) == ("met", clock.now())


def test_take_is_for_complaints_only(office, clock) -> None:
    office.community.policy = {"dispatch": {"direct": []}}
    office.community.save()
    order = create(office, clock)
    with pytest.raises(Forbidden):
        act(order, "take", office.administrator, clock)
    order.refresh_from_db()
    assert (order.state, order.version) == ("new", 1)


def test_cp4_a_complaint_marked_important_later_goes_to_the_head(office, clock) -> None:
    order = create(office, clock, kind="complaint")
    run_telling(clock)
    assert office.head.pk not in told("complaint_to_head")
    act(order, "flag", office.administrator, clock, flags={"is_important": True})
    run_telling(clock)
    assert set(told("complaint_to_head")) == {office.head.pk}


def test_dispatch_to_a_person_tells_them_and_transfer_needs_a_reason(office, clock) -> None:
    second = f.UserFactory(username="a-repair-2", roles=[(office.community, "team_member")])
    office.repair.members.add(second)
    order = create(office, clock)
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    run_telling(clock)
    assert set(told("order_assigned")) == {office.repair_member.pk}
    act(order, "accept", office.repair_member, clock)
    with pytest.raises(ValidationError) as refused:
        act(order, "transfer", office.repair_member, clock, assignee=second)
    assert "note" in refused.value.message_dict
    order = act(order, "transfer", office.repair_member, clock, assignee=second, note="我在外出")
    assert (order.state, order.assignee) == ("dispatched", second)
    run_telling(clock)
    assert second.pk in told("order_assigned")


def test_a_member_cannot_give_on_a_colleagues_order(office, clock) -> None:
    second = f.UserFactory(username="a-repair-2", roles=[(office.community, "team_member")])
    office.repair.members.add(second)
    order = create(office, clock)
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    with pytest.raises(Forbidden):
        act(order, "transfer", second, clock, assignee=second, note="我来")
    with pytest.raises(Forbidden):
        act(order, "return", second, clock, note="不是我的")
    order.refresh_from_db()
    assert (order.assignee, order.version) == (office.repair_member, 2)


def test_return_tells_the_leader_and_restarts_the_take_clock(office, clock) -> None:
    order = create(office, clock)
    act(order, "claim", office.repair_member, clock)
    clock.advance(minutes=10)
    order = act(order, "return", office.repair_member, clock, note="缺少配件")
    assert (order.state, order.assignee) == ("returned", None)
    run_telling(clock)
    tell = told("order_returned")
    assert set(tell) == {office.repair_leader.pk}
    assert order.clocks.filter(rule_id="DS-1-take", state="running").count() == 1


def test_the_leaders_return_of_his_own_pool_goes_to_the_office_who_is_told(office, clock) -> None:
    """退单 by the leader of an order in his own team's pool (nobody has it, or he has it
    himself) gives it back to the office (客服中心), whose leader hears of it; never back into
    his own pool (已退单给 维修班, nobody told)."""
    from propdesk.web.actions import done_message

    for holder in (None, office.repair_leader):
        order = create(office, clock)
        if holder is not None:
            act(order, "claim", holder, clock)
        order = act(order, "return", office.repair_leader, clock, note="属于公共区域")
        assert (order.state, order.team, order.assignee) == ("returned", office.service, None)
        assert office.repair.name not in done_message("return", order)
    run_telling(clock)
    tell = told("order_returned")
    assert tell and office.repair_leader.pk not in tell


def test_materials_and_fee_are_taken_only_when_a_job_is_completed(office, clock) -> None:
    order = create(office, clock)
    with pytest.raises(ValidationError) as refused:
        act(order, "claim", office.repair_member, clock, materials="阀芯")
    assert "materials" in refused.value.message_dict
    act(order, "claim", office.repair_member, clock)
    order = act(
        order,
        "resolve",
        office.repair_member,
        clock,
        note="更换阀芯",
        materials="阀芯 1 个",
        fee=Decimal("45.00"),
    )
    assert (order.materials, order.fee_charged) == ("阀芯 1 个", Decimal("45.00"))


def test_fd4_an_agitated_visitor_reaches_the_head_with_a_link_to_the_contact(office, clock):
    from propdesk.desk.services import ContactInput, contact_log

    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="visit",
            caller_name="王先生",
            household=office.household,
            intent="complaint",
            content="楼上漏水三次没人管",
            outcome="resolved",
            resolution="主任当面处理",
            owner_agitated=True,
        ),
    )
    run_telling(clock)
    tell = told("agitated_visitor")
    assert set(tell) == {office.head.pk}
    assert tell[office.head.pk]["url"] == f"/desk/contacts/{contact.pk}/"


def test_ds1_the_office_cannot_accept_an_order_nobody_has(office, clock) -> None:
    order = create(office, clock)
    with pytest.raises(Conflict) as refused:
        act(order, "accept", office.receptionist, clock)
    assert refused.value.code == "in_pool"
    order.refresh_from_db()
    assert (order.state, order.assignee, order.version) == ("dispatched", None, 1)
    assert order.clocks.get(rule_id="DS-1-take").state == "running"


def test_ds1_take_keeps_running_when_the_office_sends_a_returned_order_back_to_the_pool(
    office, clock
) -> None:
    order = create(office, clock)
    act(order, "claim", office.repair_member, clock)
    act(order, "return", office.repair_member, clock, note="缺配件")
    clock.advance(minutes=5)
    act(order, "dispatch", office.receptionist, clock)
    take = order.clocks.filter(rule_id="DS-1-take").order_by("id")
    assert [c.state for c in take] == ["met", "running"]
    clock.advance(minutes=26)
    clocks_sweep(now=clock.now())
    assert take.last().state == "breached"  # 30 minutes after it was given back, still in the pool
