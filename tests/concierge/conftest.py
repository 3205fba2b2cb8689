"""Community activities (CS-3) on the injected clock: plan, announce, sign up, hold."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from propdesk.concierge.models import Activity
from propdesk.concierge.services import activities as svc
from tests import factories as f
from tests.images import PNG


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
