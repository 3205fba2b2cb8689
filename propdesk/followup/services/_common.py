"""What the follow-up services share: role checks, the community's policy, the month quota."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from propdesk.clocks.models import Clock
from propdesk.clocks.services import clocks_on_event, policy_for
from propdesk.community.access import require_roles, user_roles
from propdesk.community.models import Community, User
from propdesk.policy.rules import Policy
from propdesk.policy.workflow import OFFICE_ROLES, Role

# RV-3: general-service visits by administrators, receptionists or team leaders.
VISIT_ROLES = OFFICE_ROLES | {Role.TEAM_LEADER}
# Common issues, notices and home visits are the office's work.
ISSUE_ROLES = frozenset({Role.ADMINISTRATOR, Role.OFFICE_HEAD})


def require_role(user: User, community_id: int, allowed: Collection[Role]) -> frozenset[Role]:
    require_roles(user, community_id, allowed, _("Your role in this community may not do this."))
    return user_roles(user, community_id)


def policy_of(community: Community) -> Policy:
    return policy_for(community)[0]


def month_start(community: Community, at: datetime) -> datetime:
    """The first instant of ``at``'s month in the community's time zone."""
    local = at.astimezone(ZoneInfo(community.time_zone))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def monthly_quota_ensure(*, community: Community, now: datetime) -> bool:
    """Start this month's RV-1 quota clock if it has not started (the ``month_start`` event at
    the first instant of the community-local month); the previous month's clock is closed then.
    Returns whether the event was sent. Call inside a transaction."""
    start = month_start(community, now)
    exists = Clock.objects.filter(
        community=community,
        order__isnull=True,
        contact__isnull=True,
        rule_id="RV-1",
        started_at__gte=start,
    ).exists()
    if exists:
        return False
    clocks_on_event(community=community, event="month_start", at=start)
    return True
