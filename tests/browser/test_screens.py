"""Every screen fits a 360 px phone (issue 11, part 4): the board, the head's queue and the
return-visit screen with no sideways scroll, and every console page of every role, on the demo
office's data, photographed at desktop and phone width into tests/browser/screenshots/ (not
committed) for anyone to look at. One live server and one seed per test; several pages each."""

from __future__ import annotations

from datetime import timedelta

import pytest

from propdesk.community.models import Community, User
from propdesk.demo.seed import DEMO_PASSWORD, seed_demo
from propdesk.desk.models import Contact, WorkOrder
from propdesk.followup.models import Recovery
from propdesk.followup.services import VisitDraft, return_visit_record
from propdesk.incidents.models import Emergency
from propdesk.incidents.services import emergency_log, emergency_resolve
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# What a page's width is, against what the window shows: wider means a sideways scroll.
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"


def demo(clock) -> Community:
    """The demo company of `make run`, small, up to the test's clock, with one emergency handled
    (so the incident report's pages have something to show)."""
    seed_demo(now=clock.now() - timedelta(minutes=5), households_per_community=16, weeks=1)
    community = Community.objects.get(code="jxhy")
    emergency = emergency_log(
        community=community,
        by=User.objects.get(username="jxhy-reception1"),
        now=clock.now() - timedelta(minutes=4),
        kind="fire",
        location="3栋地下车库",
        description="配电箱冒烟",
    )
    emergency_resolve(
        emergency_id=emergency.pk,
        by=User.objects.get(username="jxhy-head"),
        now=clock.now() - timedelta(minutes=1),
        note="切断电源，未起火",
    )
    # An owner dissatisfied with a finished repair: the order says so first (RV-2).
    repair = (
        WorkOrder.objects.filter(community=community, state="resolved", kind="repair")
        .order_by("-id")
        .first()
    )
    if repair is not None and not Recovery.objects.filter(community=community).exists():
        return_visit_record(
            community=community,
            by=User.objects.get(username="jxhy-reception1"),
            now=clock.now(),
            draft=VisitDraft(
                kind="order",
                order=repair,
                outcome="answered",
                level="dissatisfied",
                opinion="修完第二天又漏水了",
            ),
        )
    return community


def signed_in(browser, live_server, username: str, viewport: dict[str, int]):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/desk/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/desk/login/" not in url, timeout=15000)
    return context, page


def open_page(page, live_server, path: str) -> tuple[int, int]:
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("load")
    return tuple(page.evaluate(OVERFLOW))  # type: ignore[return-value]


def test_the_board_the_heads_queue_and_the_return_visit_fit_a_phone(
    browser, live_server, clock
) -> None:
    community = demo(clock)
    cid = community.pk
    resolved = (
        WorkOrder.objects.filter(community=community, state="resolved", kind="repair")
        .order_by("id")
        .first()
    )
    assert resolved is not None
    context, page = signed_in(browser, live_server, "jxhy-head", PHONE)
    try:
        # The board: each order a card, its cells side by side, no column one character wide.
        assert open_page(page, live_server, f"/desk/{cid}/board/") == (360, 360)
        first = page.locator("#board tbody tr").first
        number = first.locator("td.num a")
        assert number.bounding_box()["width"] > 100  # the order number on one line
        assert first.locator("td.desc").bounding_box()["width"] > 250  # the description, full
        page.screenshot(path=str(SCREENSHOTS / "board-phone.png"), full_page=True)
        # The head's queue: the urgent first, long sections folded.
        assert open_page(page, live_server, f"/desk/{cid}/queue/") == (360, 360)
        sections = page.locator("#queue-live section.card").evaluate_all(
            "els => els.map(e => e.id)"
        )
        assert sections.index("queue-take") < sections.index("queue-escalations")
        assert sections.index("queue-special") < sections.index("queue-escalations")
        escalations = page.locator("#queue-escalations")
        if escalations.locator("details.more").count():
            assert escalations.locator("details.more > table tr").first.is_hidden()
        page.screenshot(path=str(SCREENSHOTS / "queue-head-phone.png"), full_page=True)
        # The return call: what was done on the order comes first, readable on the phone.
        path = f"/desk/{cid}/visits/new/?order={resolved.pk}"
        assert open_page(page, live_server, path) == (360, 360)
        done = page.locator("#work-done")
        assert done.is_visible()
        box, form = done.bounding_box(), page.locator("#visit-form").bounding_box()
        assert box["y"] < form["y"]  # read before the questions are asked
        page.screenshot(path=str(SCREENSHOTS / "visit-call-phone.png"), full_page=True)
    finally:
        context.close()


def test_every_screen_is_photographed_and_fits_a_phone(browser, live_server, clock) -> None:
    """Screenshots of every console page of every role at desktop and phone width; at 360 px
    none scrolls sideways."""
    community = demo(clock)
    cid = community.pk
    orders = WorkOrder.objects.filter(community=community)
    complaint = orders.filter(kind="complaint").exclude(state="closed").order_by("id").first()
    resolved = orders.filter(state="resolved").order_by("id").first()
    dissatisfied = Recovery.objects.filter(community=community, state="awaiting").first()
    job = (
        orders.filter(assignee__memberships__role="team_member", kind="repair")
        .order_by("-id")
        .first()
    )
    contact = Contact.objects.filter(community=community).order_by("id").first()
    emergency = Emergency.objects.get(community=community)
    assert complaint and resolved and job and job.assignee and contact
    member = job.assignee
    screens: dict[str, list[tuple[str, str]]] = {
        "jxhy-reception1": [
            ("intake", f"/desk/{cid}/intake/"),
            ("queue-reception", f"/desk/{cid}/queue/"),
            ("visits", f"/desk/{cid}/visits/"),
            ("visit-call", f"/desk/{cid}/visits/new/?order={resolved.pk}"),
            ("contact", f"/desk/contacts/{contact.pk}/"),
            ("emergency-new", "/desk/emergency/"),
            ("notifications", "/desk/notifications/"),
        ],
        "jxhy-admin1": [
            ("queue-administrator", f"/desk/{cid}/queue/"),
            ("board", f"/desk/{cid}/board/"),
            ("order", f"/desk/orders/{complaint.pk}/"),
            ("suggestions", f"/desk/{cid}/suggestions/"),
            ("issues", f"/desk/{cid}/issues/"),
            ("report", f"/desk/{cid}/report/"),
        ],
        "jxhy-head": [
            ("queue-head", f"/desk/{cid}/queue/"),
            ("order-resolved", f"/desk/orders/{resolved.pk}/"),
            ("emergency", f"/desk/emergencies/{emergency.pk}/"),
            ("incidents", "/desk/incidents/"),
            ("incident-report", f"/desk/incidents/{emergency.pk}/"),
            ("staff-record", f"/desk/{cid}/staff/{member.pk}/"),
        ],
        "jxhy-repair-leader": [("queue-team-leader", f"/desk/{cid}/queue/")],
        member.username: [("jobs", f"/desk/{cid}/jobs/"), ("job", f"/desk/jobs/{job.pk}/")],
        "leader": [
            ("compare", "/desk/report/compare/"),
            ("board-leadership", f"/desk/{cid}/board/"),
        ],
    }
    if dissatisfied is not None:  # the demo's, or the one demo() adds
        screens["jxhy-head"].append(
            ("order-dissatisfied", f"/desk/orders/{dissatisfied.order_id}/")
        )
    too_wide: list[str] = []
    for username, pages in screens.items():
        context, page = signed_in(browser, live_server, username, DESKTOP)
        try:
            for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                page.set_viewport_size(viewport)
                for name, path in pages:
                    scroll, window = open_page(page, live_server, path)
                    assert page.locator("#nav").count() == 1, (username, path)  # the navigation
                    shot = SCREENSHOTS / f"all-{name}-{width}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    if width == "phone" and scroll > window:
                        too_wide.append(f"{name} ({path}): {scroll} px")
        finally:
            context.close()
    assert too_wide == [], too_wide
