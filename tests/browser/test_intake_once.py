"""A double click on 登记, or Ctrl+Enter pressed twice, sends the intake form once (the page's
script), and the server would log it once anyway (the form's one-time token, tests/web)."""

from __future__ import annotations

import pytest

from propdesk.desk.models import Contact, WorkOrder
from tests import factories as f
from tests.browser.conftest import paste_is_counted
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_complaint(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("#id_caller_phone", "13812345678")
    page.fill("#id_room", "3-2-1502")
    page.check("input[name=intent][value=complaint]")
    page.fill("#id_content", "楼上装修噪音太大")
    page.check("input[name=outcome][value=work_order]")


def posts_to_intake(page) -> list[str]:  # type: ignore[no-untyped-def]
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(r.url) if r.method == "POST" and "/intake/" in r.url else None,
    )
    return sent


@pytest.mark.parametrize("how", ["double-click", "ctrl-enter-twice"])
def test_the_intake_form_is_sent_once(page, live_server, clock, how: str) -> None:  # type: ignore[no-untyped-def]
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    sign_in(page, live_server, office.receptionist, f"/desk/{office.community.pk}/intake/")
    fill_complaint(page)
    sent = posts_to_intake(page)
    # A slow network: the answer takes a while, as on the office's line.
    page.route("**/intake/", lambda route: (page.wait_for_timeout(600), route.continue_()))
    if how == "double-click":
        button = page.locator("#intake-form button[type=submit]")
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.click(x, y)
        page.wait_for_timeout(35)  # QA's two orders were 35 ms apart
        page.mouse.click(x, y)
    else:
        page.focus("#id_content")
        page.keyboard.press("Control+Enter")
        page.keyboard.press("Control+Enter")
    page.locator(".messages .success").wait_for(timeout=10000)
    assert len(sent) == 1
    assert Contact.objects.count() == WorkOrder.objects.count() == 1


def test_the_button_is_disabled_while_the_form_is_sent(page, live_server, clock) -> None:  # type: ignore[no-untyped-def]
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    sign_in(page, live_server, office.receptionist, f"/desk/{office.community.pk}/intake/")
    fill_complaint(page)
    # What the button was while the answer was on its way, kept over the next page.
    page.evaluate(
        """document.addEventListener("submit", function () {
            setTimeout(function () {
              var b = document.querySelector("#intake-form button[type=submit]");
              var busy = b.form.getAttribute("aria-busy");
              sessionStorage.setItem("while-sent", b.disabled + " " + busy);
            }, 100);
        })"""
    )
    page.route("**/intake/", lambda route: (page.wait_for_timeout(600), route.continue_()))
    page.locator("#intake-form button[type=submit]").click()
    page.locator(".messages .success").wait_for(timeout=10000)
    assert page.evaluate("sessionStorage.getItem('while-sent')") == "true true"
    assert not page.locator("#intake-form button[type=submit]").is_disabled()  # the next form


def test_a_long_paste_is_kept_whole_and_the_counter_says_it_is_over(
    page, live_server, clock
) -> None:  # type: ignore[no-untyped-def]
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    sign_in(page, live_server, office.receptionist, f"/desk/{office.community.pk}/intake/")
    paste_is_counted(page, "#id_content", "漏" * 5000, 4000)
