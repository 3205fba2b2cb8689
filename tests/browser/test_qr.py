"""Scanning a QR sticker on a phone (issue 13, item 3), in Chromium at 360 px: a technician signed
in on their phone opens the lift's sticker URL and sees the lift's open orders, nothing sideways;
someone not signed in lands on the residents' login."""

from __future__ import annotations

import pytest

from propdesk.community.models import Place
from propdesk.community.places import sticker_code
from propdesk.desk.services import WorkOrderDraft, work_order_create
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_technician_scans_the_lift_sticker_and_sees_its_open_orders(
    browser, live_server, clock
) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    lift = Place.objects.create(
        community=office.community,
        building=office.household.unit.building,
        kind="lift",
        name="3栋2单元电梯",
    )
    corridor = Place.objects.create(
        community=office.community, kind="corridor", name="3栋2单元楼道"
    )

    def order(place: Place, text: str):
        return work_order_create(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            draft=WorkOrderDraft(kind="repair", description=text, place=place),
        )

    here = order(lift, "电梯运行时有咔咔声，轿厢晃动明显，请尽快派人检查")
    elsewhere = order(corridor, "楼道灯不亮")
    sticker = f"/q/{sticker_code(lift)}/"
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/desk/login/?next={sticker}")
        page.fill("#id_username", office.repair_member.username)
        page.fill("#id_password", "pw-123456!")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.locator("#place-orders").wait_for()

        assert page.url.endswith(f"/desk/{office.community.pk}/places/{lift.pk}/")
        assert page.locator("#place-name").inner_text() == "3栋2单元电梯"
        cards = page.locator("#place-orders a.card")
        assert cards.count() == 1
        assert cards.first.get_attribute("data-order") == here.number
        assert elsewhere.number not in page.content()
        assert page.locator("#log-here").count() == 0  # a technician does not log orders
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(SCREENSHOTS / "qr-place-phone.png"), full_page=True)

        cards.first.tap()
        page.wait_for_url(f"**/desk/orders/{here.pk}/")
    finally:
        context.close()


def test_someone_not_signed_in_lands_on_the_residents_login(browser, live_server) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    lift = Place.objects.create(community=office.community, kind="lift", name="3栋2单元电梯")
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/q/{sticker_code(lift)}/")
        assert "/portal/login/?next=" in page.url
        assert "%2Fportal%2Freport%2F" in page.url
    finally:
        context.close()
