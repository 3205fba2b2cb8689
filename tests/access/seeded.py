"""One demo-like company for the access tests: the demo seed (two communities, 锦绣花园 and
滨江苑, staff in every role, company leadership, a superuser, orders in every state, visits),
plus a row of each kind the seed does not make, in both communities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from propdesk.clocks.models import CalendarDay
from propdesk.community.models import Community, User
from propdesk.core.clock import FixedClock, set_clock
from propdesk.demo.seed import seed_demo
from propdesk.desk.models import WorkOrder
from propdesk.followup.models import CommonIssue, HomeVisit, Notice
from propdesk.incidents.models import Emergency, IncidentReport
from propdesk.notify.models import NotificationEndpoint

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai


@dataclass
class Company:
    own: Community  # 锦绣花园: the tests' users work here
    other: Community  # 滨江苑
    superuser: User
    leader: User

    def user(self, username: str) -> User:
        return User.objects.get(username=username)


def seed_company() -> Company:
    """Seed at NOW (the injected clock is left at NOW; call ``set_clock(None)`` after)."""
    set_clock(FixedClock(NOW))
    seed_demo(now=NOW, households_per_community=6, weeks=1)
    own = Community.objects.get(code="jxhy")
    other = Community.objects.get(code="bjy")
    for community in (own, other):
        head = User.objects.get(username=f"{community.code}-head")
        CalendarDay.objects.create(community=community, day=date(2026, 12, 31), is_working=False)
        NotificationEndpoint.objects.create(
            community=community, name="群机器人", kind="wecom", url="https://example.com/hook"
        )
        Notice.objects.create(
            community=community, title="停水通知", body="周六停水", written_by=head, written_at=NOW
        )
        CommonIssue.objects.create(
            community=community, title="电梯异响", opened_by=head, opened_at=NOW
        )
        HomeVisit.objects.create(
            community=community,
            administrator=User.objects.get(username=f"{community.code}-admin1"),
            reason="走访",
            due_at=NOW + timedelta(days=3),
            assigned_by=head,
            assigned_at=NOW,
        )
        order = WorkOrder.objects.filter(community=community).order_by("id").first()
        assert order is not None
        emergency = Emergency.objects.create(
            community=community,
            order=order,
            kind="fire",
            kind_title="火警",
            location="3栋",
            reported_at=NOW,
            reported_by=head,
        )
        IncidentReport.objects.create(emergency=emergency, created_at=NOW, updated_at=NOW)
    return Company(
        own=own,
        other=other,
        superuser=User.objects.get(username="admin"),
        leader=User.objects.get(username="leader"),
    )
