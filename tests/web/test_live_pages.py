"""Issue 10, live screens: the queue, my jobs and the board carry the cursor they were read at
(so the page's first poll cannot miss a change made while it was drawn), declare their live
region for htmx (hx-trigger="live:changed from:body"), mark each row with its order id, and
answer the region alone to htmx. Every staff page loads one poller (live.js)."""

from __future__ import annotations

from django.urls import reverse

from propdesk.desk.models import WorkOrderEvent
from tests.web.conftest import act, browser_for


def newest_event(community) -> int:
    return (
        WorkOrderEvent.objects.filter(community=community)
        .order_by("-id")
        .values_list("id", flat=True)[0]
    )


def test_the_queue_jobs_and_board_carry_the_cursor_they_were_read_at(
    office, clock, open_order
) -> None:
    order = act(open_order(), "dispatch", office.receptionist, clock, assignee=office.repair_leader)
    cursor = newest_event(office.community)
    cid = office.community.pk
    for user, name in (
        (office.repair_leader, "desk-queue"),
        (office.repair_leader, "desk-jobs"),
        (office.administrator, "desk-board"),
    ):
        html = browser_for(user).get(reverse(name, args=[cid])).content.decode()
        assert f'data-live-c="{cursor}"' in html, name
        assert 'hx-trigger="live:changed from:body' in html, name
        assert f'data-live-id="{order.pk}"' in html, name
        assert "web/live.js" in html and "emergency-alert.js" not in html


def test_htmx_gets_the_live_region_alone(office, clock, open_order) -> None:
    order = act(open_order(), "dispatch", office.receptionist, clock)
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    waiting = act(open_order(description="楼道灯不亮"), "dispatch", office.receptionist, clock)
    cid = office.community.pk
    htmx = {"HTTP_HX_REQUEST": "true"}
    queue = browser_for(office.repair_leader).get(reverse("desk-queue", args=[cid]), **htmx)
    html = queue.content.decode()
    assert f'data-live-id="{waiting.pk}"' in html and waiting.number in html
    assert "<header" not in html and 'id="queue-live"' not in html and "data-now=" in html
    jobs = browser_for(office.repair_member).get(reverse("desk-jobs", args=[cid]), **htmx)
    html = jobs.content.decode()
    assert f'data-live-id="{order.pk}"' in html and "<header" not in html
    assert 'id="jobs-live"' not in html
    board = browser_for(office.administrator).get(reverse("desk-board", args=[cid]), **htmx)
    assert f'data-live-id="{waiting.pk}"' in board.content.decode()
