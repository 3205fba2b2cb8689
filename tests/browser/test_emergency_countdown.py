"""EM-2 on the responder's phone, in Chromium: the 5分钟内到场 chip beside 已到场 counts down
between the page's refreshes like the responders' list below it (which htmx redraws every 3 s),
and turns to 超时 (red) at the deadline: console.js stamped every countdown of the page again on
each redraw of the list, so the chip by the button, drawn once, fell back to the time it was
loaded every 3 s."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from propdesk.community.models import DutyShift
from propdesk.incidents.services import emergency_acknowledge, emergency_log
from tests import factories as f
from tests.browser.test_emergency_page import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHIP = '#tap-check-in .clock[data-rule="EM-2"]'


def left(text: str) -> int:
    """Seconds left on a chip's 4分50秒 (negative once 超时)."""
    m = re.search(r"(\d+)分(\d\d)秒", text)
    assert m, text
    s = int(m.group(1)) * 60 + int(m.group(2))
    return -s if "超时" in text else s


def test_em2_the_responders_own_chip_counts_down_and_turns_overdue(
    browser, live_server, clock
) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    community = office.community
    guard = f.UserFactory(username="a-guard", name="王保安", roles=[(community, "team_member")])
    security = f.TeamFactory(
        community=community, kind="security", name="秩序部", member_list=[guard]
    )
    DutyShift.objects.create(
        team=security,
        user=guard,
        starts_at=clock.now() - timedelta(hours=2),
        ends_at=clock.now() + timedelta(hours=10),
    )
    emergency = emergency_log(
        community=community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋地下车库",
    )
    clock.at = clock.now() + timedelta(seconds=10)
    emergency_acknowledge(emergency_id=emergency.pk, by=guard, now=clock.now())
    phone = dict(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    ctx = browser.new_context(locale="zh-CN", bypass_csp=True, **phone)
    try:
        page = ctx.new_page()
        sign_in(page, live_server, guard, f"/desk/emergencies/{emergency.pk}/")
        chip = page.locator(f"{CHIP} .t")
        first = left(chip.inner_text())
        assert 280 <= first <= 290, first
        # Past two redraws of the list (every 3 s): the chip has counted on all the while.
        page.wait_for_timeout(7000)
        later = left(chip.inner_text())
        assert first - later >= 6, (first, later)

        # 3 s before the deadline, then past it: 超时, red, as the list says.
        clock.at = emergency.reported_at + timedelta(minutes=5) - timedelta(seconds=3)
        page.reload()
        page.locator(CHIP).wait_for()
        page.wait_for_timeout(5500)
        text = chip.inner_text()
        assert "超时" in text, text
        assert "red" in (page.locator(CHIP).get_attribute("class") or "")
    finally:
        ctx.close()
