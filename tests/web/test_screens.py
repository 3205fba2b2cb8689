"""Screens an office worker reads (issue 11, part 4): the head's queue puts the urgent first and
folds long sections; no queue lists a closed order; every staff page has the navigation; the
order page says when its deadlines count Monday–Friday (RULES "Clocks": "says so in the UI and
log") and when its owner is dissatisfied (RV-2); the return-visit screen shows what was done
(RV-6); lists sort the same on SQLite and PostgreSQL. Run on both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from propdesk.clocks.models import Clock, ClockLog
from propdesk.clocks.services import clocks_sweep
from propdesk.desk.queues import SECTION_ROWS
from propdesk.desk.services import work_order_attach
from propdesk.followup.models import Recovery
from propdesk.incidents.models import IncidentReport
from propdesk.incidents.services import emergency_check_in, emergency_resolve
from tests import factories as f
from tests.followup.conftest import Loop
from tests.images import PNG
from tests.incidents.conftest import duty, sh
from tests.web.conftest import act, browser_for

__all__ = ["duty"]


def section(html: str, section_id: str) -> str:
    return html.split(f'id="{section_id}"')[1].split("</section>")[0]


def numbers(html: str) -> list[str]:
    return re.findall(r'data-order="([^"]+)"', html)


def queue_url(office) -> str:
    return reverse("desk-queue", args=[office.community.pk])


def overdue_orders(open_order, clock, n: int) -> list:
    """``n`` repairs whose same-day clocks (DS-1, FD-6) breach at the end of the day."""
    orders = [open_order(description=f"漏水{i}") for i in range(n)]
    clock.advance(hours=15)  # 2026-11-27 01:00 in Shanghai: yesterday's same-day clocks are due
    clocks_sweep(now=clock.now())
    return orders


# --- the head's queue ---------------------------------------------------------------------------


def test_cp4_the_heads_queue_puts_important_complaints_and_replies_before_escalations(
    office, clock, open_order
) -> None:
    overdue_orders(open_order, clock, 6)  # twelve breached clocks: a long list of escalations
    important = open_order("complaint", description="物业费争议", is_important=True)
    page = browser_for(office.head)
    html = page.get(queue_url(office)).content.decode()
    at = {key: html.index(f'id="queue-{key}"') for key in ("take", "special", "replies")}
    at["escalations"] = html.index('id="queue-escalations"')
    assert at["take"] < at["special"] < at["replies"] < at["escalations"]
    assert important.number in section(html, "queue-special")
    # The escalations show their first rows under the count of all, and a link to all of them.
    escalations = section(html, "queue-escalations")
    breached = Clock.objects.filter(community=office.community, state="breached").count()
    assert breached > SECTION_ROWS
    assert escalations.count("<tr>") == SECTION_ROWS
    assert f"({breached})" in escalations.split("</h2>")[0]
    all_url = reverse("desk-queue-section", args=[office.community.pk, "escalations"])
    assert f'<a href="{all_url}">查看全部 ›</a>' in escalations
    whole = section(page.get(all_url).content.decode(), "queue-escalations")
    assert whole.count("<tr>") == breached
    assert f"共 {breached} 个时限已超时" in whole


def test_fd6_replies_due_never_list_a_closed_order(office, clock, open_order) -> None:
    still_open, closed = overdue_orders(open_order, clock, 2)
    act(closed, "claim", office.repair_leader, clock)
    act(closed, "resolve", office.repair_leader, clock, note="已修好")
    act(closed, "close", office.administrator, clock)
    # Its same-day reply clock breached before it closed, and stays so in the record.
    assert Clock.objects.filter(order=closed, rule_id="FD-6", state="breached").exists()
    for who in (office.administrator, office.head):
        html = browser_for(who).get(queue_url(office)).content.decode()
        assert numbers(section(html, "queue-replies")) == [still_open.number]
    escalations = section(
        browser_for(office.head).get(queue_url(office)).content.decode(), "queue-escalations"
    )
    assert still_open.number in escalations and closed.number not in escalations


# --- the navigation -----------------------------------------------------------------------------


@pytest.fixture
def incident(duty, office) -> IncidentReport:
    at = sh(2026, 11, 26, 23, 30)
    emergency = duty.log("fire", at=at)
    emergency_check_in(
        emergency_id=emergency.pk, by=duty.night_guard, now=at + timedelta(minutes=2)
    )
    emergency_resolve(
        emergency_id=emergency.pk, by=office.head, now=at + timedelta(minutes=20), note="扑灭"
    )
    return IncidentReport.objects.get(emergency=emergency)


def test_every_staff_page_has_the_navigation(office, clock, open_order, incident) -> None:
    boss = f.UserFactory(
        username="company-boss", company=office.community.company, is_leadership=True
    )
    order = open_order()
    act(order, "claim", office.repair_member, clock)
    cid = office.community.pk
    pages = {
        boss: [
            reverse("desk-report-compare"),
            reverse("desk-incident-list"),
            reverse("desk-incident", args=[incident.emergency_id]),
            reverse("desk-board", args=[cid]),
            reverse("desk-report", args=[cid]),
            reverse("desk-emergency", args=[incident.emergency_id]),
            reverse("desk-notifications"),
        ],
        office.head: [
            reverse("desk-incident-list"),
            reverse("desk-incident", args=[incident.emergency_id]),
            reverse("desk-queue", args=[cid]),
            reverse("desk-order", args=[order.pk]),
            reverse("desk-contact", args=[order.contact_id]) if order.contact_id else None,
            reverse("desk-staff-record", args=[cid, office.repair_member.pk]),
        ],
        office.receptionist: [
            reverse("desk-intake", args=[cid]),
            reverse("desk-visits", args=[cid]),
            reverse("desk-suggestions", args=[cid]),
            reverse("desk-issues", args=[cid]),
            reverse("emergency-new"),
            reverse("desk-notifications"),
        ],
        office.repair_member: [
            reverse("desk-jobs", args=[cid]),
            reverse("desk-job", args=[order.pk]),
            reverse("desk-notifications"),
        ],
    }
    for user, urls in pages.items():
        page = browser_for(user)
        for url in filter(None, urls):
            r = page.get(url)
            assert r.status_code == 200, (user.username, url, r.status_code)
            html = r.content.decode()
            assert '<nav id="nav">' in html, (user.username, url)
            nav = html.split('<nav id="nav">')[1].split("</nav>")[0]
            assert nav.count("<a ") >= 2, (user.username, url)
    # Leadership starts at the comparison and can always get back to it.
    html = browser_for(boss).get(reverse("desk-board", args=[cid])).content.decode()
    assert reverse("desk-report-compare") in html.split('<nav id="nav">')[1].split("</nav>")[0]


# --- the calendar's fallback --------------------------------------------------------------------


def test_working_days_beyond_the_calendars_data_say_so_on_the_order_and_the_board(
    office, clock, open_order
) -> None:
    """CP-4 (2 working days) started on 2026-12-30 ends in 2027, a year the statutory calendar
    has no data for: counted Monday–Friday, said on the order page and tagged on the board."""
    this_year = open_order("complaint", description="去年的投诉", is_important=True)
    clock.at = datetime(2026, 12, 30, 2, 0, tzinfo=UTC)
    next_year = open_order("complaint", description="跨年的投诉", is_important=True)
    assert Clock.objects.get(order=next_year, rule_id="CP-4").due_at.year == 2027
    logged = ClockLog.objects.get(clock__order=next_year, clock__rule_id="CP-4", what="started")
    assert logged.data["calendar_fallback_years"] == [2027]  # the log says so
    page = browser_for(office.administrator)
    html = page.get(reverse("desk-order", args=[next_year.pk])).content.decode()
    notice = html.split('id="calendar-fallback"')[1].split("</div>")[0]
    assert "2027" in notice and "周一至周五" in notice
    assert html.index('id="calendar-fallback"') < html.index('id="actions"')
    html = page.get(reverse("desk-order", args=[this_year.pk])).content.decode()
    assert 'id="calendar-fallback"' not in html
    board = page.get(reverse("desk-board", args=[office.community.pk])).content.decode()
    row = board.split(f'data-order="{next_year.number}"')[1].split("</tr>")[0]
    assert 'class="tag fallback"' in row
    row = board.split(f'data-order="{this_year.number}"')[1].split("</tr>")[0]
    assert 'class="tag fallback"' not in row


# --- the dissatisfied owner ---------------------------------------------------------------------


def close_button(html: str) -> str:
    return html.split('id="action-close"')[1].split("</form>")[0]


def test_rv2_a_dissatisfied_owner_is_said_first_and_close_is_not_the_main_action(
    office, clock
) -> None:
    loop = Loop(office, clock)
    order = loop.resolved("repair", description="卫生间漏水")
    page = browser_for(office.administrator)
    url = reverse("desk-order", args=[order.pk])
    assert "caution" not in close_button(page.get(url).content.decode())  # before any visit
    loop.visit(order=order, level="dissatisfied", opinion="修完第二天又漏水了")
    html = page.get(url).content.decode()
    notice = html.split('id="dissatisfied"')[1].split("</div></div>")[0]
    assert "修完第二天又漏水了" in notice and "不满意" in notice
    assert html.index('id="dissatisfied"') < html.index("<dl")  # first, above the order
    button = close_button(html)
    assert 'class="primary"' not in button and "caution" in button
    assert "data-confirm" in html.split('id="action-close"')[0].rsplit("<form", 1)[1] + button
    # The workflow's rule is unchanged: the office may still close it, after the warning.
    order.refresh_from_db()
    r = page.post(url, {"form": "action", "action": "close", "version": order.version})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.state == "closed"


def test_rv2_once_a_visit_finds_the_owner_satisfied_close_is_the_main_action_again(
    office, clock
) -> None:
    loop = Loop(office, clock)
    order = loop.resolved("repair")
    loop.visit(order=order, level="not_very_satisfied", opinion="还是有异味")
    clock.advance(days=1)
    loop.visit(order=order, level="satisfied", by=office.head)
    assert not Recovery.objects.filter(order=order, state="awaiting").exists()
    html = browser_for(office.administrator).get(reverse("desk-order", args=[order.pk])).content
    html = html.decode()
    assert 'id="dissatisfied"' not in html
    assert "caution" not in close_button(html)


# --- the return-visit screen --------------------------------------------------------------------


def test_rv6_the_return_visit_screen_shows_what_was_done(office, clock, open_order) -> None:
    order = open_order(description="厨房水龙头漏水")
    act(order, "claim", office.repair_leader, clock)
    work_order_attach(
        order_id=order.pk,
        by=office.repair_leader,
        now=clock.now(),
        upload=SimpleUploadedFile("site.png", PNG, content_type="image/png"),
    )
    act(order, "reply", office.repair_leader, clock, note="下午两点上门", channel="phone")
    act(
        order,
        "resolve",
        office.repair_leader,
        clock,
        note="更换阀芯，试水正常",
        materials="阀芯×1",
        fee=Decimal("30"),
    )
    url = reverse("desk-visit-new", args=[office.community.pk]) + f"?order={order.pk}"
    html = browser_for(office.receptionist).get(url).content.decode()
    done = section(html, "work-done")
    for said in ("下午两点上门", "更换阀芯，试水正常", "阀芯×1", "¥30", "完工"):
        assert said in done, said
    photo = order.attachments.get()
    assert f'src="{reverse("file-attachment", args=[photo.pk])}"' in done


# --- the same order on SQLite and PostgreSQL ----------------------------------------------------


def test_lists_put_orders_without_a_live_clock_last_on_every_database(
    office, clock, open_order
) -> None:
    """SQLite sorts NULLs first, PostgreSQL last: an order without a live clock (NULL deadline)
    comes after the overdue ones on the board and in a member's jobs, on both."""
    quiet = open_order(description="无时限的工单")
    act(quiet, "assign", office.repair_leader, clock, assignee=office.repair_member)
    Clock.objects.filter(order=quiet).update(state="met")  # nothing left to count down
    (late,) = overdue_orders(open_order, clock, 1)
    act(late, "assign", office.repair_leader, clock, assignee=office.repair_member)
    board = browser_for(office.administrator).get(reverse("desk-board", args=[office.community.pk]))
    assert numbers(board.content.decode()) == [late.number, quiet.number]
    jobs = browser_for(office.repair_member).get(reverse("desk-jobs", args=[office.community.pk]))
    assert numbers(jobs.content.decode()) == [late.number, quiet.number]


def test_rv6_the_timeline_says_how_the_owner_was_visited_not_that_they_called(
    office, clock
) -> None:
    loop = Loop(office, clock)
    order = loop.resolved("repair", description="厨房水管漏水")
    loop.visit(order=order, level="satisfied", channel="phone")
    html = browser_for(office.administrator).get(reverse("desk-order", args=[order.pk]))
    timeline = html.content.decode().split('class="timeline"')[1].split("</ul>")[0]
    visit_line = next(line for line in timeline.split("<li") if "回访" in line)
    assert "电话回访" in visit_line and "来电" not in visit_line
