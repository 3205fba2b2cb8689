"""Issue 13, report and follow, in Chromium at 360 px: a resident reports a repair with a photo
from their phone; the order is on the staff board; the repair team's leader dispatches it (派单),
the technician accepts, checks in (到场) and completes it (完工) in the console; the resident sees
each step on the order's timeline; another household's order is "not found"."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings

from propdesk.desk.models import WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create
from propdesk.notify.models import ResidentMessage
from propdesk.portal.access import SESSION_KEY
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_console import sign_in
from tests.conftest import make_office
from tests.images import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_SCREEN = {"width": 360, "height": 740}
PHONE = "13812345678"  # 张伟 of 3-2-1502 (make_office)


def resident_page(browser, live_server, phone: str):
    """A phone's browser with a resident's session (the cookie a verified SMS code leaves;
    portal-auth's sign-in is tested on its own)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = phone
    store.save()
    context = browser.new_context(locale="zh-CN", viewport=PHONE_SCREEN, is_mobile=True)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": store.session_key, "url": live_server.url}]
    )
    return context, context.new_page()


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width


def act(page, live_server, order: WorkOrder, action: str, **fields: str) -> None:
    """Take ``action`` from the order page's action bar, filling its fields."""
    page.goto(f"{live_server.url}/desk/orders/{order.pk}/")
    box = page.locator(f"#action-{action}")
    if box.evaluate("el => el.tagName") == "DETAILS":
        box.locator("summary").click()
    for name, value in fields.items():
        field = box.locator(f"[name={name}]")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        box.locator("button").last.click()


def timeline(page) -> list[str]:
    return [t.strip() for t in page.locator("#timeline li").all_inner_texts()]


def test_a_resident_reports_with_a_photo_and_follows_it_through_dispatch_arrival_and_completion(
    browser, page, live_server, clock
) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    office.repair_member.name = "李师傅"
    office.repair_member.save()
    neighbour = f.HouseholdFactory(
        unit=office.household.unit, community=office.community, room="1503", code="3-2-1503"
    )
    theirs = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="邻居家的工单", household=neighbour),
    )
    context, phone = resident_page(browser, live_server, PHONE)

    # The report: a photo that is not an image is refused before anything is uploaded.
    phone.goto(f"{live_server.url}/portal/report/")
    fits(phone)
    photos = phone.locator("#id_photos")
    photos.set_input_files({"name": "a.txt", "mimeType": "text/plain", "buffer": b"hello"})
    phone.locator(".upload-error").wait_for(timeout=5000)
    assert "只能添加照片" in phone.locator(".upload-error").inner_text()
    assert photos.evaluate("el => el.files.length") == 0
    # A refused submit keeps what was typed (no kind chosen).
    phone.fill("#id_description", "卫生间水管漏水，地面有积水")
    # Its length counted beside it as it is typed (web/fields.js, shared with the console).
    assert phone.locator("#id_description + .char-count").inner_text() == "13/2000"
    with phone.expect_navigation():
        phone.locator("button[type=submit]").click()
    assert "请选择报修" in phone.content()
    assert phone.locator("#id_description").input_value() == "卫生间水管漏水，地面有积水"
    # Now with the kind, a time and a photo from the camera.
    phone.check("input[name=kind][value=repair]")
    phone.fill("#id_appointment_at", "2026-11-26T15:30")
    phone.locator("#id_photos").set_input_files(
        {"name": "leak.png", "mimeType": "image/png", "buffer": PNG}
    )
    assert phone.locator(".upload-error").count() == 0
    with phone.expect_navigation():
        phone.locator("button[type=submit]").click()
    order = WorkOrder.objects.exclude(pk=theirs.pk).get()
    assert phone.url.endswith(f"/portal/orders/{order.pk}/")
    assert order.contact.channel == "resident"
    assert order.attachments.count() == 1
    assert timeline(phone)[0].endswith("您在这里提交，已转交维修班")
    assert "待处理" in phone.locator("#order-state").inner_text()
    fits(phone)
    phone.screenshot(path=str(SCREENSHOTS / "portal-order-new-phone.png"), full_page=True)

    # The order is on the staff board.
    sign_in(page, live_server, office.head, f"/desk/{office.community.pk}/board/")
    page.locator("#board").get_by_text(order.number).first.wait_for(timeout=10000)

    # 派单 by the leader, then the technician accepts, checks in and completes.
    sign_in(page, live_server, office.repair_leader, f"/desk/orders/{order.pk}/")
    act(page, live_server, order, "assign", assignee=str(office.repair_member.pk))
    phone.reload()
    assert timeline(phone)[-1].endswith("已派单给 维修工 李师傅")
    assert "维修工 李师傅" in phone.locator("#order-who").inner_text()

    page.context.clear_cookies()
    sign_in(page, live_server, office.repair_member, f"/desk/orders/{order.pk}/")
    act(page, live_server, order, "accept")
    act(page, live_server, order, "check_in")
    phone.reload()
    assert timeline(phone)[-1].endswith("维修工 李师傅 已到场")
    act(page, live_server, order, "resolve", note="更换阀门（内部：业主要求加急）")
    phone.reload()
    lines = timeline(phone)
    assert lines[-1].endswith("已完工")
    assert "内部" not in phone.content()
    assert "已完工" in phone.locator("#order-state").inner_text()
    fits(phone)
    phone.screenshot(path=str(SCREENSHOTS / "portal-order-done-phone.png"), full_page=True)
    assert list(ResidentMessage.objects.order_by("id").values_list("kind", flat=True)) == [
        "dispatched",
        "arrived",
        "completed",
    ]

    # The list shows it; another household's order by id is not found.
    phone.goto(f"{live_server.url}/portal/orders/")
    assert order.number in phone.content()
    assert theirs.number not in phone.content()
    fits(phone)
    response = phone.goto(f"{live_server.url}/portal/orders/{theirs.pk}/")
    assert response is not None and response.status == 404
    context.close()


def test_the_report_and_order_pages_look_like_the_rest_of_the_portal_on_a_phone(
    browser, live_server, clock
) -> None:
    """The report, my orders and an order page are the portal's own pages: its header across
    the screen, its one navigation (the tabs at the bottom), and choices a thumb can tap (each a
    whole 44 px button, not a 44 px circle beside its word)."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    mine = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(
            kind="repair", description="厨房水龙头漏水", household=office.household
        ),
    )
    context, phone = resident_page(browser, live_server, PHONE)
    phone.goto(f"{live_server.url}/portal/")
    home = phone.locator("header.top").bounding_box()
    assert home is not None
    pages = ("/portal/report/", "/portal/orders/", f"/portal/orders/{mine.pk}/")
    for path in (*pages, "/portal/notices/", "/portal/services/"):
        phone.goto(f"{live_server.url}{path}")
        fits(phone)
        header = phone.locator("header.top").bounding_box()
        assert header == home, (path, header, home)  # x 0, the screen's width, one height
        assert phone.locator("nav").count() == 1, path  # the tabs, no second menu on top
    for path in pages:
        phone.goto(f"{live_server.url}{path}")
        assert phone.locator(".tabs a[aria-current]").count() == 1, path
    phone.goto(f"{live_server.url}/portal/report/")
    for choice in phone.locator("label.po-choice").all():
        box = choice.bounding_box()
        radio = choice.locator("input").bounding_box()
        assert box is not None and radio is not None
        assert box["height"] >= 44 and box["width"] >= 44, box
        assert radio["width"] < 30, radio  # the circle is a circle, the label is the button
    phone.check("input[name=kind][value=repair]")
    phone.screenshot(path=str(SCREENSHOTS / "portal-report-phone.png"), full_page=True)
    context.close()
