"""Reads of the follow-up loop, scoped by community and role, and its monthly figures.

Months are the community's local months (``Community.time_zone``): ``year, month`` name the
calendar month there, from its first instant to the next month's. Every figure carries its
sample size; a percentage is a ``Decimal`` to one decimal place, or ``None`` when its sample is
empty ("no answers"), never a division by zero. The KPIs are SQL aggregates (a few queries per
call, whatever the number of visits), served by the index ``rv_comm_kpi`` on
(community, at, outcome, level) and ``wo_comm_kind_resolved`` on work orders.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from propdesk.clocks.models import LIVE, Clock, ClockState
from propdesk.clocks.selectors import month_bounds
from propdesk.clocks.services import policy_for
from propdesk.community.models import Building, Community, Household, Team, User
from propdesk.community.selectors import access_community, community_ids_visible, user_roles
from propdesk.core.errors import Forbidden, NotFound
from propdesk.desk.models import ComplaintType, OrderKind, WorkOrder
from propdesk.followup.models import (
    CommonIssue,
    HomeVisit,
    IssueState,
    ItemState,
    Level,
    Notice,
    NoticePhoto,
    OrderRating,
    Recovery,
    RecoveryState,
    ReturnVisit,
    SuggestionItem,
    VisitKind,
    VisitOutcome,
)
from propdesk.policy.percent import shown_percent, shown_points
from propdesk.policy.rules import SATISFACTION_LEVELS, Policy, SatisfactionPolicy
from propdesk.policy.similarity import Text, group_similar
from propdesk.policy.workflow import OFFICE_ROLES, TEAM_WORK_KINDS, Role, State

# Who reads what: visits and items (RV-3: team leaders visit too), KPIs (leadership compares).
READ_ROLES = OFFICE_ROLES | {Role.TEAM_LEADER, Role.LEADERSHIP}
KPI_ROLES = OFFICE_ROLES | {Role.LEADERSHIP}
# The bulletin board is public in the community: any staff role (residents come with the portal).
ALL_STAFF_ROLES = frozenset(Role)
# A finished order: what a return visit, and the owner's rating, are about.
DONE_STATES = frozenset({State.RESOLVED, State.FOLLOWED_UP, State.CLOSED})
# Orders whose owners get a return visit: same-day phone visits (RV-6) and complaints (CP-2).
VISITED_KINDS = (OrderKind.REPAIR, OrderKind.HOUSEKEEPING, OrderKind.COMPLAINT)


def _pct(part: int, whole: int) -> Decimal | None:
    """Shown to one decimal, never as a whole percent it is below (policy.percent)."""
    return shown_percent(part, whole)


# --- scoping ------------------------------------------------------------------------------------


def followup_community(
    user: User, community_id: int | str | None, roles: Collection[Role] = READ_ROLES
) -> Community:
    """The community if ``user`` may see it (NotFound otherwise, hidden or missing alike) and
    holds one of ``roles`` there (Forbidden otherwise)."""
    if community_id in (None, ""):
        raise NotFound("Community not found")
    community = access_community(user, community_id)
    if not user_roles(user, community.pk) & set(roles):
        raise Forbidden(_("Your role in this community may not see this."))
    return community


def _access(qs: QuerySet[Any], user: User, obj_id: int | str, roles: Collection[Role]) -> Any:
    ids = community_ids_visible(user)
    if ids is not None:
        qs = qs.filter(community_id__in=ids)
    try:
        obj = qs.get(pk=int(obj_id))
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Not found") from exc
    if not user_roles(user, obj.community_id) & set(roles):
        raise Forbidden(_("Your role in this community may not see this."))
    return obj


def access_return_visit(user: User, visit_id: int | str) -> ReturnVisit:
    qs = ReturnVisit.objects.select_related("order", "household", "visited_by")
    return _access(qs.prefetch_related("items"), user, visit_id, READ_ROLES)  # type: ignore[no-any-return]


def access_suggestion(user: User, item_id: int | str) -> SuggestionItem:
    qs = SuggestionItem.objects.select_related("household", "replied_by")
    return _access(qs, user, item_id, READ_ROLES)  # type: ignore[no-any-return]


def access_common_issue(user: User, issue_id: int | str) -> CommonIssue:
    qs = CommonIssue.objects.select_related("building").prefetch_related("items", "orders")
    return _access(qs, user, issue_id, READ_ROLES)  # type: ignore[no-any-return]


def access_notice(user: User, notice_id: int | str) -> Notice:
    qs = Notice.objects.select_related("community", "common_issue").prefetch_related("photos")
    return _access(qs, user, notice_id, READ_ROLES)  # type: ignore[no-any-return]


def access_notice_photo(user: User, photo_id: int | str) -> NoticePhoto:
    """A photo of a notice the user may see (access_notice); NotFound otherwise."""
    try:
        photo = NoticePhoto.objects.get(pk=int(photo_id))
    except (NoticePhoto.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound("Not found") from exc
    access_notice(user, photo.notice_id)
    return photo


def access_home_visit(user: User, visit_id: int | str) -> HomeVisit:
    qs = HomeVisit.objects.select_related("administrator").prefetch_related("households")
    return _access(qs, user, visit_id, READ_ROLES)  # type: ignore[no-any-return]


# --- lists --------------------------------------------------------------------------------------


def return_visit_list(
    community: Community,
    *,
    year: int | None = None,
    month: int | None = None,
    kind: str | None = None,
    order_id: int | None = None,
) -> QuerySet[ReturnVisit]:
    """Visits of a community (already scoped by followup_community), newest first, with what a
    row shows joined; optionally one local month, one kind, one order."""
    qs = ReturnVisit.objects.filter(community=community).select_related(
        "order", "household", "visited_by"
    )
    if year and month:
        start, end = month_bounds(community, year, month)
        qs = qs.filter(at__gte=start, at__lt=end)
    if kind:
        qs = qs.filter(kind=kind)
    if order_id is not None:
        qs = qs.filter(order_id=order_id)
    return qs.prefetch_related("items").order_by("-at", "-id")


@dataclass(frozen=True)
class CallListRow:
    """One order of today's call list (RV-6): whom to call, and the last try if any."""

    order_id: int
    number: str
    kind: str
    description: str
    household_id: int | None
    household: str
    phone: str
    resolved_at: datetime
    attempts: int
    retry_at: datetime | None  # after a no-answer: when to try again
    # Completed yesterday after late intake: its RV-6 call is due by the end of today.
    yesterday: bool = False


def call_list_today(community: Community, now: datetime) -> list[CallListRow]:
    """Repair and housekeeping orders still without an answered (or refused) visit whose call
    is today's (RV-6), oldest first: those resolved today (community-local day of ``now``), and
    those resolved yesterday after the office's late intake, whose same-day clock runs to the
    end of today (running, due today). Two queries."""
    zone = ZoneInfo(community.time_zone)
    day_start = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    done = ReturnVisit.objects.filter(
        order=OuterRef("pk"), outcome__in=[VisitOutcome.ANSWERED, VisitOutcome.REFUSED]
    )
    # A same-day clock started late runs at most to the end of the next day: yesterday's
    # orders are today's only with their RV-6 clock still running.
    carried = Clock.objects.filter(
        LIVE,
        order=OuterRef("pk"),
        rule_id="RV-6",
        state=ClockState.RUNNING,
        due_at__gte=day_start,
    )
    orders = list(
        WorkOrder.objects.filter(
            community=community,
            kind__in=[OrderKind.REPAIR, OrderKind.HOUSEKEEPING],
            resolved_at__gte=day_start - timedelta(days=1),
            resolved_at__lt=day_start + timedelta(days=1),
        )
        .filter(Q(resolved_at__gte=day_start) | Exists(carried))
        .exclude(Exists(done))
        .annotate(attempts=Count("return_visits"), retry_at=Max("return_visits__retry_at"))
        .select_related("household")
        .order_by("resolved_at", "id")
    )
    phones: dict[int, str] = {}
    household_ids = {o.household_id for o in orders if o.household_id and not o.reporter_phone}
    if household_ids:
        for hid, phone in (
            Household.objects.filter(pk__in=household_ids)
            .exclude(residents__phone="")
            .order_by("residents__id")
            .values_list("id", "residents__phone")
        ):
            if phone:
                phones.setdefault(hid, phone)
    return [
        CallListRow(
            order_id=o.pk,
            number=o.number,
            kind=o.kind,
            description=o.description,
            household_id=o.household_id,
            household=o.household.code if o.household else o.location,
            phone=o.reporter_phone or phones.get(o.household_id or 0, ""),
            resolved_at=o.resolved_at,  # type: ignore[arg-type]
            attempts=o.attempts,
            retry_at=o.retry_at,
            yesterday=o.resolved_at < day_start,  # type: ignore[operator]
        )
        for o in orders
    ]


@dataclass(frozen=True)
class QueueRow:
    """An item of the suggestions register with its age (RV-5): whole days and hours since it
    was recorded (or until it was answered)."""

    item: SuggestionItem
    age_days: int
    age_hours: int


def suggestion_queue(
    community: Community, now: datetime, *, open_only: bool = True
) -> list[QueueRow]:
    """The register of a community, oldest first; open items only unless ``open_only`` is
    False. The age of an open item counts to ``now``, of a replied one to its reply. One query."""
    qs = SuggestionItem.objects.filter(community=community).select_related(
        "household", "replied_by", "created_by"
    )
    if open_only:
        qs = qs.filter(state=ItemState.OPEN)
    out = []
    for item in qs.order_by("created_at", "id"):
        age = (item.replied_at or now) - item.created_at
        hours = max(int(age.total_seconds() // 3600), 0)
        out.append(QueueRow(item=item, age_days=hours // 24, age_hours=hours))
    return out


def suggestions_open_at_end(
    community: Community, *, end: datetime, now: datetime
) -> list[QueueRow]:
    """The register's items still without a written reply at the end of a period (RV-5 in the
    monthly report): recorded before ``end`` (and by ``now``), not answered before ``end`` (open
    still, or answered at or after it), oldest first, each aged to the sooner of ``end`` and
    ``now``. Within the period this is the open register as of ``now``; a past month's is its
    own, whatever was recorded or answered since. One query."""
    at = min(end, now)
    qs = (
        SuggestionItem.objects.filter(community=community, created_at__lt=end, created_at__lte=now)
        .filter(Q(state=ItemState.OPEN) | Q(replied_at__gte=end))
        .select_related("household", "replied_by", "created_by")
    )
    out = []
    for item in qs.order_by("created_at", "id"):
        hours = max(int((at - item.created_at).total_seconds() // 3600), 0)
        out.append(QueueRow(item=item, age_days=hours // 24, age_hours=hours))
    return out


def recovery_queue(community: Community) -> QuerySet[Recovery]:
    """Dissatisfied orders awaiting recovery, oldest first, with the owner's words and the
    order's state (the office head reopens or follows up until a visit finds them satisfied)."""
    return (
        Recovery.objects.filter(community=community, state=RecoveryState.AWAITING)
        .select_related("order", "order__household", "visit", "visit__visited_by")
        .order_by("opened_at", "id")
    )


def awaiting_recovery(order: WorkOrder) -> Recovery | None:
    """The order's dissatisfied answer still awaiting recovery (the latest), or None once a later
    visit found the owner satisfied. The caller has already checked access to the order."""
    return (
        Recovery.objects.filter(order=order, state=RecoveryState.AWAITING)
        .select_related("visit", "visit__visited_by")
        .order_by("-opened_at", "-id")
        .first()
    )


def common_issue_list(community: Community) -> QuerySet[CommonIssue]:
    return (
        CommonIssue.objects.filter(community=community)
        .select_related("building")
        .annotate(item_count=Count("items", distinct=True), order_count=Count("orders"))
        .order_by("-opened_at", "-id")
    )


def notice_title_proposed(issue: CommonIssue) -> str:
    """The title a notice answering ``issue`` is pre-filled with (致业主通知：<the issue's
    title>, in the reader's language), never longer than a notice's title may be: when the two
    do not fit together, the issue's title is shortened and ends with "…", so the office is
    never refused for characters it did not type."""
    limit = Notice._meta.get_field("title").max_length
    assert limit is not None

    def titled(text: str) -> str:
        return _("Notice to owners: %(title)s") % {"title": text}

    return titled(_shortened(issue.title, limit - len(titled(""))))


def _shortened(text: str, limit: int) -> str:
    """``text`` whole when it has at most ``limit`` characters, else shortened to them, the
    last "…" (in every language: Django's Truncator says "..." in Chinese)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def notice_list(community: Community, *, posted_only: bool = False) -> QuerySet[Notice]:
    qs = Notice.objects.filter(community=community).select_related("community")
    if posted_only:
        qs = qs.filter(posted_at__isnull=False).order_by("-posted_at", "-id")
    return qs.prefetch_related("photos")


def order_rating(order: WorkOrder) -> OrderRating | None:
    """The owner's own rating of ``order`` in the portal (three scores and its visit), if any."""
    return OrderRating.objects.select_related("visit").filter(order=order).first()


def order_rating_status(order: WorkOrder) -> tuple[str, OrderRating | None]:
    """Where the owner's rating of ``order`` stands: ``rated`` (with the rating), ``visited``
    (the office's answered return visit came first: no rating then), ``not_done`` (not a
    finished repair or housekeeping order) or ``open`` (the owner may rate it now)."""
    rating = OrderRating.objects.filter(order=order).first()
    if rating is not None:
        return "rated", rating
    if order.return_visits.filter(outcome=VisitOutcome.ANSWERED).exists():
        return "visited", None
    if order.kind not in TEAM_WORK_KINDS or order.state not in DONE_STATES:
        return "not_done", None
    return "open", None


def notices_for_households(households: Collection[Household]) -> QuerySet[Notice]:
    """The posted notices (RV-7) the residents of ``households`` read in the portal: each
    household's community's notices for the whole community or for the household's building,
    newest posted first, their photos prefetched. No household: none."""
    scope = Q(pk__in=[])
    for h in households:
        scope |= Q(community_id=h.community_id) & (
            Q(building__isnull=True) | Q(building_id=h.unit.building_id)
        )
    return (
        Notice.objects.filter(scope, posted_at__isnull=False)
        .select_related("community", "building")
        .order_by("-posted_at", "-id")
        .prefetch_related("photos")
    )


def home_visit_list(community: Community, *, open_only: bool = False) -> QuerySet[HomeVisit]:
    qs = HomeVisit.objects.filter(community=community).select_related("administrator")
    if open_only:
        qs = qs.filter(state="assigned")
    return qs.prefetch_related("households").order_by("due_at", "id")


# --- satisfaction KPIs (RV-2) -------------------------------------------------------------------


@dataclass(frozen=True)
class LevelFigures:
    """Answers by level and what the policy makes of them.

    ``answered`` is the sample size of both figures. ``rate`` (满意率) = answers at a satisfied
    level / answered, percent; ``degree`` (满意度) = mean level weight, percent; both None when
    nothing was answered ("no answers")."""

    answered: int
    counts: Mapping[str, int]
    satisfied: int
    rate: Decimal | None
    degree: Decimal | None
    # The sum of the answers' weights: 满意度 = weighted / answered, before rounding.
    weighted: int = 0

    def rate_meets(self, target: int) -> bool | None:
        """满意率 at least ``target`` percent, on the counts, not the rounded figure (95.96 %
        shows as 96.0 but is below 96 %); None without answers."""
        return None if not self.answered else self.satisfied * 100 >= target * self.answered

    def degree_meets(self, target: int) -> bool | None:
        """满意度 at least ``target``, on the weights' sum, not the rounded mean."""
        return None if not self.answered else self.weighted >= target * self.answered


def level_figures(counts: Mapping[str, int], policy: SatisfactionPolicy) -> LevelFigures:
    """Pure arithmetic on per-level counts (no query)."""
    full = {level: int(counts.get(level, 0)) for level in SATISFACTION_LEVELS}
    answered = sum(full.values())
    satisfied = sum(full[level] for level in policy.satisfied_levels)
    weighted = sum(full[level] * policy.weights[level] for level in SATISFACTION_LEVELS)
    degree = shown_points(weighted, answered) if answered else None
    return LevelFigures(
        answered=answered,
        counts=full,
        satisfied=satisfied,
        rate=_pct(satisfied, answered),
        degree=degree,
        weighted=weighted,
    )


def _level_counts() -> dict[str, Count]:
    return {f"n_{level}": Count("id", filter=Q(level=level)) for level in SATISFACTION_LEVELS}


def _counts_of(row: Mapping[str, Any]) -> dict[str, int]:
    return {level: row.get(f"n_{level}") or 0 for level in SATISFACTION_LEVELS}


@dataclass(frozen=True)
class SatisfactionFigures:
    """One community-month (RV-2).

    ``levels``: 满意率 and 满意度 over the answered visits of every kind. ``attempts`` counts every
    record (no answers and refusals included; they never enter ``levels``). The return-visit
    rate is separate: ``due`` = repair, housekeeping and complaint orders resolved in the month
    (emergencies excluded), ``due_visited`` = those with an answered visit (at any time);
    ``return_visit_rate`` = due_visited / due, None when nothing was due."""

    community_id: int
    year: int
    month: int
    levels: LevelFigures
    rate_target: int
    degree_target: int
    attempts: int
    no_answer: int
    refused: int
    due: int
    due_visited: int
    return_visit_rate: Decimal | None

    @property
    def rate_met(self) -> bool | None:
        return self.levels.rate_meets(self.rate_target)

    @property
    def degree_met(self) -> bool | None:
        return self.levels.degree_meets(self.degree_target)


def _policy(community: Community) -> Policy:
    return policy_for(community)[0]


def _due_orders(community: Community, start: datetime, end: datetime) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(
        community=community,
        kind__in=VISITED_KINDS,
        resolved_at__gte=start,
        resolved_at__lt=end,
    ).exclude(complaint_type=ComplaintType.EMERGENCY)


def satisfaction_figures(community: Community, year: int, month: int) -> SatisfactionFigures:
    """满意率, 满意度 and the return-visit rate of one local month. Two aggregate queries (plus
    the policy, cached per community)."""
    policy = _policy(community)
    start, end = month_bounds(community, year, month)
    row = ReturnVisit.objects.filter(community=community, at__gte=start, at__lt=end).aggregate(
        attempts=Count("id"),
        no_answer=Count("id", filter=Q(outcome=VisitOutcome.NO_ANSWER)),
        refused=Count("id", filter=Q(outcome=VisitOutcome.REFUSED)),
        **_level_counts(),
    )
    answered_visit = ReturnVisit.objects.filter(order=OuterRef("pk"), outcome=VisitOutcome.ANSWERED)
    due = _due_orders(community, start, end).aggregate(
        due=Count("id"), visited=Count("id", filter=Exists(answered_visit))
    )
    return SatisfactionFigures(
        community_id=community.pk,
        year=year,
        month=month,
        levels=level_figures(_counts_of(row), policy.satisfaction),
        rate_target=policy.satisfaction.rate_target,
        degree_target=policy.satisfaction.degree_target,
        attempts=row["attempts"],
        no_answer=row["no_answer"],
        refused=row["refused"],
        due=due["due"],
        due_visited=due["visited"],
        return_visit_rate=_pct(due["visited"], due["due"]),
    )


Breakdown = Literal["team", "kind", "building"]
_BREAKDOWN_FIELD = {"team": "team_id", "kind": "order_kind", "building": "building_id"}


@dataclass(frozen=True)
class BreakdownRow:
    """One team, kind of order or building: ``key`` is the team or building id, or the order
    kind ("" for monthly visits); ``key`` None groups the visits without one."""

    key: int | str | None
    label: str
    figures: LevelFigures


def satisfaction_breakdown(
    community: Community, year: int, month: int, *, by: Breakdown
) -> list[BreakdownRow]:
    """满意率 and 满意度 of a local month broken down by team, kind of order or building, largest
    sample first. Two queries (the grouped counts, then the team or building names)."""
    if by not in _BREAKDOWN_FIELD:
        raise ValueError(f"unknown breakdown {by!r}")
    policy = _policy(community)
    start, end = month_bounds(community, year, month)
    name = _BREAKDOWN_FIELD[by]
    rows = list(
        ReturnVisit.objects.filter(
            community=community, at__gte=start, at__lt=end, outcome=VisitOutcome.ANSWERED
        )
        .values(name)
        .annotate(**_level_counts())
        .order_by(name)
    )
    labels: dict[Any, str] = {}
    keys = [r[name] for r in rows if r[name] not in (None, "")]
    if by == "team" and keys:
        labels = dict(Team.objects.filter(pk__in=keys).values_list("id", "name"))
    elif by == "building" and keys:
        labels = {b.pk: str(b) for b in Building.objects.filter(pk__in=keys)}
    elif by == "kind":
        labels = {k: str(v) for k, v in OrderKind.choices}
        labels[""] = str(VisitKind.MONTHLY.label)
    out = [
        BreakdownRow(
            key=r[name],
            label=labels.get(r[name], "—") if r[name] is not None else "—",
            figures=level_figures(_counts_of(r), policy.satisfaction),
        )
        for r in rows
    ]
    out.sort(key=lambda b: (-b.figures.answered, str(b.label)))
    return out


@dataclass(frozen=True)
class TrendPoint:
    year: int
    month: int
    figures: LevelFigures


def _months_back(year: int, month: int, months: int) -> list[tuple[int, int]]:
    out = []
    y, m = year, month
    for _i in range(months):
        out.append((y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def satisfaction_trend(
    community: Community, year: int, month: int, months: int = 12
) -> list[TrendPoint]:
    """满意率 and 满意度 of the ``months`` local months ending with ``year-month``, oldest first;
    a month without answers is there with answered 0 and None figures. One query: each answered
    visit goes to its month by comparing ``at`` with the month bounds (CASE), counted per
    (month, level); no per-row time-zone truncation, which on SQLite calls Python once per row
    (bench/RESULTS.md, "The monthly report")."""
    policy = _policy(community)
    span = _months_back(year, month, months)
    bounds = [month_bounds(community, y, m) for y, m in span]
    bucket = Case(
        *(When(at__lt=end, then=Value(i)) for i, (_start, end) in enumerate(bounds)),
        output_field=IntegerField(),
    )
    counts: dict[int, dict[str, int]] = {}
    for i, level, n in (
        ReturnVisit.objects.filter(
            community=community,
            at__gte=bounds[0][0],
            at__lt=bounds[-1][1],
            outcome=VisitOutcome.ANSWERED,
        )
        .annotate(bucket=bucket)
        .values("bucket", "level")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("bucket", "level", "n")
    ):
        counts.setdefault(i, {})[level] = n
    return [
        TrendPoint(y, m, level_figures(counts.get(i, {}), policy.satisfaction))
        for i, (y, m) in enumerate(span)
    ]


# --- complaints (CP-2, RV-3) --------------------------------------------------------------------


@dataclass(frozen=True)
class MissingVisit:
    order_id: int
    number: str
    resolved_at: datetime
    is_important: bool
    # While its CP-2 follow-up (三天内跟踪回访) runs, when it is due: not late yet, to come.
    # None once it is met, late or cancelled, or for a complaint with no such clock.
    follow_up_due: datetime | None = None


@dataclass(frozen=True)
class ComplaintVisitFigures:
    """RV-3: complaints resolved in the local month (emergencies excluded, reopened ones until
    resolved again), those with an answered complaint return visit, the rate (percent, None when
    none was resolved; target 100) and the list of those still missing one, oldest first."""

    resolved: int
    visited: int
    rate: Decimal | None
    missing: tuple[MissingVisit, ...] = field(default_factory=tuple)
    target: int = 100


def complaint_return_visit_figures(
    community: Community, year: int, month: int
) -> ComplaintVisitFigures:
    """Two queries: the counts, then the complaints still missing a visit, each with its CP-2
    follow-up's deadline while that runs."""
    start, end = month_bounds(community, year, month)
    visit = ReturnVisit.objects.filter(
        order=OuterRef("pk"), kind=VisitKind.COMPLAINT, outcome=VisitOutcome.ANSWERED
    )
    complaints = _due_orders(community, start, end).filter(kind=OrderKind.COMPLAINT)
    agg = complaints.aggregate(resolved=Count("id"), visited=Count("id", filter=Exists(visit)))
    follow_up = Clock.objects.filter(
        LIVE, order=OuterRef("pk"), rule_id="CP-2", state=ClockState.RUNNING
    ).order_by("due_at")
    missing = tuple(
        MissingVisit(pk, number, resolved_at, important, due)  # type: ignore[arg-type]
        for pk, number, resolved_at, important, due in complaints.exclude(Exists(visit))
        .annotate(follow_up_due=Subquery(follow_up.values("due_at")[:1]))
        .order_by("resolved_at", "id")
        .values_list("pk", "number", "resolved_at", "is_important", "follow_up_due")
    )
    return ComplaintVisitFigures(
        resolved=agg["resolved"],
        visited=agg["visited"],
        rate=_pct(agg["visited"], agg["resolved"]),
        missing=missing,
    )


# --- the monthly quota (RV-1) -------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaPace:
    """RV-1 in a local month: distinct households with an answered visit (any kind) against
    the policy's target, and where the month should be by now (target × days elapsed / days
    in the month, rounded up). ``behind`` when fewer are visited than expected by now."""

    visited: int
    target: int
    days_elapsed: int
    days_in_month: int
    expected_by_now: int
    behind: bool


def monthly_quota_pace(community: Community, year: int, month: int, now: datetime) -> QuotaPace:
    """One query. ``now`` before the month: 0 days elapsed; after it: all of them."""
    policy = _policy(community)
    rule = policy.clocks.get("RV-1")
    target = rule.target if rule is not None and rule.target else 20
    start, end = month_bounds(community, year, month)
    visited = (
        ReturnVisit.objects.filter(
            community=community,
            at__gte=start,
            at__lt=end,
            outcome=VisitOutcome.ANSWERED,
            household__isnull=False,
        )
        .values("household_id")
        .distinct()
        .count()
    )
    days = calendar.monthrange(year, month)[1]
    local = now.astimezone(ZoneInfo(community.time_zone))
    if now < start:
        elapsed = 0
    elif now >= end:
        elapsed = days
    else:
        elapsed = local.day
    expected = math.ceil(target * elapsed / days)
    return QuotaPace(visited, target, elapsed, days, expected, visited < expected)


@dataclass(frozen=True)
class SampleRow:
    household_id: int
    code: str
    building_id: int
    building: str
    last_visited_at: datetime | None
    complained: bool  # a complaint in the last 90 days


def quota_sample(
    community: Community, year: int, month: int, now: datetime, size: int | None = None
) -> list[SampleRow]:
    """Whom to visit for RV-1: households not visited this month, owners who complained in the
    last 90 days first, then those not visited longest (never first of all), spread over the
    buildings in turn. ``size`` defaults to what the month still needs (at least 0). One query
    for the households (the quota pace adds one)."""
    pace = monthly_quota_pace(community, year, month, now)
    size = max(pace.target - pace.visited, 0) if size is None else size
    if size <= 0:
        return []
    start, _end = month_bounds(community, year, month)
    complained = WorkOrder.objects.filter(
        household=OuterRef("pk"),
        kind=OrderKind.COMPLAINT,
        created_at__gte=now - timedelta(days=90),
    )
    rows = (
        Household.objects.filter(community=community)
        .annotate(
            last=Max(
                "return_visits__at",
                filter=Q(return_visits__outcome=VisitOutcome.ANSWERED),
            ),
            complained=Exists(complained),
        )
        .values_list(
            "pk", "code", "unit__building_id", "unit__building__number", "last", "complained"
        )
    )
    candidates = [r for r in rows if r[4] is None or r[4] < start]
    far_past = datetime.min.replace(tzinfo=ZoneInfo("UTC"))

    def priority(r: tuple[Any, ...]) -> tuple[bool, datetime, str]:
        return (not r[5], r[4] or far_past, r[1])

    candidates.sort(key=priority)
    chosen = [r for r in candidates if r[5]][:size]
    rest = [r for r in candidates if not r[5]]
    buckets: dict[int, list[tuple[Any, ...]]] = {}
    for r in rest:
        buckets.setdefault(r[2], []).append(r)
    counts: dict[int, int] = {}
    for r in chosen:
        counts[r[2]] = counts.get(r[2], 0) + 1
    while len(chosen) < size and any(buckets.values()):
        # The building with the fewest chosen so far gives its best candidate next.
        bid = min(
            (b for b, lst in buckets.items() if lst),
            key=lambda b: (counts.get(b, 0), priority(buckets[b][0])),
        )
        chosen.append(buckets[bid].pop(0))
        counts[bid] = counts.get(bid, 0) + 1
    return [
        SampleRow(pk, code, bid, f"{number}栋", last, bool(c))
        for pk, code, bid, number, last, c in chosen
    ]


# --- recovery and common issues -----------------------------------------------------------------


@dataclass(frozen=True)
class TurnedFigures:
    """Dissatisfied orders: ``opened`` in the local month, ``turned`` (a later visit found the
    owner satisfied) in the month, and ``awaiting`` at the month's end (within the month, now):
    a past month's report counts its own, not those opened since or still open today."""

    opened: int
    turned: int
    awaiting: int


def turned_count(community: Community, year: int, month: int) -> TurnedFigures:
    """One query."""
    start, end = month_bounds(community, year, month)
    agg = Recovery.objects.filter(community=community).aggregate(
        opened=Count("id", filter=Q(opened_at__gte=start, opened_at__lt=end)),
        turned=Count("id", filter=Q(turned_at__gte=start, turned_at__lt=end)),
        awaiting=Count(
            "id",
            filter=Q(opened_at__lt=end) & (Q(state=RecoveryState.AWAITING) | Q(turned_at__gte=end)),
        ),
    )
    return TurnedFigures(**agg)


@dataclass(frozen=True)
class CommonIssueFigures:
    """RV-7 in a local month: issues opened (dropped ones apart), those whose notice was posted
    by the deadline, posted late, still without a notice; ``in_time_rate`` = in time / (opened
    − dropped), None when none."""

    opened: int
    dropped: int
    posted_in_time: int
    posted_late: int
    without_notice: int
    in_time_rate: Decimal | None


def common_issue_figures(community: Community, year: int, month: int) -> CommonIssueFigures:
    """One query."""
    start, end = month_bounds(community, year, month)
    agg = CommonIssue.objects.filter(
        community=community, opened_at__gte=start, opened_at__lt=end
    ).aggregate(
        opened=Count("id"),
        dropped=Count("id", filter=Q(state=IssueState.DROPPED)),
        in_time=Count("id", filter=Q(notice_posted_at__lte=F("notice_due_at"))),
        late=Count("id", filter=Q(notice_posted_at__gt=F("notice_due_at"))),
        without=Count("id", filter=Q(state=IssueState.OPEN)),
    )
    counted = agg["opened"] - agg["dropped"]
    return CommonIssueFigures(
        opened=agg["opened"],
        dropped=agg["dropped"],
        posted_in_time=agg["in_time"],
        posted_late=agg["late"],
        without_notice=agg["without"],
        in_time_rate=_pct(agg["in_time"], counted),
    )


@dataclass(frozen=True)
class Proposal:
    """A group the product proposes as a common issue (RV-7): similar texts from enough
    households of one building (``building_id``) or area (``area``) within the window."""

    building_id: int | None
    area: str
    item_ids: tuple[int, ...]
    order_ids: tuple[int, ...]
    households: int
    texts: tuple[str, ...]

    @property
    def title(self) -> str:
        """The shortest of the texts, to be edited into the issue's title: whole when it fits
        the title's 100 characters, else shortened with "…", so that it does not read as whole
        when it is not."""
        if not self.texts:
            return ""
        limit = CommonIssue._meta.get_field("title").max_length or 100
        return _shortened(min(self.texts, key=len), limit)


def common_issue_proposals(community: Community, now: datetime) -> list[Proposal]:
    """Groups of similar items and work orders (not already in an issue) from at least the
    policy's ``common_issues.min_households`` households of one building or area within its
    ``window_days`` before ``now``; similarity by policy.similarity (Chinese character n-grams).
    Two queries."""
    spec = _policy(community).common_issues
    since = now - timedelta(days=spec.window_days)
    texts: list[Text] = []
    for pk, text, hid, bid, area in SuggestionItem.objects.filter(
        community=community, created_at__gte=since, created_at__lte=now, common_issue__isnull=True
    ).values_list("pk", "text", "household_id", "building_id", "area"):
        if bid is None and not area:
            continue
        texts.append(Text(("item", pk), hid or ("area", area, pk), bid or f"area:{area}", text))
    for pk, text, hid, bid in (
        WorkOrder.objects.filter(
            community=community,
            created_at__gte=since,
            created_at__lte=now,
            household__isnull=False,
            common_issues__isnull=True,
        )
        .exclude(complaint_type=ComplaintType.EMERGENCY)
        .values_list("pk", "description", "household_id", "household__unit__building_id")
    ):
        texts.append(Text(("order", pk), hid, bid, text))
    groups = group_similar(texts, threshold=spec.similarity, min_households=spec.min_households)
    out = []
    for g in groups:
        place = g.place
        building_id = place if isinstance(place, int) else None
        area = place[5:] if isinstance(place, str) and place.startswith("area:") else ""
        out.append(
            Proposal(
                building_id=building_id,
                area=area,
                item_ids=tuple(sorted(k[1] for k in g.keys if k[0] == "item")),  # type: ignore[index]
                order_ids=tuple(sorted(k[1] for k in g.keys if k[0] == "order")),  # type: ignore[index]
                households=len(g.households),
                texts=g.texts,
            )
        )
    return out


def levels_display() -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in Level.choices]
