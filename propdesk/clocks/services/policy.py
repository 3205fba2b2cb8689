"""The policy a community works under (stored by version) and its working calendar."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from django.db import transaction

from propdesk.clocks.models import (
    CalendarDay,
    Clock,
    PolicyVersion,
)
from propdesk.community.models import Community
from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.rules import Policy, load_policy, parse_policy

# --- policy and calendar -------------------------------------------------------------------------

_version_ids: dict[tuple[int, str], int] = {}


def policy_for(community: Community) -> tuple[Policy, int]:
    """The community's effective policy and the id of its stored version (made on first use)."""
    policy = load_policy(community.policy)
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
