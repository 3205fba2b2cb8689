"""CS-1 and CS-2 in Chromium on the concierge's 360 px phone: a request logged at the front desk
appears on the concierge's screen without a reload; they accept it and mark it done; then they
lend a trolley from the cart to 3-2-1502 and take it back intact."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from propdesk.community.models import DutyShift
from propdesk.concierge.models import (
    CartItem,
    ConciergeRequest,
    Loan,
    LoanState,
    RequestState,
)
from propdesk.concierge.services.requests import concierge_request_create
from propdesk.desk.services.telling import announcements_tell
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS, paste_is_counted
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_concierge_takes_a_request_and_lends_a_trolley_on_a_360px_phone(
    browser, live_server
) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    community, cid = office.community, office.community.pk
    concierge = f.UserFactory(
        username="a-concierge", name="礼宾小王", roles=[(community, "concierge")]
    )
    team = f.TeamFactory(community=community, kind="concierge", name="礼宾组", leader=concierge)
    now = datetime.now(UTC)
    DutyShift.objects.create(
        team=team,
        user=concierge,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    trolley = CartItem.objects.create(community=community, name="手推车", stock=2, available=2)

    # bypass_csp: wait_for_function polls with eval(), which the pages' CSP refuses (conftest).
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 740}, bypass_csp=True
    )
    phone = context.new_page()
    try:
        url = f"/desk/{cid}/concierge/"
        sign_in(phone, live_server, concierge, "/desk/")
        assert phone.url.endswith(url)  # their home, not a 403
        phone.wait_for_function(
            "document.getElementById('notification-bell') !== null", timeout=5000
        )
        phone.evaluate("window.__sameDocument = true")
        assert phone.locator("#nav a", has_text="便民服务车").count() == 1

        # The front desk logs a request: it arrives on the phone without a reload.
        request = concierge_request_create(
            community=community,
            kind="luggage",
            location="北门",
            note="三件行李送至电梯口",
            household=office.household,
            by=office.receptionist,
            now=datetime.now(UTC),
        )
        announcements_tell(now=datetime.now(UTC))  # the worker's desk.tell tick (issue 15)
        started = time.monotonic()
        card = phone.locator(f"#request-{request.pk}")
        card.wait_for(timeout=5000)
        assert time.monotonic() - started < 5
        assert "搬运行李至电梯口" in card.inner_text() and "3-2-1502" in card.inner_text()
        assert phone.evaluate("window.__sameDocument") is True
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        phone.screenshot(path=str(SCREENSHOTS / "concierge-phone.png"), full_page=True)

        card.get_by_role("button", name="接单").click()
        phone.wait_for_selector(".messages .success", timeout=10000)
        phone.locator(f"#request-{request.pk} button", has_text="完成").click()
        phone.wait_for_selector(".messages .success", timeout=10000)
        request.refresh_from_db()
        assert request.state == RequestState.DONE
        assert request.accepted_at is not None and request.done_at is not None
        assert phone.locator(f"#request-{request.pk}").count() == 0
        assert ConciergeRequest.objects.count() == 1

        # The cart: lend a trolley to 3-2-1502, then take it back intact.
        phone.locator("#menu > summary").click()  # on a phone the screens are behind 菜单
        phone.locator("#nav a", has_text="便民服务车").click()
        phone.wait_for_url(f"**/desk/{cid}/cart/")
        phone.fill("input[name=room]", "3-2-1502")
        phone.select_option("select[name=item]", str(trolley.pk))
        phone.fill("input[name=borrower_name]", "张伟")
        phone.fill("input[name=borrower_phone]", "13812345678")
        phone.get_by_role("button", name="借出", exact=True).click()
        phone.wait_for_selector(".messages .success", timeout=10000)
        loan = Loan.objects.get()
        assert (loan.household, loan.state) == (office.household, LoanState.LENT)
        assert phone.locator('[data-item="手推车"] .available').inner_text() == "1"
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        phone.screenshot(path=str(SCREENSHOTS / "cart-phone.png"), full_page=True)

        phone.locator(f"#loan-{loan.pk} summary", has_text="归还").click()
        phone.locator(f"#loan-{loan.pk} button", has_text="办理归还").click()
        phone.wait_for_selector(".messages .success", timeout=10000)
        loan.refresh_from_db()
        assert (loan.state, loan.condition) == (LoanState.RETURNED, "intact")
        assert phone.locator('[data-item="手推车"] .available').inner_text() == "2"
    finally:
        context.close()


def test_cs2_a_long_paste_is_kept_whole_counted_and_refused_in_words(page, live_server) -> None:
    """The front desk pastes a long 需要协助的内容 (the browser cut it at 300 without a word,
    maxlength): kept whole, counted red beside the field, refused with the limit in words after
    the submit, still all there; nothing logged."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    sign_in(page, live_server, office.receptionist, f"/desk/{office.community.pk}/concierge/")
    page.locator("#new-request summary").click()
    page.fill("#new-request input[name=location]", "北门")
    need = ("老人行动不便，需要从北门扶到3栋2单元1502，" * 20)[:350]
    paste_is_counted(page, "#new-request input[name=note]", need, 300)
    page.locator("#new-request button.primary").click()
    page.get_by_text("需要协助的内容最多 300 个字（现有 350 个），请删减。").wait_for(timeout=10000)
    assert page.input_value("#new-request input[name=note]") == need
    assert page.locator("#new-request input[name=note] + .char-count").inner_text() == "350/300"
    assert not ConciergeRequest.objects.exists()


def test_cs1_the_due_time_follows_the_item_chosen_until_the_desk_types_one(
    page, live_server
) -> None:
    """Choosing the umbrella puts its 24 hours in 应还时间, the trolley its 2; once the desk
    has typed a due time, choosing another item leaves it."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    community = office.community
    trolley = CartItem.objects.create(
        community=community, name="手推车", stock=2, available=2, loan_hours=2
    )
    umbrella = CartItem.objects.create(
        community=community, name="雨伞", stock=5, available=5, loan_hours=24
    )
    sign_in(page, live_server, office.receptionist, f"/desk/{community.pk}/cart/")
    due = page.locator("#lend input[name=due_at]")
    proposed = {
        item.pk: page.locator(f"#lend option[value='{item.pk}']").get_attribute("data-due")
        for item in (trolley, umbrella)
    }
    assert proposed[trolley.pk] != proposed[umbrella.pk]
    page.select_option("#lend select[name=item]", str(umbrella.pk))
    assert due.input_value() == proposed[umbrella.pk]
    page.select_option("#lend select[name=item]", str(trolley.pk))
    assert due.input_value() == proposed[trolley.pk]
    due.fill("2030-01-02T09:00")
    page.select_option("#lend select[name=item]", str(umbrella.pk))
    assert due.input_value() == "2030-01-02T09:00"
