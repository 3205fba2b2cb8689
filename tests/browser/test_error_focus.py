"""A form that comes back with an error puts the cursor in the first field in error, not in the
form's first field: the receptionist at the keyboard (a phone on the shoulder) corrects it and
presses Ctrl+Enter again, without reaching for the mouse or tabbing through the form, and what
was typed is still there."""

from __future__ import annotations

import pytest

from propdesk.desk.models import Contact
from tests import factories as f
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def active(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_after_a_refused_intake_the_cursor_is_in_the_field_to_correct(
    page, live_server, clock
) -> None:  # type: ignore[no-untyped-def]
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    sign_in(page, live_server, office.receptionist, f"/desk/{office.community.pk}/intake/")
    kb = page.keyboard
    page.focus("#id_caller_phone")
    kb.type("13812345678")
    kb.press("Alt+2")  # 投诉
    kb.press("Alt+c")
    kb.type("楼上装修噪音太大")
    kb.press("Alt+p")  # 承诺时限, without the promised time nor the reason
    kb.press("Control+Enter")
    page.locator("#intake-form .field-error").first.wait_for(timeout=10000)
    assert active(page) == "id_promised_at"
    assert page.input_value("#id_content") == "楼上装修噪音太大"
    assert page.input_value("#id_caller_phone") == "13812345678"
    assert Contact.objects.count() == 0


def test_after_a_refused_intake_the_checked_choice_in_error_has_the_cursor(
    page, live_server, clock
) -> None:  # type: ignore[no-untyped-def]
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    sign_in(page, live_server, office.receptionist, f"/desk/{office.community.pk}/intake/")
    page.fill("#id_caller_phone", "13812345678")
    page.fill("#id_content", "楼上装修噪音太大")
    page.keyboard.press("Alt+w")
    page.focus("#id_content")
    page.keyboard.press("Control+Enter")  # no 诉求类别 chosen
    page.locator("#intake-form .field-error").first.wait_for(timeout=10000)
    assert active(page) == "id_intent_0"
