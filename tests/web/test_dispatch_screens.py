"""Live dispatch in the console: every notification's link opens for its recipient; the order's
action bar (the usual next step first, 取消工单 last, only each action's own fields); an
administrator takes, answers and handles a complaint in three steps; a failed action keeps what
was typed with the error beside its field; a member takes an order from the pool on the phone."""

from __future__ import annotations

import re
from datetime import timedelta

from propdesk.clocks.services import clocks_sweep
from propdesk.community.models import DutyShift
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import ContactInput, contact_log
from propdesk.followup.services import VisitDraft, return_visit_record
from propdesk.incidents.services import emergency_log
from propdesk.notify.models import Notification
from tests.notify.helpers import run_telling
from tests.web.conftest import act, browser_for


def _every_kind_of_notification(office, clock, open_order) -> None:
    DutyShift.objects.create(
        team=office.service,
        user=office.administrator,
        starts_at=clock.now() - timedelta(hours=1),
        ends_at=clock.now() + timedelta(hours=8),
    )
    DutyShift.objects.create(
        team=office.repair,
        user=office.repair_member,
        starts_at=clock.now() - timedelta(hours=1),
        ends_at=clock.now() + timedelta(hours=8),
    )
    repair = open_order()  # order_routed: the leader and the member on duty
    act(repair, "assign", office.repair_leader, clock, assignee=office.repair_member)  # assigned
    act(repair, "accept", office.repair_member, clock)
    act(repair, "return", office.repair_member, clock, note="缺配件")  # order_returned
    complaint = open_order("complaint", complaint_type="written")  # created + to the head
    act(complaint, "flag", office.administrator, clock, flags={"is_important": True})
    cancelled = open_order()
    act(cancelled, "claim", office.repair_member, clock)
    act(cancelled, "cancel", office.receptionist, clock, note="业主撤回")  # order_cancelled
    contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="visit",
            intent="complaint",
            content="情绪激动",
            outcome="resolved",
            resolution="主任接待",
            household=office.household,
            owner_agitated=True,
        ),
    )  # agitated_visitor
    # An emergency calls the head and the on-duty staff (emergency; a department with nobody on
    # duty: roster_gap); a dissatisfied owner reaches the head (dissatisfied).
    emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋地下车库",
    )
    done = open_order()
    act(done, "claim", office.repair_member, clock)
    done = act(done, "resolve", office.repair_member, clock, note="已修好")
    return_visit_record(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=VisitDraft(kind="order", order=done, level="dissatisfied", opinion="还在漏"),
    )
    clock.advance(hours=30)
    clocks_sweep(now=clock.now())  # clock warnings and escalations of every kind of owner
    run_telling(clock)  # the worker's tick: the staff hear of the orders and contacts


def test_every_notification_opens_a_page_its_recipient_may_see(office, clock, open_order) -> None:
    _every_kind_of_notification(office, clock, open_order)
    rows = list(Notification.objects.filter(channel="in_app").select_related("recipient"))
    kinds = {n.kind for n in rows}
    assert {
        "order_routed",
        "order_assigned",
        "order_returned",
        "complaint_created",
        "complaint_to_head",
        "order_cancelled",
        "agitated_visitor",
        "clock_escalation",
        "emergency",
        "roster_gap",
        "dissatisfied",
    } <= kinds
    for n in rows:
        page = browser_for(n.recipient)
        opened = page.post("/desk/notifications/", {"id": n.pk})
        assert opened.status_code == 302, (n.kind, n.title)
        landing = page.get(opened["Location"])
        assert landing.status_code == 200, (n.kind, n.recipient.username, opened["Location"])


def test_the_action_bar_puts_the_usual_next_step_first_and_cancel_last(
    office, clock, open_order
) -> None:
    complaint = open_order("complaint")
    html = browser_for(office.administrator).get(f"/desk/orders/{complaint.pk}/").content.decode()
    bar = html[html.index('id="actions"') :]
    names = re.findall(r'id="action-([a-z_]+)"', bar)
    assert names[0] == "take"
    assert names[-1] == "cancel"
    assert "data-confirm" in bar[bar.index('id="action-cancel"') :]
    # 受理 is one tap: no field to fill in.
    take = bar[bar.index('id="action-take"') : bar.index("</form>", bar.index('id="action-take"'))]
    assert "<textarea" not in take and "<select" not in take


def test_cp1_an_administrator_takes_answers_and_handles_a_complaint_in_three_steps(
    office, clock, open_order
) -> None:
    complaint = open_order("complaint")
    page = browser_for(office.administrator)
    url = f"/desk/orders/{complaint.pk}/"
    for action, extra in (
        ("take", {}),
        ("reply", {"channel": "phone", "note": "已联系楼上住户，今晚停止施工"}),
        ("resolve", {"note": "业主认可处理结果"}),
    ):
        complaint.refresh_from_db()
        done = page.post(
            url, {"form": "action", "action": action, "version": complaint.version, **extra}
        )
        assert done.status_code == 302, (action, done.content.decode()[:500])
    complaint.refresh_from_db()
    assert (complaint.state, complaint.assignee) == ("resolved", office.administrator)
    assert [e.action for e in complaint.events.order_by("id")] == [
        "create",
        "take",
        "reply",
        "resolve",
    ]
    # A complaint is handled to the end (办结), never completed (完工).
    html = page.get(url).content.decode()
    assert "办结" in html and "完工" not in html


def test_a_failed_action_keeps_what_was_typed_beside_its_field(office, clock, open_order) -> None:
    order = open_order()
    act(order, "claim", office.repair_member, clock)
    order.refresh_from_db()
    page = browser_for(office.repair_member)
    failed = page.post(
        f"/desk/orders/{order.pk}/",
        {
            "form": "action",
            "action": "resolve",
            "version": order.version,
            "note": "更换阀芯",
            "materials": "阀芯",
            "fee": "四十五",
        },
    )
    assert failed.status_code == 400
    html = failed.content.decode()
    resolve = html[html.index('id="action-resolve"') :]
    assert resolve.startswith('id="action-resolve" open') or " open" in resolve[:80]
    assert "更换阀芯" in resolve and 'value="阀芯"' in resolve and 'value="四十五"' in resolve
    fee = resolve[resolve.index('name="fee"') :]
    assert 'aria-invalid="true"' in fee[:200]
    assert WorkOrder.objects.get(pk=order.pk).state == "accepted"


def test_ds1_a_member_takes_an_order_from_the_pool_on_the_phone(office, clock, open_order) -> None:
    order = open_order()
    page = browser_for(office.repair_member)
    jobs = page.get(f"/desk/{office.community.pk}/jobs/").content.decode()
    assert f'id="pool-{order.pk}"' in jobs
    taken = page.post(
        f"/desk/jobs/{order.pk}/", {"form": "action", "action": "claim", "version": order.version}
    )
    assert taken.status_code == 302
    order.refresh_from_db()
    assert (order.state, order.assignee) == ("accepted", office.repair_member)
    jobs = page.get(f"/desk/{office.community.pk}/jobs/").content.decode()
    assert f'id="pool-{order.pk}"' not in jobs and order.number in jobs


def test_fd4_the_head_opens_the_agitated_visitor_from_the_queue(office, clock) -> None:
    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="visit",
            caller_name="王先生",
            intent="complaint",
            content="楼上漏水三次没人管",
            outcome="resolved",
            resolution="主任当面处理",
            household=office.household,
            owner_agitated=True,
        ),
    )
    head = browser_for(office.head)
    queue = head.get(f"/desk/{office.community.pk}/queue/").content.decode()
    assert f"/desk/contacts/{contact.pk}/" in queue
    page = head.get(f"/desk/contacts/{contact.pk}/")
    assert page.status_code == 200 and "楼上漏水三次没人管" in page.content.decode()
    # A team member may not read the front desk's log.
    assert browser_for(office.repair_member).get(f"/desk/contacts/{contact.pk}/").status_code == 404


def test_cp1_a_complaint_is_taken_from_the_queue_in_one_tap(office, clock, open_order) -> None:
    complaint = open_order("complaint")
    page = browser_for(office.administrator)
    queue_url = f"/desk/{office.community.pk}/queue/"
    queue = page.get(queue_url).content.decode()
    section = queue[
        queue.index('id="queue-take"') : queue.index("</section>", queue.index('id="queue-take"'))
    ]
    assert complaint.number in section and 'value="take"' in section
    taken = page.post(
        f"/desk/orders/{complaint.pk}/",
        {"form": "action", "action": "take", "version": complaint.version, "next": queue_url},
    )
    assert (taken.status_code, taken["Location"]) == (302, queue_url)
    complaint.refresh_from_db()
    assert (complaint.state, complaint.assignee) == ("accepted", office.administrator)
    queue = page.get(queue_url).content.decode()
    section = queue[
        queue.index('id="queue-take"') : queue.index("</section>", queue.index('id="queue-take"'))
    ]
    assert complaint.number not in section


def test_fd4_an_order_of_an_agitated_visitor_is_marked_on_the_board(office, clock) -> None:
    from propdesk.desk.services import WorkOrderDraft

    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="visit",
            intent="complaint",
            content="物业不作为",
            outcome="work_order",
            household=office.household,
            owner_agitated=True,
            work_orders=[WorkOrderDraft(kind="complaint", description="物业不作为")],
        ),
    )
    board = browser_for(office.head).get(f"/desk/{office.community.pk}/board/").content.decode()
    assert f"/desk/contacts/{contact.pk}/" in board


def test_fd4_rings_on_the_heads_screen_as_a_banner_linked_to_the_contact(office, clock) -> None:
    head = browser_for(office.head)
    seen = head.get("/desk/live/").json()
    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="visit",
            caller_name="王先生",
            intent="complaint",
            content="楼上漏水三次没人管",
            outcome="resolved",
            resolution="主任当面处理",
            household=office.household,
            owner_agitated=True,
        ),
    )
    run_telling(clock)
    answer = head.get("/desk/live/", {"c": seen["c"], "n": seen["n"]}).json()
    assert [(a["kind"], a["url"]) for a in answer["alerts"]] == [
        ("agitated_visitor", f"/desk/contacts/{contact.pk}/")
    ]
    # The receptionist who logged it hears nothing: the alert is the head's.
    desk = browser_for(office.receptionist).get("/desk/live/").json()
    assert desk["alerts"] == []


def test_a_handover_line_names_who_did_it_and_to_whom(office, open_order, clock):
    """派单 by the leader to a member: the timeline names the leader who did it and the member who
    received it (派单给成员 · 班长 → 维修工), not only the one who did it."""
    from django.urls import reverse

    from tests.words import visible_text

    order = open_order()
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    page = browser_for(office.head).get(reverse("desk-order", args=[order.pk]))
    text = visible_text(page.content.decode())
    leader = office.repair_leader.name or office.repair_leader.username
    member = office.repair_member.name or office.repair_member.username
    assert f"· {leader} → {member}" in text


def test_a_complaint_given_to_an_administrator_reads_dispatched_not_to_a_member(
    office, open_order, clock
):
    """A complaint has no team and no members: the head handing it on to an administrator
    (assign) reads 已派单 · 主任 → 管理员 on its timeline, not 派单给成员, a team leader's word."""
    from django.urls import reverse

    from tests.words import visible_text

    complaint = open_order("complaint")
    act(complaint, "dispatch", office.receptionist, clock, assignee=office.head)
    act(complaint, "assign", office.head, clock, assignee=office.administrator)
    page = browser_for(office.head).get(reverse("desk-order", args=[complaint.pk]))
    timeline = visible_text(
        page.content.decode().split('<ul class="timeline">')[1].split("</ul>")[0]
    )
    assert "已派单" in timeline
    assert "派单给成员" not in timeline
    # The timeline heading is 处理经过 (the word its own hint asks for), not 时间经过.
    assert "<h2>处理经过</h2>" in page.content.decode()
