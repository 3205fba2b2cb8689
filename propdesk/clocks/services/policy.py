"""The policy a community works under (stored by version) and its working calendar."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db import transaction

from propdesk.clocks.models import (
    CalendarDay,
    Clock,
    PolicyVersion,
)
from propdesk.community.models import Community, Team
from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.deadlines import Counting
from propdesk.policy.hours import HoursError, WeekHours, WorkingHours
from propdesk.policy.rules import Policy, load_policy, parse_policy

# --- policy and calendar -------------------------------------------------------------------------

_version_ids: dict[tuple[int, str], int] = {}


def policy_overrides(
    community: Community, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The community's overrides of the default policy, its office day in the community's own
    time zone (``Community.time_zone``, which its month, quarter, calls and pages already
    follow) unless the overrides name another: deadlines are computed in the community's zone
    (RULES.md, Clocks). ``overrides``: others than the ones stored (a what-if's rule changes,
    replayed over the community's month), put in its zone the same way."""
    overrides = dict(community.policy or {}) if overrides is None else dict(overrides)
    office_day = overrides.get("office_day")
    zone = community.time_zone
    if office_day is None:
        office_day = {}
    if (
        isinstance(office_day, dict)  # else load_policy names what is wrong
        and "time_zone" not in office_day
        and zone
        and zone != load_policy().office_day.time_zone
    ):
        overrides["office_day"] = {**office_day, "time_zone": zone}
    return overrides


def policy_for(community: Community) -> tuple[Policy, int]:
    """The community's effective policy and the id of its stored version (made on first use)."""
    policy = load_policy(policy_overrides(community))
    key = (community.pk, policy.fingerprint())
    version_id = _version_ids.get(key)
    if version_id is None:
        version, _created = PolicyVersion.objects.get_or_create(
            community=community,
            fingerprint=key[1],
            defaults={"content": policy.model_dump(mode="json"), "created_at": _now_for_versions()},
        )
        version_id = version.pk
        # Remember it only once it is surely stored: a rolled-back row must not be cached.
        transaction.on_commit(lambda: _version_ids.__setitem__(key, version.pk))
    return policy, version_id


def _now_for_versions() -> datetime:
    from propdesk.core.clock import get_clock

    return get_clock().now()


@lru_cache(maxsize=512)
def _policy_by_fingerprint(version_id: int, fingerprint: str) -> Policy:
    content = PolicyVersion.objects.values_list("content", flat=True).get(
        pk=version_id, fingerprint=fingerprint
    )
    return parse_policy(content)


def _policy_of(clock: Clock) -> Policy:
    """The policy a clock started under. Cached by id and content hash: an id that a rollback
    freed and SQLite gave out again can never bring back the wrong content."""
    return _policy_by_fingerprint(clock.policy_version_id, clock.policy_version.fingerprint)


class OfficeCalendar(WorkingCalendar):
    """A community's working days: its own days (loaded on first need) over the statutory ones."""

    def __init__(self, community_id: int) -> None:
        super().__init__()
        self.community_id = community_id
        self._loaded = False

    def is_working_day(self, day: date) -> bool:
        if not self._loaded:
            self.overrides = dict(
                CalendarDay.objects.filter(community_id=self.community_id).values_list(
                    "day", "is_working"
                )
            )
            self._loaded = True
        return super().is_working_day(day)


# --- team hours (班组工作时间, issue 16) ------------------------------------------------------


def counts_team_hours(policy: Policy, event: str) -> bool:
    """Whether ``event`` may start a clock of ``policy`` that counts team hours (else no team's
    hours are read: no query)."""
    return any(
        r.enabled and r.counting is Counting.TEAM_HOURS and any(t.event == event for t in r.start)
        for r in policy.clocks.values()
    )


def team_hours_for(
    team: Team | int | None, *, policy: Policy, calendar: WorkingCalendar
) -> WorkingHours | None:
    """The working hours of ``team`` (a Team, or its id: one query) on ``calendar``, in the
    policy's office time zone; None when there is no team or it has no hours set (its clocks then
    count the wall clock)."""
    if team is None:
        return None
    if isinstance(team, Team):
        raw = team.working_hours
    else:
        raw = Team.objects.filter(pk=team).values_list("working_hours", flat=True).first()
    if not raw:
        return None
    try:
        week = WeekHours.from_mapping(raw)
        return WorkingHours(week, calendar, policy.office_day.office_day().zone)
    except HoursError:
        return None  # the back office refuses such a week; a hand-edited one counts the wall


def order_team(order: Any) -> Team | int | None:
    """The order's team as loaded with it (no query), else its id."""
    if order.team_id is None:
        return None
    cached: Team | None = order._state.fields_cache.get("team")
    return cached if cached is not None and cached.pk == order.team_id else order.team_id


def counts_in_team_hours(clock: Clock) -> bool:
    """Whether the rule ``clock`` started under counts team hours (按班组工作时间计). Load the
    clock with ``select_related("policy_version")`` to spare a query per clock."""
    rule = _policy_of(clock).clocks.get(clock.rule_id)
    return rule is not None and rule.counting is Counting.TEAM_HOURS


def clock_hours(clock: Clock) -> WorkingHours | None:
    """The hours a clock counts in: its order's team's, when the rule it started under counts
    team hours and the team has hours set; else None (the wall clock). For moving a deadline by
    a pause: ``propdesk.policy.hours.shift_due(clock.due_at, paused_from, paused_to,
    clock_hours(clock))``."""
    policy = _policy_of(clock)
    rule = policy.clocks.get(clock.rule_id)
    if rule is None or rule.counting is not Counting.TEAM_HOURS or clock.order_id is None:
        return None
    return team_hours_for(
        order_team(clock.order), policy=policy, calendar=OfficeCalendar(clock.community_id)
    )
