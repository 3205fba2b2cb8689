"""The convenience services on the injected clock. The service cart and the concierge team: a
day concierge (08:00–20:00) and a night concierge (20:00–08:00), community-local (Asia/Shanghai),
on 2026-11-26 and the night after. Community activities (CS-3): plan, announce, sign up, hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from propdesk.community.models import DutyShift, User
from propdesk.concierge.models import Activity, CartItem
from propdesk.concierge.services import activities as svc
from tests import factories as f
from tests.conftest import Office
from tests.images import PNG

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


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("notice.png", PNG, content_type="image/png")


class Acts:
    def __init__(self, office, clock) -> None:
        self.office, self.clock = office, clock

    def at(self, when: datetime) -> Acts:
        self.clock.at = when
        return self

    def plan(self, starts_at: datetime, *, capacity: int = 30, by=None, **kw) -> Activity:
        return svc.activity_plan(
            community=self.office.community,
            by=by or self.office.administrator,
            now=self.clock.now(),
            title=kw.pop("title", "中秋游园会"),
            starts_at=starts_at,
            place=kw.pop("place", "中心花园"),
            capacity=capacity,
            description=kw.pop("description", "猜灯谜、做月饼"),
            **kw,
        )

    def announce(self, activity: Activity, by=None) -> Activity:
        return svc.activity_announce(
            activity_id=activity.pk,
            by=by or self.office.administrator,
            now=self.clock.now(),
            photo=photo(),
        )

    def household(self, room: str):
        unit = self.office.household.unit
        return f.HouseholdFactory(
            unit=unit, community=self.office.community, room=room, code=f"3-2-{room}"
        )

    def signup(self, activity: Activity, household=None, by=None):
        return svc.activity_signup(
            activity_id=activity.pk,
            household=household or self.office.household,
            by=by or self.office.receptionist,
            now=self.clock.now(),
        )

    def attend(self, activity: Activity, households=(), by=None) -> Activity:
        return svc.activity_attendance(
            activity_id=activity.pk,
            by=by or self.office.administrator,
            now=self.clock.now(),
            attended_household_ids=[h.pk for h in households],
        )


@pytest.fixture
def acts(office, clock) -> Acts:
    return Acts(office, clock)
