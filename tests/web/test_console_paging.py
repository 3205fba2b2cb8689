"""The board and a team leader's queue draw 100 rows at a time (issue 15): the count of all that
match stays on top, the next page is one link away and keeps the filters, the live refresh stays
on the page it is on, and every page is scoped like the first (no other community's orders, no
other team's)."""

from __future__ import annotations

import re

from django.urls import reverse

from propdesk.desk.queues import PAGE_SIZE, SECTION_ROWS
from tests.web.conftest import browser_for


def numbers(html: str) -> list[str]:
    return re.findall(r'data-order="([^"]+)"', html)


def ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr [^>]*data-live-id="(\d+)"', html)]


def board(office, query: str = "") -> str:
    return reverse("desk-board", args=[office.community.pk]) + (f"?{query}" if query else "")


def next_link(html: str) -> str:
    """The href of the page's 下一页 link (HTML-unescaped)."""
    found = re.search(r'<a class="button" rel="next" href="([^"]+)"', html)
    assert found, "no next-page link"
    return found.group(1).replace("&amp;", "&")


def many(open_order, n: int, kind: str = "repair", **kw) -> list:
    return [open_order(kind, description=f"单{i}", **kw) for i in range(n)]


def test_the_board_shows_100_rows_the_count_of_all_and_a_next_page(
    office, clock, open_order
) -> None:
    orders = many(open_order, PAGE_SIZE + 1)
    page = browser_for(office.receptionist)
    first = page.get(board(office)).content.decode()
    shown = numbers(first)
    assert len(shown) == PAGE_SIZE
    assert "未结 101 单" in first  # the count of all that match, not of the page
    range_ = first.split('id="board-range">')[1].split("</span>")[0]
    assert range_ == "第 1–100 单，共 101 单"
    second = page.get(board(office) + next_link(first)).content.decode()
    rest = numbers(second)
    # Every order once, across the two pages; the second page has a way back and none forward.
    assert sorted(shown + rest) == sorted(o.number for o in orders)
    assert len(rest) == 1
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # The live refresh of page 2 stays on page 2 (the rows region includes the page number).
    assert 'id="board-page"' in second and 'value="2"' in second
    refresh = page.get(board(office, "page=2"), HTTP_HX_REQUEST="true").content.decode()
    assert numbers(refresh) == rest and "<html" not in refresh


def test_the_next_page_keeps_the_filters(office, clock, open_order) -> None:
    complaints = many(open_order, PAGE_SIZE + 1, "complaint")
    repairs = many(open_order, 3)
    page = browser_for(office.administrator)
    first = page.get(board(office, "kind=complaint")).content.decode()
    link = next_link(first)
    assert "kind=complaint" in link and "page=2" in link
    second = page.get(board(office) + link, HTTP_HX_REQUEST="true").content.decode()
    both = numbers(first) + numbers(second)
    assert sorted(both) == sorted(o.number for o in complaints)
    assert not {o.number for o in repairs} & set(both)


def test_a_page_past_the_last_or_not_a_number_reads_sensibly(office, clock, open_order) -> None:
    orders = many(open_order, 3)
    page = browser_for(office.administrator)
    for query in ("page=99", "page=abc", "page=0", "page=-1", "page=１", "page=" + "9" * 40):
        r = page.get(board(office, query))
        assert r.status_code == 200, query
        assert sorted(numbers(r.content.decode())) == sorted(o.number for o in orders), query
    assert 'rel="next"' not in page.get(board(office)).content.decode()  # one page: no pager


def test_page_2_of_the_board_never_shows_another_communitys_orders(
    office, other_office, clock, open_order
) -> None:
    """Access (scoped by community): the other community has many more open orders than fit on
    a page; the receptionist's page 2 is still theirs alone, and the count is theirs."""
    from propdesk.desk.services import WorkOrderDraft, work_order_create

    theirs = [
        work_order_create(
            community=other_office.community,
            by=other_office.receptionist,
            now=clock.now(),
            draft=WorkOrderDraft(
                kind="repair", description=f"别处{i}", household=other_office.household
            ),
        ).pk
        for i in range(PAGE_SIZE + 5)
    ]
    ours = many(open_order, PAGE_SIZE + 2)
    page = browser_for(office.receptionist)
    first = page.get(board(office)).content.decode()
    second = page.get(board(office) + next_link(first)).content.decode()
    seen = ids(first) + ids(second)
    assert sorted(seen) == sorted(o.pk for o in ours)
    assert not set(seen) & set(theirs)
    assert page.get(board(other_office, "page=2")).status_code == 404


def test_page_2_of_the_board_is_scoped_to_the_team_leaders_team(office, clock, open_order) -> None:
    """A team leader sees their team's orders only, on every page."""
    repairs = many(open_order, PAGE_SIZE + 1)
    cleaning = many(open_order, 5, "housekeeping")
    page = browser_for(office.repair_leader)
    first = page.get(board(office)).content.decode()
    second = page.get(board(office) + next_link(first)).content.decode()
    seen = numbers(first) + numbers(second)
    assert sorted(seen) == sorted(o.number for o in repairs)
    assert not set(seen) & {o.number for o in cleaning}


def test_the_team_leaders_orders_to_assign_come_100_at_a_time(office, clock, open_order) -> None:
    """我的待办 shows the team's first orders to assign with the count of all and 查看全部; the
    page of all of them (queue/assign/) pages 100 at a time, oldest first."""
    waiting = many(open_order, PAGE_SIZE + 1)  # all in the repair team's pool
    page = browser_for(office.repair_leader)
    url = reverse("desk-queue", args=[office.community.pk])
    html = page.get(url).content.decode()
    team = html.split(f'id="team-{office.repair.pk}"')[1].split("</section>")[0]
    assert f"({PAGE_SIZE + 1})" in team  # the count of all
    assert numbers(team) == [o.number for o in waiting[:SECTION_ROWS]]
    all_url = reverse("desk-queue-section", args=[office.community.pk, "assign"])
    assert f'href="{all_url}#team-{office.repair.pk}">查看全部' in team
    html = page.get(all_url).content.decode()
    team = html.split(f'id="team-{office.repair.pk}"')[1].split("</section>")[0]
    assert f"({PAGE_SIZE + 1})" in team
    # Oldest first: the first page holds the 100 oldest.
    assert numbers(team) == [o.number for o in waiting[:PAGE_SIZE]]
    assert "第 1–100 单，共 101 单" in team
    link = next_link(team)
    assert link == "?page=2"
    html2 = page.get(all_url + link).content.decode()
    team2 = html2.split(f'id="team-{office.repair.pk}"')[1].split("</section>")[0]
    assert numbers(team2) == [waiting[-1].number]
    # The live refresh of that page stays on it.
    assert 'id="queue-page"' in html2
    refresh = page.get(all_url + "?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert waiting[-1].number in refresh and waiting[0].number not in refresh
    assert "<html" not in refresh
    # Assigning from page 2 comes back to page 2.
    order = waiting[-1]
    r = page.post(
        reverse("desk-assign", args=[office.community.pk, order.pk]),
        {
            "action": "assign",
            "version": order.version,
            "assignee": office.repair_member.pk,
            "next": all_url + "?page=2",
        },
    )
    assert r.status_code == 302 and r["Location"] == all_url + "?page=2"
    order.refresh_from_db()
    assert order.assignee_id == office.repair_member.pk


def test_the_board_pages_read_in_the_boards_order_across_page_breaks(
    office, clock, open_order
) -> None:
    """The board reads its page from the clocks (nearest deadline first) and the orders with no
    live deadline after them: page by page it gives the same order as sorting all open orders
    by (emergency first, nearest live unpaused deadline, newest, highest id), ties included."""
    from django.db.models import Min, Q

    from propdesk.clocks.models import Clock
    from propdesk.desk.models import WorkOrder
    from propdesk.desk.queues import BoardFilters
    from propdesk.desk.queues import board as read_board
    from propdesk.incidents.services import emergency_log

    for kind in ["repair", "complaint", "consultation", "repair", "complaint", "suggestion"] * 2:
        open_order(kind, description="单")
        clock.advance(minutes=3)
    emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋地下车库",
        description="冒烟",
    )
    # Three orders due at the same moment (a tie the newest wins) as a fourth.
    some = list(Clock.objects.filter(order__isnull=False, state="running").order_by("id")[:4])
    Clock.objects.filter(pk__in=[c.pk for c in some]).update(due_at=some[-1].due_at)
    live = Q(clocks__state__in=["running", "breached"], clocks__paused_at__isnull=True)
    rows = WorkOrder.objects.filter(
        community=office.community, state__in=["new", "dispatched", "accepted"]
    ).annotate(next_due=Min("clocks__due_at", filter=live))
    far = clock.now().replace(year=9999)
    expected = [
        o.pk
        for o in sorted(
            rows,
            key=lambda o: (
                0 if o.is_emergency else 1,
                o.next_due or far,
                -o.created_at.timestamp(),
                -o.pk,
            ),
        )
    ]
    assert Clock.objects.filter(order__isnull=False).exists()
    assert len(expected) == 13
    dues = [o.next_due for o in rows]
    assert None in dues  # some orders have no live deadline: they come last
    assert len({d for d in dues if d}) < len([d for d in dues if d])  # and some share one
    for size in (1, 3, 5):
        seen: list[int] = []
        page = 1
        while True:
            b = read_board(
                office.administrator,
                office.community.pk,
                now=clock.now(),
                filters=BoardFilters(),
                limit=size,
                page=page,
            )
            seen += [o.pk for o in b.orders]
            if not b.has_next:
                break
            page += 1
        assert seen == expected, size
