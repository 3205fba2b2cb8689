"""Reads of the community activities (CS-3): scoped fetches, a quarter's activities and the
owners' wishes behind them, sign-ups with places left, and the figures (activities held against
the policy's target, the 满意率 of the feedback). Quarters are calendar quarters in the
community's time zone."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from propdesk.clocks.services import policy_for
from propdesk.community.access import community_ids_visible, user_roles
from propdesk.community.models import Community, User
from propdesk.concierge.models import Activity, ActivitySignup, ActivityState
from propdesk.core.errors import NotFound
from propdesk.followup.models import ReturnVisit, SuggestionItem
from propdesk.policy.deadlines import quarter_of
from propdesk.policy.rules import Policy
from propdesk.policy.workflow import OFFICE_ROLES, Role

# Who sees the activities in the console: the office (the front desk signs households up).
READ_ROLES = OFFICE_ROLES | {Role.LEADERSHIP}
# An activity that still counts for its quarter (planned, on its way or done).
LIVE_STATES = (
    ActivityState.PLANNED,
    ActivityState.ANNOUNCED,
    ActivityState.HELD,
    ActivityState.CLOSED,
)
DONE_STATES = (ActivityState.HELD, ActivityState.CLOSED)
ONE = Decimal("0.1")


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter of a community: ``start`` and ``end`` are aware instants in its zone
    (``end`` is the next quarter's first instant, exclusive)."""

    year: int
    number: int  # 1 to 4
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        return f"{self.year}-{self.number}"

    def previous(self) -> tuple[int, int]:
        return (self.year, self.number - 1) if self.number > 1 else (self.year - 1, 4)

    def next(self) -> tuple[int, int]:
        return (self.year, self.number + 1) if self.number < 4 else (self.year + 1, 1)


def quarter(community: Community, year: int, number: int) -> Quarter:
    """Quarter ``number`` (1-4) of ``year`` in the community's time zone."""
    zone = ZoneInfo(community.time_zone)
    first = date(year, 3 * (number - 1) + 1, 1)
    _first, last = quarter_of(first)
    after = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    return Quarter(
        year,
        number,
        datetime(first.year, first.month, 1, tzinfo=zone),
        datetime(after.year, after.month, 1, tzinfo=zone),
    )


def quarter_at(community: Community, at: datetime) -> Quarter:
    """The quarter ``at`` falls in, community-local."""
    local = at.astimezone(ZoneInfo(community.time_zone)).date()
    return quarter(community, local.year, (local.month - 1) // 3 + 1)


def parse_quarter(community: Community, text: str, default: datetime) -> Quarter:
    """``2026-4`` → that quarter; anything else → the quarter of ``default``."""
    year, _sep, number = (text or "").partition("-")
    if year.isdigit() and number.isdigit() and 2000 <= int(year) <= 2100 and 1 <= int(number) <= 4:
        return quarter(community, int(year), int(number))
    return quarter_at(community, default)


# --- scoping ------------------------------------------------------------------------------------


def access_activity(
    user: User, activity_id: int | str, roles: Collection[Role] = READ_ROLES
) -> Activity:
    """An activity of a community the user may see with one of ``roles`` there; NotFound
    otherwise, hidden or missing alike."""
    qs = Activity.objects.select_related("community", "notice", "planned_by")
    ids = community_ids_visible(user)
    if ids is not None:
        qs = qs.filter(community_id__in=ids)
    try:
        activity = qs.get(pk=int(activity_id))
    except (Activity.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Not found") from exc
    have = user_roles(user, activity.community_id)
    if user.is_leadership:
        have = have | {Role.LEADERSHIP}
    if not have & set(roles):
        raise NotFound("Not found")
    return activity


# --- lists --------------------------------------------------------------------------------------


def activities_of_quarter(community: Community, q: Quarter) -> QuerySet[Activity]:
    """The quarter's activities (by their date), earliest first, each with ``signed_up`` and
    ``came`` counts."""
    return (
        Activity.objects.filter(community=community, starts_at__gte=q.start, starts_at__lt=q.end)
        .annotate(
            signed_up=Count("signups"),
            came=Count("signups", filter=Q(signups__attended=True)),
        )
        .order_by("starts_at", "id")
    )


@dataclass(frozen=True)
class Wish:
    """An owner's wish for an activity: a suggestion tagged 活动 or a return-visit answer."""

    source: str  # "item" | "visit"
    pk: int
    text: str
    household_code: str
    at: datetime


def wishes_for(community: Community, q: Quarter) -> list[Wish]:
    """The wishes a quarter's activity is planned from: recorded from the start of the quarter
    before to the end of this one, newest first (two queries)."""
    py, pn = q.previous()
    since = quarter(community, py, pn).start
    items = (
        SuggestionItem.objects.filter(
            community=community, is_activity_wish=True, created_at__gte=since, created_at__lt=q.end
        )
        .select_related("household")
        .order_by("-created_at", "-id")[:200]
    )
    visits = (
        ReturnVisit.objects.filter(community=community, at__gte=since, at__lt=q.end)
        .exclude(activity_wish="")
        .select_related("household")
        .order_by("-at", "-id")[:200]
    )
    out = [
        Wish("item", i.pk, i.text, i.household.code if i.household else i.area, i.created_at)
        for i in items
    ]
    out += [
        Wish("visit", v.pk, v.activity_wish, v.household.code if v.household else "", v.at)
        for v in visits
    ]
    out.sort(key=lambda w: w.at, reverse=True)
    return out


def signups_of(activity: Activity) -> list[ActivitySignup]:
    return list(
        ActivitySignup.objects.filter(activity=activity)
        .select_related("household", "signed_up_by")
        .order_by("household__code", "id")
    )


def announced_activities(community: Community, now: datetime) -> QuerySet[Activity]:
    """Activities a household can sign up for now (announced, not begun): the resident portal's
    list."""
    return Activity.objects.filter(
        community=community, state=ActivityState.ANNOUNCED, starts_at__gt=now
    ).order_by("starts_at", "id")


# --- figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    """满意率 of an activity (or a quarter's): answers at a satisfied level (policy: 很满意,
    满意, and 基本满意 when it counts) over answers, percent to one place; None without answers."""

    answered: int
    satisfied: int

    @property
    def rate(self) -> Decimal | None:
        if not self.answered:
            return None
        return (Decimal(self.satisfied) * 100 / self.answered).quantize(ONE, ROUND_HALF_UP)


def _satisfaction(community: Community, signups: QuerySet[ActivitySignup]) -> Satisfaction:
    levels = policy_for(community)[0].satisfaction.satisfied_levels
    agg = signups.exclude(level="").aggregate(
        answered=Count("id"), satisfied=Count("id", filter=Q(level__in=levels))
    )
    return Satisfaction(agg["answered"], agg["satisfied"])


def activity_satisfaction(activity: Activity) -> Satisfaction:
    return _satisfaction(activity.community, ActivitySignup.objects.filter(activity=activity))


@dataclass(frozen=True)
class QuarterFigures:
    """CS-3 in one quarter: activities held (held or closed, by their date) against the policy's
    target, those planned or announced still to come, and the 满意率 of their feedback."""

    quarter: Quarter
    target: int
    held: int
    coming: int
    satisfaction: Satisfaction

    @property
    def met(self) -> bool:
        return self.held >= self.target


def quarter_figures(
    community: Community, q: Quarter, policy: Policy | None = None
) -> QuarterFigures:
    """One query (two without ``policy``, the community's effective one)."""
    policy = policy or policy_for(community)[0]
    rule = policy.clocks.get("CS-3")
    target = (rule.target or 1) if rule is not None else 1
    done = Q(state__in=DONE_STATES)
    answered = done & ~Q(signups__level="") & Q(signups__level__isnull=False)
    agg: dict[str, Any] = Activity.objects.filter(
        community=community, starts_at__gte=q.start, starts_at__lt=q.end
    ).aggregate(
        held=Count("id", filter=done, distinct=True),
        coming=Count(
            "id",
            filter=Q(state__in=[ActivityState.PLANNED, ActivityState.ANNOUNCED]),
            distinct=True,
        ),
        answered=Count("signups", filter=answered),
        satisfied=Count(
            "signups", filter=answered & Q(signups__level__in=policy.satisfaction.satisfied_levels)
        ),
    )
    sat = Satisfaction(agg["answered"], agg["satisfied"])
    return QuarterFigures(q, target, agg["held"], agg["coming"], sat)


def quarter_without_activity(community: Community, now: datetime) -> Quarter | None:
    """The current quarter when it has no activity planned, announced or held (the office
    head's queue shows it); None when one is on its way or done. One query."""
    q = quarter_at(community, now)
    has = Activity.objects.filter(
        community=community, starts_at__gte=q.start, starts_at__lt=q.end, state__in=LIVE_STATES
    ).exists()
    return None if has else q
