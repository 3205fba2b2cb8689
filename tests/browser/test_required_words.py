"""No English reaches a person when a required field is left empty (GLOSSARY.md), in an English
Chromium as the QA walk had it: on the order page (工单), the console's service cart and the
resident portal, the browser's own check says 请填写此项 in Chinese, nothing is sent, and what
was typed stays."""

from __future__ import annotations

import pytest

from propdesk.desk.models import WorkOrderEvent
from propdesk.desk.services import WorkOrderDraft, work_order_create
from tests import factories as f
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISSING = "请填写此项。"


@pytest.fixture
def english_page(browser):
    # An English browser (its own bubble would say "Please fill out this field.").
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def message_of(page, selector: str) -> str:
    return page.locator(selector).evaluate("(el) => el.validationMessage")


def test_the_order_pages_required_note_is_asked_for_in_chinese(
    english_page, live_server, clock
) -> None:
    page = english_page
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(
            kind="repair", description="卫生间地漏堵塞", household=office.household
        ),
    )
    sign_in(page, live_server, office.administrator, f"/desk/orders/{order.pk}/")
    page.locator("#action-reply summary").click()
    form = page.locator("#action-reply form")
    form.locator("select[name=channel]").select_option("wechat")
    before = WorkOrderEvent.objects.filter(order=order).count()
    form.locator("button").click()
    page.wait_for_timeout(300)
    note = "#action-reply textarea[name=note]"
    assert message_of(page, note) == MISSING
    assert page.url.endswith(f"/desk/orders/{order.pk}/")  # nothing sent
    assert WorkOrderEvent.objects.filter(order=order).count() == before
    assert form.locator("select[name=channel]").input_value() == "wechat"  # kept
    # Once written, the note is taken: the message does not linger.
    page.fill(note, "已电话告知业主明早上门")
    assert message_of(page, note) == ""


def test_the_console_cart_and_the_portal_ask_in_chinese_too(
    english_page, live_server, clock
) -> None:
    page = english_page
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    sign_in(page, live_server, office.receptionist, f"/desk/{office.community.pk}/cart/")
    page.locator("form:has(input[name=room]) button").first.click()
    page.wait_for_timeout(300)
    assert message_of(page, "input[name=room]") == MISSING
    page.goto(f"{live_server.url}/portal/login/")
    page.locator("form:has(#id_phone) button").click()
    page.wait_for_timeout(300)
    assert message_of(page, "#id_phone") == MISSING
    assert "/portal/login/" in page.url
