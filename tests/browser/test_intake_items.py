"""The intake's 服务项目 follows its 诉求类别 (DS-2): with 报修 chosen only the repair items can
be picked, with 家政服务 only the housekeeping ones; changing the kind clears an item of the old
kind. Before, every item was offered whatever the kind, and an item of the other kind (the list
starts with the housekeeping ones) was refused only on submit."""

from __future__ import annotations

import pytest

from propdesk.desk.models import WorkOrder
from tests import factories as f
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFERED = (
    "[...document.querySelectorAll('#id_service_item option')]"
    ".filter(o => o.value && !o.disabled).map(o => o.text)"
)


def test_ds2_the_service_items_offered_are_those_of_the_kind_chosen(
    page, live_server, clock
) -> None:  # type: ignore[no-untyped-def]
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    company = office.community.company
    f.ServiceItemFactory(
        company=company,
        code="JZ-003",
        name="日常家庭保洁",
        kind="housekeeping",
        team_kind="cleaning",
    )
    f.ServiceItemFactory(company=company, code="WX-002", name="疏通下水道")
    sign_in(page, live_server, office.receptionist, f"/desk/{office.community.pk}/intake/")
    kb = page.keyboard
    page.focus("#id_caller_phone")
    kb.type("13812345678")
    kb.press("Alt+3")  # 家政服务
    assert page.evaluate(OFFERED) == ["JZ-003 日常家庭保洁"]
    page.select_option("#id_service_item", label="JZ-003 日常家庭保洁")
    kb.press("Alt+1")  # 报修 after all: the housekeeping item goes, only repairs are offered
    assert page.evaluate(OFFERED) == ["WX-002 疏通下水道"]
    assert page.input_value("#id_service_item") == ""
    page.focus("#id_service_item")
    kb.type("WX")  # the code typed on the list, as the receptionist does
    kb.press("Alt+c")
    kb.type("厨房下水道堵了")
    kb.press("Alt+w")
    kb.press("Control+Enter")
    page.locator(".messages .success").wait_for(timeout=10000)
    order = WorkOrder.objects.get()
    assert (order.kind, order.service_item.code) == ("repair", "WX-002")
