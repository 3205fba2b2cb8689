"""An office with a service cart and a concierge team: a day concierge (08:00–20:00) and a night
concierge (20:00–08:00), community-local (Asia/Shanghai), on 2026-11-26 and the night after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from propdesk.community.models import DutyShift, User
from propdesk.concierge.models import CartItem
from tests import factories as f
from tests.conftest import Office

SH = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SH)


@dataclass
class Cart:
    office: Office
    day_concierge: User
    night_concierge: User
    trolley: CartItem
    ladder: CartItem


def make_cart(office: Office, tag: str) -> Cart:
    community = office.community
    day = f.UserFactory(username=f"{tag}-concierge-day", roles=[(community, "concierge")])
    night = f.UserFactory(username=f"{tag}-concierge-night", roles=[(community, "concierge")])
    team = f.TeamFactory(
        community=community, kind="concierge", name="礼宾组", member_list=[day, night]
    )
    DutyShift.objects.create(team=team, user=day, starts_at=local(26, 8), ends_at=local(26, 20))
    DutyShift.objects.create(team=team, user=night, starts_at=local(26, 20), ends_at=local(27, 8))
    trolley = CartItem.objects.create(community=community, name="手推车", stock=2, available=2)
    ladder = CartItem.objects.create(community=community, name="梯子", stock=1, available=1)
    return Cart(office, day, night, trolley, ladder)


@pytest.fixture
def cart(office: Office) -> Cart:
    return make_cart(office, "a")


@pytest.fixture
def other_cart(other_office: Office) -> Cart:
    return make_cart(other_office, "b")
