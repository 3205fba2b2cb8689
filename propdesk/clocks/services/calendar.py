"""When the calendar changes (an office day, a new statutory year), running working-day clocks
and clocks counted in a team's hours are recomputed and the change is recorded on the
timeline."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q

from propdesk.clocks.models import (
    LIVE,
    CalendarDay,
    CalendarSource,
    Clock,
    ClockLog,
    ClockState,
    PolicyVersion,
)
from propdesk.clocks.services.policy import (
    OfficeCalendar,
    _policy_by_fingerprint,
    _policy_of,
    order_team,
    team_hours_for,
)
from propdesk.community.models import Community, Team
from propdesk.policy.calendar import fallback_years_between, statutory_fingerprint
from propdesk.policy.deadlines import Counting, DurationKind
from propdesk.policy.engine import APPOINT_EVENT, start_clock
from propdesk.policy.hours import shift_due
from propdesk.policy.rules import ClockRule, load_policy

# --- the calendar changes ------------------------------------------------------------------------


def _recompute(clocks: Iterable[Clock], *, now: datetime, reason: str) -> int:
    changed = 0
    calendars: dict[int, OfficeCalendar] = {}
    for clock in clocks:
        policy = _policy_of(clock)
        rule = policy.clocks[clock.rule_id]
        team_hours = rule.counting is Counting.TEAM_HOURS
        if rule.duration.kind is not DurationKind.WORKING_DAYS and not team_hours:
            continue
        cal = calendars.setdefault(clock.community_id, OfficeCalendar(clock.community_id))
        hours = (
            team_hours_for(order_team(clock.order), policy=policy, calendar=cal)
            if team_hours and clock.order_id is not None
            else None
        )
        fresh = start_clock(
            clock.rule_id,
            rule,
            at=clock.started_at,
            policy=policy,
            calendar=cal,
            subject=clock.subject,
            # A clock counted from the agreed time (from_appointment) is counted from it still.
            data={"appointment_at": clock.order.appointment_at}
            if rule.from_appointment and clock.order is not None
            else None,
            period=clock.period,
            # A team-hours clock (issue 16) counts its team's hours on the changed calendar.
            hours=hours,
        )
        # Each wait that paused it still moves the fresh deadline, as its resume did (shift_due:
        # by the wall-clock time, or for a team-hours clock by the pause's counted time on the
        # changed hours).
        if clock.paused_seconds:
            due, warn = fresh.due_at, fresh.warn_at
            for paused_from, paused_to in _pauses(clock, appointed=rule.from_appointment):
                due = shift_due(due, paused_from, paused_to, hours)
                warn = None if warn is None else shift_due(warn, paused_from, paused_to, hours)
            fresh = replace(fresh, due_at=due, warn_at=warn)
        if fresh.due_at == clock.due_at:
            continue
        old = clock.due_at
        years = fallback_years_between(clock.started_at.date(), fresh.due_at.date())
        clock.due_at, clock.warn_at = fresh.due_at, fresh.warn_at
        clock.next_check_at = fresh.due_at if clock.warned_at else (fresh.warn_at or fresh.due_at)
        if clock.paused_at is not None:
            clock.next_check_at = None  # still paused: the sweeper waits for the resume
        clock.save(update_fields=["due_at", "warn_at", "next_check_at"])
        ClockLog.objects.create(
            clock=clock,
            order_id=clock.order_id,
            at=now,
            what="recomputed",
            data={
                "rule": clock.rule_id,
                "reason": reason,
                "old_due_at": old.isoformat(),
                "new_due_at": fresh.due_at.isoformat(),
                # Still counted Monday–Friday where the statutory calendar has no data.
                **({"calendar_fallback_years": years} if years else {}),
            },
        )
        changed += 1
    return changed


def _pauses(clock: Clock, *, appointed: bool) -> list[tuple[datetime, datetime]]:
    """The finished waits that moved ``clock``'s deadline, as (from, to), from its ``resumed``
    lines. For a clock counted from the agreed time, only those since the last 改约: that
    recompute counted afresh from the new time (engine.react), allowing for the waits before."""
    logs = ClockLog.objects.filter(clock=clock, what__in=("resumed", "recomputed")).order_by(
        "at", "pk"
    )
    waits: list[tuple[datetime, datetime]] = []
    for what, at, data in logs.values_list("what", "at", "data"):
        if what == "recomputed":
            if appointed and data.get("reason") == APPOINT_EVENT:
                waits.clear()
            continue
        waits.append((at - timedelta(seconds=int(data.get("paused_seconds", 0))), at))
    return waits


def _follows_calendar(rule: ClockRule) -> bool:
    """Counted in working days, or in a team's hours on the calendar (issue 16)."""
    return rule.duration.kind is DurationKind.WORKING_DAYS or rule.counting is Counting.TEAM_HOURS


def _counts_team_hours(rule: ClockRule) -> bool:
    return rule.counting is Counting.TEAM_HOURS


def _rules_where(follows: Callable[[ClockRule], bool]) -> set[str]:
    """Rule ids for which ``follows`` holds under the shipped policy or any stored policy
    version (a handful of rows)."""
    rules = {rid for rid, r in load_policy().clocks.items() if follows(r)}
    for version_id, fingerprint in PolicyVersion.objects.values_list("id", "fingerprint"):
        rules |= {
            rid
            for rid, r in _policy_by_fingerprint(version_id, fingerprint).clocks.items()
            if follows(r)
        }
    return rules


def _working_day_rules() -> set[str]:
    """Rule ids whose deadlines follow the calendar (working days, team hours)."""
    return _rules_where(_follows_calendar)


@transaction.atomic
def calendar_day_set(
    *, community: Community, day: date, is_working: bool | None, now: datetime, note: str = ""
) -> int:
    """Make ``day`` a working day (True) or a day off (False) for the office, or give it back to
    the statutory calendar (None). Running working-day and team-hours clocks whose span the day
    touches are recomputed, each with a note on its order's timeline. Returns how many changed."""
    if is_working is None:
        CalendarDay.objects.filter(community=community, day=day).delete()
    else:
        CalendarDay.objects.update_or_create(
            community=community, day=day, defaults={"is_working": is_working, "note": note}
        )
    # LIVE: a running clock is neither met nor cancelled; stated, the live clocks' index serves.
    affected = Clock.objects.filter(
        LIVE,
        community=community,
        state=ClockState.RUNNING,
        rule_id__in=_working_day_rules(),
        started_at__date__lt=day + timedelta(days=1),
    ).filter(Q(due_at__date__gte=day - timedelta(days=1)))
    return _recompute(
        list(affected.select_related("policy_version").select_for_update(of=("self",))),
        now=now,
        reason=f"calendar:{day.isoformat()}",
    )


@transaction.atomic
def team_hours_changed(*, team: Team, now: datetime) -> int:
    """The team's working hours (班组工作时间) changed: the running clocks of its orders that count
    team hours are recomputed on the new week, each with a line on its order's timeline (the
    time already counted is counted again on the new hours, from the clock's start). Returns
    how many changed."""
    affected = Clock.objects.filter(
        LIVE,
        community_id=team.community_id,
        state=ClockState.RUNNING,
        order__team=team,
        rule_id__in=_rules_where(_counts_team_hours),
    )
    return _recompute(
        list(
            affected.select_related("policy_version", "order__team").select_for_update(of=("self",))
        ),
        now=now,
        reason=f"team_hours:{team.pk}",
    )


def calendar_source_check(*, now: datetime) -> int:
    """If the statutory calendar data changed since last seen (a package update brought next
    year's schedule), recompute every running working-day clock. Returns how many changed."""
    current = statutory_fingerprint()
    seen = CalendarSource.objects.order_by("-seen_at").first()
    if seen is not None and seen.fingerprint == current:
        return 0
    with transaction.atomic():
        CalendarSource.objects.all().delete()
        CalendarSource.objects.create(fingerprint=current, seen_at=now)
        if seen is None:
            return 0
        clocks = (
            Clock.objects.filter(LIVE, state=ClockState.RUNNING, rule_id__in=_working_day_rules())
            .select_related("policy_version")
            .select_for_update(of=("self",))
        )
        return _recompute(list(clocks), now=now, reason=f"statutory:{current}")
