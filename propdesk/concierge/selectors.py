"""Reads of the convenience services, scoped by community (the caller has checked the user's
access to it through community/access.py) and by what the user's roles see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from propdesk.community.access import user_roles
from propdesk.community.models import Community, Team, TeamKind, User
from propdesk.community.selectors import on_duty
from propdesk.concierge.models import (
    CartItem,
    ConciergeRequest,
    Loan,
    LoanState,
    RequestState,
    ReturnCondition,
)
from propdesk.policy.workflow import OFFICE_ROLES, Role

# --- service cart (CS-1) --------------------------------------------------------------------------


def cart_items(community_id: int, *, active_only: bool = True) -> QuerySet[CartItem]:
    qs = CartItem.objects.filter(community_id=community_id)
    return qs.filter(active=True) if active_only else qs


def loans_open(community_id: int) -> QuerySet[Loan]:
    """The community's loans not yet back (reserved or lent), the nearest due first."""
    return (
        Loan.objects.filter(
            community_id=community_id, state__in=[LoanState.LENT, LoanState.RESERVED]
        )
        .select_related("item", "household")
        .order_by("due_at", "id")
    )


def loans_overdue(community_id: int, now: datetime) -> QuerySet[Loan]:
    """Lent and past their due time at ``now`` (``due_at < now``): the front desk's queue."""
    return loans_open(community_id).filter(state=LoanState.LENT, due_at__lt=now)


@dataclass(frozen=True)
class CartMonth:
    lent: int  # loans handed over in the month
    returned: int  # loans returned in the month
    returned_late: int  # of those, after their due time
    damaged_or_lost: int
    overdue_now: int  # lent, past due, at ``now``


def cart_month_figures(
    community: Community, start: datetime, end: datetime, now: datetime
) -> CartMonth:
    """CS-1's use in a month ``[start, end)`` (the community's local month): one query."""
    row = Loan.objects.filter(community=community).aggregate(
        lent=Count("id", filter=Q(lent_at__gte=start, lent_at__lt=end)),
        returned=Count("id", filter=Q(returned_at__gte=start, returned_at__lt=end)),
        late=Count(
            "id",
            filter=Q(returned_at__gte=start, returned_at__lt=end, returned_at__gt=F("due_at")),
        ),
        broken=Count(
            "id",
            filter=Q(returned_at__gte=start, returned_at__lt=end)
            & ~Q(condition=ReturnCondition.INTACT),
        ),
        overdue=Count("id", filter=Q(state=LoanState.LENT, due_at__lt=now)),
    )
    return CartMonth(
        lent=row["lent"],
        returned=row["returned"],
        returned_late=row["late"],
        damaged_or_lost=row["broken"],
        overdue_now=row["overdue"],
    )


# --- concierge requests (CS-2) --------------------------------------------------------------------


def concierges_on_duty(community_id: int, at: datetime) -> list[int]:
    """Ids of the concierges on duty at ``at`` (a shift of one of the community's concierge
    teams running then, ``starts_at <= at < ends_at``), the earliest shift first."""
    team_ids = list(
        Team.objects.filter(community_id=community_id, kind=TeamKind.CONCIERGE).values_list(
            "id", flat=True
        )
    )
    if not team_ids:
        return []
    return list(dict.fromkeys(uid for _tid, uid in on_duty(community_id, at, team_ids)))


OPEN_REQUEST_STATES = (RequestState.NEW, RequestState.ACCEPTED)


def requests_visible(user: User, community_id: int) -> QuerySet[ConciergeRequest]:
    """The community's requests the user sees: the office all; a concierge those given to them
    and those waiting for anyone; nobody else any."""
    qs = ConciergeRequest.objects.filter(community_id=community_id).select_related(
        "household", "assignee", "logged_by"
    )
    roles = user_roles(user, community_id)
    if roles & (OFFICE_ROLES | {Role.LEADERSHIP}):
        return qs
    if Role.CONCIERGE in roles:
        return qs.filter(Q(assignee=user) | Q(assignee__isnull=True))
    return qs.none()


def requests_open(user: User, community_id: int) -> QuerySet[ConciergeRequest]:
    """Open requests (waiting or accepted), the soonest wanted first."""
    return (
        requests_visible(user, community_id)
        .filter(state__in=OPEN_REQUEST_STATES)
        .order_by("wanted_at", "id")
    )


def requests_recent_done(
    user: User, community_id: int, since: datetime
) -> QuerySet[ConciergeRequest]:
    return (
        requests_visible(user, community_id)
        .filter(state=RequestState.DONE, done_at__gte=since)
        .order_by("-done_at", "-id")
    )


@dataclass(frozen=True)
class ConciergeMonth:
    logged: int  # requests wanted in the month
    done: int
    cancelled: int
    open: int  # still waiting or accepted
    night: int  # wanted between 20:00 and 08:00 (community-local): "at any hour"


def concierge_month_figures(community: Community, start: datetime, end: datetime) -> ConciergeMonth:
    """CS-2 in a month ``[start, end)``: one query; "night" counts by the community's local hour
    in Python over the month's request times (a handful a day)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(community.time_zone)
    rows = list(
        ConciergeRequest.objects.filter(
            community=community, wanted_at__gte=start, wanted_at__lt=end
        ).values_list("state", "wanted_at")
    )
    night = sum(1 for _s, at in rows if not 8 <= at.astimezone(tz).hour < 20)
    return ConciergeMonth(
        logged=len(rows),
        done=sum(1 for s, _a in rows if s == RequestState.DONE),
        cancelled=sum(1 for s, _a in rows if s == RequestState.CANCELLED),
        open=sum(1 for s, _a in rows if s in OPEN_REQUEST_STATES),
        night=night,
    )
