"""The live board and the role queues (CP-1, CP-2, CP-7, FD-5): scoped, filtered, bounded in
queries, and the clocks shown as countdowns that turn amber and red."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from propdesk.clocks.models import Clock
from propdesk.clocks.services import clocks_sweep
from propdesk.community.models import DutyShift
from propdesk.desk.models import WorkOrder
from propdesk.incidents.services import emergency_check_in, emergency_log
from propdesk.notify.models import Notification
from tests import factories as f
from tests.web.conftest import act, browser_for


def board_url(office, **q) -> str:
    url = reverse("desk-board", args=[office.community.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in q.items()) if q else "")


def rows(html: str) -> list[str]:
    import re

    return re.findall(r'data-order="([^"]+)"', html)


def test_the_board_shows_open_orders_with_emergencies_on_top(office, clock, open_order) -> None:
    repair = open_order()
    clock.advance(minutes=1)
    complaint = open_order("complaint", description="噪音投诉")
    clock.advance(minutes=1)
    emergency = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋地下车库",
        description="冒烟",
    )
    done = open_order()
    act(done, "cancel", office.receptionist, clock, note="业主撤回")
    html = browser_for(office.administrator).get(board_url(office)).content.decode()
    shown = rows(html)
    assert shown[0] == emergency.order.number
    # Then the nearest deadline: the complaint's CP-1 (10 min) before the repair's same-day clock.
    assert shown[1:] == [complaint.number, repair.number]
    assert done.number not in shown


def test_the_board_filters_by_kind_team_state_building_and_overdue(
    office, clock, open_order
) -> None:
    repair = open_order()
    complaint = open_order("complaint", description="噪音")
    elsewhere = f.HouseholdFactory(
        community=office.community,
        unit=f.UnitFactory(building=f.BuildingFactory(community=office.community, number="9")),
        code="9-1-101",
    )
    far = open_order(household=elsewhere)
    page = browser_for(office.administrator)
    assert rows(page.get(board_url(office, kind="complaint")).content.decode()) == [
        complaint.number
    ]
    by_team = rows(page.get(board_url(office, team=office.repair.pk)).content.decode())
    assert sorted(by_team) == sorted([repair.number, far.number])
    building = office.household.unit.building_id
    assert far.number not in rows(page.get(board_url(office, building=building)).content.decode())
    assert rows(page.get(board_url(office, overdue=1)).content.decode()) == []
    clock.advance(minutes=11)  # CP-1 is past due: the complaint is overdue, even before a sweep
    assert rows(page.get(board_url(office, overdue=1)).content.decode()) == [complaint.number]
    # Repairs wait in the team's pool (dispatched) from the start; a complaint is new.
    assert rows(page.get(board_url(office, state="new")).content.decode()) == [complaint.number]
    dispatched = rows(page.get(board_url(office, state="dispatched")).content.decode())
    assert sorted(dispatched) == sorted([repair.number, far.number])
    act(repair, "claim", office.repair_leader, clock)
    assert rows(page.get(board_url(office, state="accepted")).content.decode()) == [repair.number]


def test_cp1_the_countdown_is_green_then_amber_then_red(office, clock, open_order) -> None:
    order = open_order("complaint", description="噪音")
    page = browser_for(office.administrator)

    def chip() -> tuple[str, str]:
        """The chip's colour and the time it shows before any script runs (as console.js
        then counts it: minutes:seconds, 超时 once due)."""
        import re

        html = page.get(board_url(office), HTTP_HX_REQUEST="true").content.decode()
        found = re.search(
            r'<span class="clock ([a-z]*)"[^>]*data-rule="CP-1"[^>]*>[^<]*<span class="t">([^<]*)<',
            html,
        )
        return found.group(1), found.group(2)

    assert chip() == ("", "10分00秒")  # 10 minutes left
    clock.advance(minutes=8, seconds=1)  # the warning starts 2 minutes before
    assert chip() == ("amber", "1分59秒")
    clock.advance(minutes=2)
    assert chip() == ("red", "超时 0分01秒")
    clocks_sweep(now=clock.now())
    assert Clock.objects.get(order=order, rule_id="CP-1").state == "breached"
    clock.advance(hours=2, minutes=5)
    assert chip() == ("red", "超时 2小时05分")


def test_the_board_reads_in_a_bounded_number_of_queries(
    office, clock, open_order, django_assert_max_num_queries
) -> None:
    for _ in range(3):
        open_order()
    page = browser_for(office.administrator)
    page.get(board_url(office))  # warm the session
    with django_assert_max_num_queries(12) as small:
        page.get(board_url(office), HTTP_HX_REQUEST="true")
    for _ in range(20):
        open_order("complaint", description="噪音")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page.get(board_url(office), HTTP_HX_REQUEST="true")


def test_the_board_of_another_community_is_not_found(office, other_office) -> None:
    assert browser_for(office.administrator).get(board_url(other_office)).status_code == 404
    assert browser_for(office.repair_member).get(board_url(office)).status_code == 403


def test_cp1_the_administrator_takes_a_complaint_from_the_queue(office, clock, open_order) -> None:
    order = open_order("complaint", description="噪音")
    page = browser_for(office.administrator)
    html = page.get(reverse("desk-queue", args=[office.community.pk])).content.decode()
    assert order.number in html.split('id="queue-take"')[1].split("</section>")[0]
    clock.advance(minutes=9, seconds=59)
    r = page.post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "action",
            "action": "dispatch",
            "version": order.version,
            "assignee": office.administrator.pk,
        },
    )
    assert r.status_code == 302
    order.refresh_from_db()
    assert (order.state, order.assignee) == ("dispatched", office.administrator)
    assert Clock.objects.get(order=order, rule_id="CP-1").state == "met"


def test_a_stale_action_is_refused_and_the_note_survives(office, clock, open_order) -> None:
    order = open_order()
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    r = browser_for(office.receptionist).post(
        reverse("desk-order", args=[order.pk]),
        {"form": "action", "action": "cancel", "version": 1, "note": "业主说不用修了"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    # What changed, in the office's words (the leader's 派单给成员), and what was typed kept.
    assert "业主说不用修了" in html and "您打开此工单后它已有变化" in html
    order.refresh_from_db()
    assert order.state == "dispatched"


def test_cp2_cp7_fd5_the_administrator_sees_follow_ups_and_weekly_calls(
    office, clock, open_order
) -> None:
    complaint = open_order("complaint", description="噪音", is_long_running=True)
    legacy = open_order(is_construction_legacy=True, description="外墙渗水")
    act(complaint, "dispatch", office.receptionist, clock, assignee=office.administrator)
    act(complaint, "accept", office.administrator, clock)
    act(complaint, "resolve", office.administrator, clock, note="已协调")
    page = browser_for(office.administrator)
    html = page.get(reverse("desk-queue", args=[office.community.pk])).content.decode()
    section = html.split('id="queue-followups"')[1].split("</section>")[0]
    assert complaint.number in section
    weekly = html.split('id="queue-weekly"')[1].split("</section>")[0]
    assert legacy.number in weekly
    r = page.post(
        reverse("desk-order", args=[legacy.pk]),
        {
            "form": "action",
            "action": "contact_owner",
            "version": legacy.version,
            "channel": "phone",
            "note": "告知业主施工方下周进场",
        },
    )
    assert r.status_code == 302
    fd5 = Clock.objects.filter(order=legacy, rule_id="FD-5").order_by("id")
    assert [c.state for c in fd5] == ["met", "running"]  # the next week's call is due


def test_the_head_sees_escalations_and_special_complaints(office, clock, open_order) -> None:
    written = open_order("complaint", complaint_type="written", description="书面投诉")
    clock.advance(minutes=11)
    clocks_sweep(now=clock.now())
    html = browser_for(office.head).get(reverse("desk-queue", args=[office.community.pk]))
    html = html.content.decode()
    escalations = html.split('id="queue-escalations"')[1].split("</section>")[0]
    assert written.number in escalations
    # The level as the office says it (GLOSSARY.md 升级: 一级 二级 三级), not "L1".
    assert "一级升级" in escalations and "L1" not in escalations
    assert written.number in html.split('id="queue-special"')[1].split("</section>")[0]
    told = Notification.objects.get(
        recipient=office.head, kind="clock_escalation", channel="in_app"
    )
    assert told.title.endswith("已超时（一级升级）"), told.title
    # An administrator's queue has no escalation section (it is the head's).
    admin = browser_for(office.administrator).get(reverse("desk-queue", args=[office.community.pk]))
    assert 'id="queue-escalations"' not in admin.content.decode()


def test_the_team_leader_is_offered_the_least_loaded_member_on_duty(
    office, clock, open_order
) -> None:
    busy = office.repair_member
    free = f.UserFactory(
        username="a-repair-2", name="王师傅", roles=[(office.community, "team_member")]
    )
    off = f.UserFactory(
        username="a-repair-3", name="陈师傅", roles=[(office.community, "team_member")]
    )
    office.repair.members.add(free, off)
    for user in (busy, free):
        DutyShift.objects.create(
            team=office.repair,
            user=user,
            starts_at=clock.now() - timedelta(hours=1),
            ends_at=clock.now() + timedelta(hours=7),
        )
    earlier = open_order()  # straight to the team's pool
    act(earlier, "assign", office.repair_leader, clock, assignee=busy)
    waiting = open_order()  # in the team's pool, nobody has it yet
    page = browser_for(office.repair_leader)
    html = page.get(reverse("desk-queue", args=[office.community.pk])).content.decode()
    team = html.split(f'id="team-{office.repair.pk}"')[1].split("</section>")[0]
    assert waiting.number in team and earlier.number not in team
    import re

    selected = re.search(r'<option value="(\d+)" selected>', team).group(1)
    assert int(selected) == free.pk  # on duty with no open order; 陈师傅 is off duty
    r = page.post(
        reverse("desk-assign", args=[office.community.pk, waiting.pk]),
        {"action": "assign", "version": waiting.version, "assignee": free.pk},
    )
    assert r.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.state, waiting.assignee) == ("dispatched", free)  # free must accept it
    # A member of another team cannot be given the job: it stays in the pool.
    other = open_order()
    page.post(
        reverse("desk-assign", args=[office.community.pk, other.pk]),
        {"action": "assign", "version": other.version, "assignee": office.cleaning_leader.pk},
    )
    other.refresh_from_db()
    assert (other.state, other.version, other.assignee) == ("dispatched", 1, None)


def test_with_nobody_on_duty_to_suggest_the_leader_is_asked_to_choose(
    office, clock, open_order
) -> None:
    """Nobody on duty (or all at a fire): no member is preselected, so 派单 cannot give the
    order to whoever the list happens to start with; a post without a member assigns nobody."""
    off = f.UserFactory(
        username="a-repair-3", name="陈师傅", roles=[(office.community, "team_member")]
    )
    office.repair.members.add(off)  # nobody of the team has a duty shift now
    waiting = open_order()
    page = browser_for(office.repair_leader)
    html = page.get(reverse("desk-queue", args=[office.community.pk])).content.decode()
    team = html.split(f'id="team-{office.repair.pk}"')[1].split("</section>")[0]
    assert '<select name="assignee" aria-label="由谁处理" data-required>' in team
    assert '<option value="" selected disabled>请选择由谁处理</option>' in team
    assert team.count(" selected") == 1  # the question, and no member
    # The order's own page asks the same in its 派单 form.
    order_page = page.get(reverse("desk-order", args=[waiting.pk])).content.decode()
    form = order_page.split('<select name="assignee" data-required')[1].split("</select>")[0]
    assert '<option value="" selected disabled>请选择由谁处理</option>' in form
    assert form.count("selected") == 1
    version = waiting.version
    page.post(
        reverse("desk-assign", args=[office.community.pk, waiting.pk]),
        {"action": "assign", "version": version, "assignee": ""},
    )
    waiting.refresh_from_db()
    assert (waiting.version, waiting.assignee) == (version, None)


def test_a_team_member_cannot_open_another_teams_order(office, clock, open_order) -> None:
    housekeeping = open_order("housekeeping", description="开荒保洁")
    r = browser_for(office.repair_member).get(reverse("desk-order", args=[housekeeping.pk]))
    assert r.status_code == 404
    assert WorkOrder.objects.get(pk=housekeeping.pk).state == "dispatched"


def test_english_is_one_click_away(office) -> None:
    page = browser_for(office.administrator)
    r = page.post(reverse("desk-language"), {"language": "en", "next": "/desk/"})
    assert r.status_code == 302
    html = page.get(reverse("desk-queue", args=[office.community.pk])).content.decode()
    assert "Complaints to take" in html
    page.post(reverse("desk-language"), {"language": "zh-hans", "next": "/desk/"})
    html = page.get(reverse("desk-queue", args=[office.community.pk])).content.decode()
    assert "Complaints to take" not in html


def test_a_breach_met_since_leaves_the_escalation_list_and_never_counts_on(
    office, clock, open_order
) -> None:
    """CP-1, EM-2: a breached clock stays on record (its clock, the monthly report), but once it
    is met (late) or cancelled it is no longer an escalation to act on: the head's list drops it
    instead of counting its overdue time on (a responder who arrived, a complaint taken)."""
    complaint = open_order("complaint", complaint_type="written", description="书面投诉")
    emergency = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋地下车库",
    )
    clock.advance(minutes=11)
    clocks_sweep(now=clock.now())
    responders = list(emergency.responders.select_related("user"))
    assert responders
    em2 = Clock.objects.filter(order=emergency.order, rule_id="EM-2", state="breached")
    assert em2.count() == len(responders)
    url = reverse("desk-queue-section", args=[office.community.pk, "escalations"])

    def listed() -> str:
        return browser_for(office.head).get(url).content.decode()

    before = listed()
    assert complaint.number in before and emergency.order.number in before
    # The complaint is taken, each responder arrives: all late, all met.
    act(complaint, "dispatch", office.head, clock, assignee=office.administrator)
    for r in responders:
        emergency_check_in(emergency_id=emergency.pk, by=r.user, now=clock.now())
    assert not Clock.objects.filter(
        order__in=[complaint, emergency.order], state="breached", met_at__isnull=True
    ).exists()
    clock.advance(minutes=5)
    after = listed()
    assert complaint.number not in after, after
    assert emergency.order.number not in after, after
    # The breaches are still on record.
    assert Clock.objects.filter(order=complaint, rule_id="CP-1", state="breached").exists()
    assert em2.count() == len(responders)


def test_a_clock_met_late_or_cancelled_is_drawn_fixed_not_counting(
    office, clock, open_order
) -> None:
    """CP-1: wherever a settled clock is drawn, it says how it ended (超时完成 and by how much,
    已取消), without a deadline for console.js to count on."""
    from django.template import Context, Template

    complaint = open_order("complaint", description="噪音")
    clock.advance(minutes=12, seconds=5)
    clocks_sweep(now=clock.now())
    act(complaint, "dispatch", office.head, clock, assignee=office.administrator)
    cp1 = Clock.objects.get(order=complaint, rule_id="CP-1")
    other = open_order("complaint", description="噪音")
    act(other, "cancel", office.receptionist, clock, note="业主撤回")
    cancelled = Clock.objects.get(order=other, rule_id="CP-1")
    clock.advance(minutes=30)
    chip = Template("{% load console %}{% clock_chip c now %}")
    met = chip.render(Context({"c": cp1, "now": clock.now()}))
    assert "data-due" not in met and "超时完成 2分05秒" in met, met
    gone = chip.render(Context({"c": cancelled, "now": clock.now()}))
    assert "data-due" not in gone and "已取消" in gone, gone


def test_em2_a_member_called_to_an_open_emergency_is_not_recommended(
    office, clock, open_order
) -> None:
    """EM-2: a member on their way to (or at) an open emergency is not free: the team leader is
    not offered them (✓ · 推荐) for a repair; once the emergency is handled they count again."""
    from propdesk.desk.queues import suggested_assignee, team_desks
    from propdesk.incidents.services import emergency_resolve

    idle = office.repair_member
    DutyShift.objects.create(
        team=office.repair,
        user=idle,
        starts_at=clock.now() - timedelta(hours=1),
        ends_at=clock.now() + timedelta(hours=7),
    )
    other = f.UserFactory(
        username="a-repair-2", name="王师傅", roles=[(office.community, "team_member")]
    )
    office.repair.members.add(other)
    act(open_order(), "assign", office.repair_leader, clock, assignee=other)  # other: 1 order
    fire = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋地下车库",
    )
    assert fire.responders.filter(user=idle).exists()
    # Another member comes on duty after the call (not called to it).
    DutyShift.objects.create(
        team=office.repair,
        user=other,
        starts_at=clock.now(),
        ends_at=clock.now() + timedelta(hours=7),
    )
    waiting = open_order()
    assert suggested_assignee(waiting, clock.now()) == other.pk
    desk = next(
        d
        for d in team_desks(office.repair_leader, office.community.pk, now=clock.now())
        if d.team == office.repair
    )
    assert desk.suggested is not None and desk.suggested.user == other
    emergency_resolve(emergency_id=fire.pk, by=office.head, now=clock.now(), note="已扑灭")
    assert suggested_assignee(waiting, clock.now()) == idle.pk
