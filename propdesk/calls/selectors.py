"""Reads of calls, scoped by community and role: the ringing calls of the intake screen, the
call-backs of the receptionist's queue, and the FD-1 figures (per day, per receptionist, per
month)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from propdesk.calls.models import Call, CallEvent, CallState, Direction
from propdesk.clocks.models import Clock, ClockState
from propdesk.community.access import has_role
from propdesk.community.models import Community, Membership, User
from propdesk.core.errors import NotFound
from propdesk.policy.percent import shown_percent
from propdesk.policy.rules import CallsPolicy, load_policy
from propdesk.policy.workflow import OFFICE_ROLES

CALLBACK_RULE = "FD-1-callback"
# A call still "ringing" this long after its ring is shown no more: the phone system lost its end.
RINGING_SHOWN = timedelta(minutes=2)


def _office(user: User, community: Community) -> None:
    if not has_role(user, community.pk, OFFICE_ROLES):
        raise NotFound("not found")


def calls_policy(community: Community) -> CallsPolicy:
    return load_policy(community.policy).calls


def calls_ringing(user: User, community: Community, *, now: datetime) -> list[Call]:
    """The calls ringing now at ``community`` (newest first), for its office staff."""
    _office(user, community)
    return list(
        Call.objects.filter(
            community=community,
            state=CallState.RINGING,
            direction=Direction.INBOUND,
            ringing_at__gte=now - RINGING_SHOWN,
        ).order_by("-ringing_at", "-id")[:5]
    )


def call_cursor(user: User) -> int:
    """The newest call event id over the communities ``user`` is office staff of (0 when none):
    the live poll's second cursor, asked only by the pages that show calls. One statement: per
    community a backward seek of ``call_event_comm_id``."""
    if not user.is_active:
        return 0
    event = CallEvent._meta.db_table
    membership = Membership._meta.db_table
    if user.is_superuser:
        where = "1 = 1"
        params: list[Any] = []
        source = f"(SELECT DISTINCT community_id FROM {membership})"  # noqa: S608
    else:
        roles = ", ".join(["%s"] * len(OFFICE_ROLES))
        where = f"m.user_id = %s AND m.role IN ({roles})"
        params = [user.pk, *[str(r) for r in OFFICE_ROLES]]
        source = membership
    # Table names from the models, values bound: nothing a user typed is in the SQL text.
    sql = (
        f"SELECT MAX((SELECT e.id FROM {event} e"  # noqa: S608
        " WHERE e.community_id >= m.community_id AND e.community_id <= m.community_id"
        " ORDER BY e.community_id DESC, e.id DESC LIMIT 1))"
        f" FROM {source} m WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0] or 0)


def callbacks_open(user: User, community: Community) -> list[Clock]:
    """The call-backs still to make at ``community`` (FD-1-callback clocks not met), nearest
    deadline first, each with ``missed_calls`` (its calls, newest first) and ``phone``."""
    _office(user, community)
    rows = list(
        Clock.objects.filter(
            community=community,
            order__isnull=True,
            contact__isnull=True,
            rule_id=CALLBACK_RULE,
            state__in=(ClockState.RUNNING, ClockState.BREACHED),
            met_at__isnull=True,
            cancelled_at__isnull=True,
        ).order_by("due_at", "id")[:200]
    )
    calls: dict[int, list[Call]] = {}
    for call in Call.objects.filter(callback__in=[c.pk for c in rows]).order_by("-ringing_at"):
        calls.setdefault(call.callback_id or 0, []).append(call)
    for clock in rows:
        clock.phone = clock.subject.removeprefix("phone:")  # type: ignore[attr-defined]
        clock.missed_calls = calls.get(clock.pk, [])  # type: ignore[attr-defined]
    return rows


# --- FD-1 figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerFigures:
    """FD-1 over some calls: ``calls`` incoming calls decided (answered or missed), ``within``
    answered within three rings, ``late`` answered later, ``missed`` not answered. ``rate`` is
    within / calls in percent (one decimal), None without calls."""

    calls: int
    within: int
    late: int
    missed: int

    @property
    def rate(self) -> Decimal | None:
        return shown_percent(self.within, self.calls)


@dataclass(frozen=True)
class DayFigures:
    day: date
    figures: AnswerFigures


@dataclass(frozen=True)
class StaffFigures:
    user_id: int | None
    name: str
    figures: AnswerFigures


def _counts(policy: CallsPolicy) -> dict[str, Any]:
    limit = policy.answer_within_seconds * 1000
    answered = Q(answered_at__isnull=False)
    # A call answered with no ring reported counts as within (policy.calls.answered_within).
    within = answered & (Q(ring_ms__lte=limit) | Q(ring_ms__isnull=True))
    return {
        "n": Count("id"),
        "within": Count("id", filter=within),
        "late": Count("id", filter=answered & Q(ring_ms__gt=limit)),
        "missed": Count("id", filter=Q(state=CallState.MISSED)),
    }


def _decided(community: Community, start: datetime, end: datetime) -> QuerySet[Call]:
    return Call.objects.filter(
        community=community,
        direction=Direction.INBOUND,
        ringing_at__gte=start,
        ringing_at__lt=end,
    ).exclude(state=CallState.RINGING)


def _figures(row: Any) -> AnswerFigures:
    return AnswerFigures(
        calls=row["n"], within=row["within"], late=row["late"], missed=row["missed"]
    )


def day_bounds(community: Community, day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(community.time_zone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, start + timedelta(days=1)


def answer_figures(community: Community, start: datetime, end: datetime) -> AnswerFigures:
    """FD-1 over the incoming calls that rang in [start, end). One query."""
    row = _decided(community, start, end).aggregate(**_counts(calls_policy(community)))
    return _figures(row)


def answer_by_day(community: Community, start: datetime, end: datetime) -> list[DayFigures]:
    """FD-1 per local day of [start, end), the days with calls only. One query."""
    zone = ZoneInfo(community.time_zone)
    rows = (
        _decided(community, start, end)
        .annotate(day=TruncDate("ringing_at", tzinfo=zone))
        .values("day")
        .annotate(**_counts(calls_policy(community)))
        .order_by("day")
    )
    return [DayFigures(r["day"], _figures(r)) for r in rows]


def answer_by_staff(community: Community, start: datetime, end: datetime) -> list[StaffFigures]:
    """FD-1 per receptionist over the answered calls of [start, end) (who answered is known from
    the extension); calls answered at an unmapped extension come under ``user_id`` None. One
    query."""
    rows = (
        _decided(community, start, end)
        .filter(answered_at__isnull=False)
        .values("answered_by", "answered_by__name", "answered_by__username")
        .annotate(**_counts(calls_policy(community)))
        .order_by("answered_by__username")
    )
    return [
        StaffFigures(
            r["answered_by"],
            r["answered_by__name"] or r["answered_by__username"] or "",
            _figures(r),
        )
        for r in rows
    ]


def calls_of_day(user: User, community: Community, day: date) -> list[Call]:
    """The calls that rang on local ``day`` at ``community`` (newest first), for its office."""
    _office(user, community)
    start, end = day_bounds(community, day)
    return list(
        Call.objects.filter(community=community, ringing_at__gte=start, ringing_at__lt=end)
        .select_related("answered_by")
        .order_by("-ringing_at", "-id")[:500]
    )
