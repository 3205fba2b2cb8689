"""Issue 13 in Chromium at 360 px: a resident signs in to the portal with the code the console SMS
backend received, sees their household, signs out; a number not on the register gets the same
page (no SMS), which tells a resident whose code does not come to contact the office."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.portal.helpers import last_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
OWNER = "13812345678"  # 张伟, owner of 3-2-1502 (tests/conftest.py make_office)


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def test_a_resident_signs_in_with_the_sms_code_sees_the_household_and_signs_out(
    phone_page, live_server, office, clock
) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/portal/")
    page.wait_for_url("**/portal/login/**")
    page.fill("#id_phone", "138 1234 5678")
    page.get_by_role("button", name="获取验证码").click()
    page.locator("#id_code").wait_for(timeout=10000)
    assert "如该号码已在物业登记，验证码已发送至 138****5678" in page.inner_text("main")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "portal-login-code-phone.png"), full_page=True)
    page.fill("#id_code", last_code(OWNER))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/portal/", timeout=10000)
    main = page.inner_text("main")
    assert "锦绣花园" in main and "3-2-1502" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    nav = page.locator("nav.tabs a")
    assert nav.all_inner_texts() == ["首页", "报事", "我的工单", "公告", "我的"]
    assert nav.first.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "portal-home-phone.png"), full_page=True)
    nav.last.click()
    page.wait_for_url("**/portal/me/")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/portal/login/")
    page.goto(f"{live_server.url}/portal/")
    page.wait_for_url("**/portal/login/**")
    assert page.locator("#id_phone").is_visible()


def test_a_number_not_on_the_register_gets_the_same_page_as_one_on_it(
    phone_page, live_server, office, clock
) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/portal/login/")
    page.fill("#id_phone", "13700001111")
    page.get_by_role("button", name="获取验证码").click()
    page.locator("#id_code").wait_for(timeout=10000)
    assert (
        "如该号码已在物业登记，验证码已发送至 137****1111；如未收到，请联系物业管理处。"
        in page.inner_text("main")
    )
    assert page.locator("p.error").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SCREENSHOTS / "portal-login-unknown-phone.png"), full_page=True)
