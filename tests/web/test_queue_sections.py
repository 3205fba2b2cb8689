"""Issue 15: each section of 我的待办 shows its first rows with the true count of its orders and
查看全部, a page of its own that pages 100 at a time with the board's pager (and is kept by the
live refresh); a team member's jobs come a page at a time with the count of all. Every page is
scoped like the queue: a section not in the user's queue is refused, another community's is not
found, a team member sees only their own jobs."""

from __future__ import annotations

import re

from django.urls import reverse

from propdesk.desk.queues import (
    PAGE_SIZE,
    SECTION_ROWS,
    running_clock_orders,
    running_clock_pages,
)
from tests.web.conftest import act, browser_for


def numbers(html: str) -> list[str]:
    return re.findall(r'data-order="([^"]+)"', html)


def section_of(html: str, key: str) -> str:
    return html.split(f'id="queue-{key}"')[1].split("</section>")[0]


def link(html: str, rel: str) -> str:
    found = re.search(rf'<a class="button" rel="{rel}" href="([^"]+)"', html)
    assert found, f"no {rel} link"
    return found.group(1).replace("&amp;", "&")


def queue_url(office) -> str:
    return reverse("desk-queue", args=[office.community.pk])


def section_url(office, key: str) -> str:
    return reverse("desk-queue-section", args=[office.community.pk, key])


def test_a_section_shows_its_first_rows_its_count_and_a_link_to_all(
    office, clock, open_order
) -> None:
    complaints = []
    for i in range(SECTION_ROWS + 3):
        complaints.append(open_order("complaint", description=f"投诉{i}"))
        clock.advance(minutes=1)
    page = browser_for(office.administrator)
    html = page.get(queue_url(office)).content.decode()
    take = section_of(html, "take")
    assert f"({SECTION_ROWS + 3})" in take  # the count of all, not of the rows shown
    # The oldest first, as many as a section shows.
    assert numbers(take) == [o.number for o in complaints[:SECTION_ROWS]]
    assert f'<a href="{section_url(office, "take")}">查看全部 ›</a>' in take
    # A section with no more than it shows has no link (and an empty one says so).
    assert "查看全部" not in section_of(html, "followups")
    whole = page.get(section_url(office, "take")).content.decode()
    assert numbers(whole) == [o.number for o in complaints]
    assert f"共 {SECTION_ROWS + 3} 单" in whole
    assert 'rel="next"' not in whole  # one page: no pager
    assert "受理" in whole  # the rows keep their one-tap take


def test_a_section_of_more_than_100_counts_them_all_and_pages(office, clock, open_order) -> None:
    complaints = []
    for i in range(PAGE_SIZE + 1):
        complaints.append(open_order("complaint", description=f"投诉{i}"))
        clock.advance(seconds=10)
    page = browser_for(office.head)
    html = page.get(queue_url(office)).content.decode()
    assert f"({PAGE_SIZE + 1})" in section_of(html, "take")  # was (100): the list's length
    url = section_url(office, "take")
    first = page.get(url).content.decode()
    assert numbers(first) == [o.number for o in complaints[:PAGE_SIZE]]
    assert "第 1–100 单，共 101 单" in first and "第 1 页，共 2 页" in first
    nxt = link(first, "next")
    assert nxt == "?page=2"
    second = page.get(url + nxt).content.decode()
    assert numbers(second) == [complaints[-1].number]
    assert link(second, "prev") == "?" and 'rel="next"' not in second
    # The live refresh of page 2 stays on page 2 (the region includes the page number).
    assert 'id="queue-page"' in second and 'value="2"' in second
    refresh = page.get(url + "?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert numbers(refresh) == [complaints[-1].number] and "<html" not in refresh
    for query in ("page=99", "page=abc", "page=0", "page=１", "page=" + "9" * 40):
        r = page.get(f"{url}?{query}")
        assert r.status_code == 200, query
    assert numbers(page.get(f"{url}?page=99").content.decode()) == [complaints[-1].number]


def test_a_running_clock_section_reads_nearest_deadline_first_across_pages(
    office, clock, open_order
) -> None:
    """The weekly calls (FD-5), read from the clocks: page by page the same order as all of
    them by deadline, and the count of all; a closed order is no longer counted."""
    from propdesk.clocks.models import Clock

    legacy = []
    for i in range(7):
        legacy.append(open_order(is_construction_legacy=True, description=f"外墙渗水{i}"))
        clock.advance(hours=1)
    due = {c.order_id: c.due_at for c in Clock.objects.filter(rule_id="FD-5", state="running")}
    expected = sorted((o.pk for o in legacy), key=lambda pk: (due[pk], pk))
    seen: list[int] = []
    for n in (1, 2, 3):
        p = running_clock_orders(
            office.administrator, office.community.pk, ["CP-7", "FD-5"], page=n, limit=3
        )
        assert p.total == 7 and p.pages == 3
        seen += [o.pk for o in p.rows]
    assert seen == expected
    # 我的待办 reads all its clock sections at once: each group counted and paged on its own.
    pages = running_clock_pages(
        office.administrator,
        office.community.pk,
        {"weekly": ["CP-7", "FD-5"], "fd5": ["FD-5"], "followups": ["CP-2"]},
        limit=3,
    )
    assert [o.pk for o in pages["weekly"].rows] == expected[:3] and pages["weekly"].total == 7
    assert [o.pk for o in pages["fd5"].rows] == expected[:3] and pages["fd5"].total == 7
    assert pages["followups"].rows == [] and pages["followups"].total == 0
    act(legacy[0], "cancel", office.head, clock, note="重复登记")
    p = running_clock_orders(office.administrator, office.community.pk, ["CP-7", "FD-5"])
    assert p.total == 6 and legacy[0].pk not in [o.pk for o in p.rows]
    html = browser_for(office.administrator).get(section_url(office, "weekly")).content.decode()
    assert sorted(numbers(html)) == sorted(o.number for o in legacy[1:])


def test_a_section_not_in_the_users_queue_is_refused(office, other_office, clock) -> None:
    receptionist = browser_for(office.receptionist)
    assert receptionist.get(section_url(office, "take")).status_code == 403
    assert receptionist.get(section_url(office, "visits")).status_code == 200
    admin = browser_for(office.administrator)
    assert admin.get(section_url(office, "special")).status_code == 403  # the head's
    assert admin.get(section_url(office, "escalations")).status_code == 403
    assert admin.get(section_url(office, "assign")).status_code == 403  # a team leader's
    assert admin.get(section_url(office, "nonsense")).status_code == 404
    assert admin.get(section_url(other_office, "take")).status_code == 404
    member = browser_for(office.repair_member)
    assert member.get(section_url(office, "take")).status_code == 403
    assert member.get(section_url(office, "assign")).status_code == 403
    assert browser_for(office.head).get(section_url(office, "escalations")).status_code == 200


def test_all_orders_to_assign_are_the_leaders_teams_only(office, clock, open_order) -> None:
    repairs = [open_order(description=f"漏水{i}") for i in range(SECTION_ROWS + 1)]
    cleaning = [open_order("housekeeping", description=f"保洁{i}") for i in range(3)]
    html = browser_for(office.repair_leader).get(section_url(office, "assign")).content.decode()
    assert sorted(numbers(html)) == sorted(o.number for o in repairs)
    assert not set(numbers(html)) & {o.number for o in cleaning}


def test_my_jobs_come_a_page_at_a_time_with_the_count_of_all(office, clock, open_order) -> None:
    mine = []
    for i in range(PAGE_SIZE + 1):
        order = open_order(description=f"漏水{i}")
        mine.append(
            act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
        )
    leaders = open_order(description="不是我的")
    act(leaders, "assign", office.repair_leader, clock, assignee=office.repair_leader)
    page = browser_for(office.repair_member)
    url = reverse("desk-jobs", args=[office.community.pk])
    first = page.get(url).content.decode()
    assert f"({PAGE_SIZE + 1})" in first.split("</h1>")[0]
    assert len(numbers(first)) == PAGE_SIZE
    assert "第 1–100 单，共 101 单" in first
    second = page.get(url + link(first, "next")).content.decode()
    assert sorted(numbers(first) + numbers(second)) == sorted(o.number for o in mine)
    assert leaders.number not in first + second
    assert 'id="jobs-page"' in second
    refresh = page.get(url + "?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert numbers(refresh) == numbers(second) and "<html" not in refresh
    # The member's queue shows the first of them, the count of all and the way to all.
    queue = page.get(queue_url(office)).content.decode()
    jobs = section_of(queue, "jobs")
    assert f"({PAGE_SIZE + 1})" in jobs and len(numbers(jobs)) == SECTION_ROWS
    assert f'<a href="{url}">查看全部 ›</a>' in jobs
