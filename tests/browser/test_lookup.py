"""FD-2 in Chromium: the receptionist types a room as the owner says it, chooses the household in
the panel (a click, or the arrow keys and Enter), and the form, filled with 房号, 报事人 and 电话,
is logged as it stands."""

from __future__ import annotations

import pytest

from propdesk.desk.models import Contact
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def office_with_building_4():
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx", area_code="0755"), "a")
    building = f.BuildingFactory(community=office.community, number="4")
    for unit, name, phone, ext in [
        ("1", "王建国", "18071303284", ""),
        ("2", "李娜", "075588881234", "801"),
    ]:
        household = f.HouseholdFactory(
            unit=f.UnitFactory(building=building, number=unit),
            community=office.community,
            room="901",
            code=f"4-{unit}-901",
        )
        f.ResidentFactory(household=household, name=name, phone=phone, phone_ext=ext)
    return office


def log_a_consultation(page) -> None:
    page.keyboard.press("Alt+4")  # intent: consultation
    page.keyboard.press("Alt+c")
    page.keyboard.type("问物业费怎么交")
    page.keyboard.press("Alt+r")  # outcome: resolved
    page.fill("#id_resolution", "已告知缴费方式")
    page.keyboard.press("Control+Enter")
    page.locator(".messages .success").wait_for(timeout=10000)


def test_fd2_a_room_typed_as_said_is_chosen_with_a_click_and_logged(
    page, live_server, clock
) -> None:
    office = office_with_building_4()
    sign_in(page, live_server, office.receptionist)
    page.click("#id_room")
    page.keyboard.type("3栋2单元1502")
    match = page.locator("#household-panel .lookup-match").first
    match.wait_for(timeout=5000)
    match.click()
    assert page.input_value("#id_room") == "3-2-1502"
    assert page.input_value("#id_caller_name") == "张伟"
    assert page.input_value("#id_caller_phone") == "13812345678"
    # The panel shows the chosen household with its open orders.
    page.locator("#household-panel h2", has_text="3-2-1502").wait_for(timeout=5000)
    page.screenshot(path=str(SCREENSHOTS / "intake-lookup-desktop.png"), full_page=True)
    log_a_consultation(page)
    contact = Contact.objects.get()
    assert (contact.household, contact.caller_name, contact.caller_phone) == (
        office.household,
        "张伟",
        "13812345678",
    )


def test_fd2_an_ambiguous_room_is_chosen_with_the_keyboard_and_logged(
    page, live_server, clock
) -> None:
    office = office_with_building_4()
    sign_in(page, live_server, office.receptionist)
    page.click("#id_room")
    page.keyboard.type("4-901")  # building 4 has 901 in two units: both are listed
    page.locator("#household-panel .lookup-match").nth(1).wait_for(timeout=5000)
    assert page.locator("#household-panel .lookup-match").count() == 2
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#id_room") == "4-2-901"
    assert page.input_value("#id_caller_name") == "李娜"
    assert page.input_value("#id_caller_phone") == "0755-88881234 转 801"
    page.locator("#household-panel h2", has_text="4-2-901").wait_for(timeout=5000)
    log_a_consultation(page)
    contact = Contact.objects.get()
    assert (contact.household.code, contact.caller_phone, contact.caller_phone_ext) == (
        "4-2-901",
        "075588881234",
        "801",
    )


def test_fd2_a_callers_whole_number_fills_the_room_and_owner_which_staff_may_change(
    page, live_server, clock
) -> None:
    office = office_with_building_4()
    sign_in(page, live_server, office.receptionist)
    page.click("#id_caller_phone")
    page.keyboard.type("18071303284")
    page.locator("#household-panel h2", has_text="4-1-901").wait_for(timeout=5000)
    page.wait_for_function("document.getElementById('id_room').value === '4-1-901'", timeout=5000)
    assert page.input_value("#id_caller_name") == "王建国"
    # The staff corrects the name (his wife is calling); another lookup leaves it theirs.
    page.fill("#id_caller_name", "王太太")
    page.click("#id_caller_phone")
    page.keyboard.press("End")
    page.keyboard.type(" ")
    page.wait_for_timeout(800)
    assert page.input_value("#id_caller_name") == "王太太"
    log_a_consultation(page)
    contact = Contact.objects.get()
    assert (contact.household.code, contact.caller_name) == ("4-1-901", "王太太")


def test_fd2_a_number_several_households_share_fills_nothing_until_one_is_chosen(
    page, live_server, clock
) -> None:
    office = office_with_building_4()
    shared = f.HouseholdFactory(
        unit=f.UnitFactory(building=f.BuildingFactory(community=office.community, number="6")),
        community=office.community,
        room="101",
        code="6-1-101",
    )
    f.ResidentFactory(household=shared, name="王小明", phone="18071303284")
    sign_in(page, live_server, office.receptionist)
    page.click("#id_caller_phone")
    page.keyboard.type("18071303284")
    page.locator("#household-panel .lookup-match").nth(1).wait_for(timeout=5000)
    page.wait_for_timeout(500)
    assert (page.input_value("#id_room"), page.input_value("#id_caller_name")) == ("", "")
    page.locator("#household-panel .lookup-match", has_text="6-1-101").click()
    assert page.input_value("#id_room") == "6-1-101"
    assert page.input_value("#id_caller_name") == "王小明"
