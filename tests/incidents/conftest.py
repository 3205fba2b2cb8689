"""An office with a security team on a day/night roster, and helpers to log and follow an
emergency on the injected clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from propdesk.community.models import DutyShift, Team, User
from propdesk.core.clock import FixedClock
from propdesk.incidents.models import Emergency
from propdesk.incidents.services import emergency_log
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@dataclass
class Duty:
    office: object
    clock: FixedClock
    security: Team
    night_guard: User  # 20:00-08:00, across midnight
    day_guard: User  # 08:00-20:00
    security_leader: User
    boss: User  # company leadership

    def log(self, kind: str = "fire", at: datetime | None = None, **kw: object) -> Emergency:
        if at is not None:
            self.clock.at = at
        kw.setdefault("location", "3栋地下车库")
        return emergency_log(
            community=self.office.community,  # type: ignore[attr-defined]
            by=self.office.receptionist,  # type: ignore[attr-defined]
            now=self.clock.now(),
            kind=kind,
            **kw,  # type: ignore[arg-type]
        )


@pytest.fixture
def duty(office, clock) -> Duty:
    community = office.community
    leader = f.UserFactory(username="a-sec-leader", roles=[(community, "team_leader")])
    night = f.UserFactory(username="a-night-guard", roles=[(community, "team_member")])
    day = f.UserFactory(username="a-day-guard", roles=[(community, "team_member")])
    security = f.TeamFactory(
        community=community, kind="security", name="保安部", leader=leader, member_list=[night, day]
    )
    for d in range(24, 29):  # 24–28 November
        DutyShift.objects.create(
            team=security, user=night, starts_at=sh(2026, 11, d, 20), ends_at=sh(2026, 11, d + 1, 8)
        )
        DutyShift.objects.create(
            team=security, user=day, starts_at=sh(2026, 11, d, 8), ends_at=sh(2026, 11, d, 20)
        )
    boss = f.UserFactory(username="boss", company=community.company, is_leadership=True)
    return Duty(office, clock, security, night, day, leader, boss)


T_NIGHT = sh(2026, 11, 27, 0, 30)  # after midnight, inside the 26th's night shift
__all__ = ["SH", "T_NIGHT", "Duty", "sh", "timedelta"]
