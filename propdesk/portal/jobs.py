"""The portal's periodic work, run by the worker, each job at its own interval."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from propdesk.core.housekeeping import PURGE_TICK_BUDGET_SECONDS, purge_in_batches
from propdesk.core.jobs import periodic_job
from propdesk.portal.models import SignInCode, ThrottleKey
from propdesk.portal.signin import longest_window


def sign_in_codes_purge(
    *,
    now: datetime,
    batch_size: int | None = None,
    budget_seconds: float = PURGE_TICK_BUDGET_SECONDS,
) -> int:
    """Delete the sign-in codes expired longer ago than settings.PORTAL_CODE_RETENTION_HOURS
    before ``now`` (aware; the injected clock the codes are stamped and checked by): one expired
    exactly that long ago stays. A used or burned code expired too (its ``expires_at`` is past
    by then), so the rule covers them. Never one the rate limits still count: a code counts
    while it was sent less than the longest window (signin.longest_window) ago, so codes sent
    within it stay, whatever the retention. Oldest first, in short batches
    (core.housekeeping.purge_in_batches). Returns how many were deleted."""
    longest = longest_window()
    expired_before = now - timedelta(hours=settings.PORTAL_CODE_RETENTION_HOURS)
    sent_before = now - timedelta(seconds=longest)
    rule = Q(expires_at__lt=expired_before, sent_at__lt=sent_before)
    old = SignInCode.objects.filter(rule)

    def pick(size: int) -> list[int]:
        # The sent_at index, oldest first: a tick with nothing old ends at its first entry.
        return list(old.order_by("sent_at", "id").values_list("id", flat=True)[:size])

    return purge_in_batches(
        SignInCode, pick, rule, batch_size=batch_size, budget_seconds=budget_seconds
    )


def throttle_keys_purge(
    *,
    now: datetime,
    batch_size: int | None = None,
    budget_seconds: float = PURGE_TICK_BUDGET_SECONDS,
) -> int:
    """Delete the rate limit's lock rows (ThrottleKey: a row per number and per address)
    untouched for longer than both settings.PORTAL_CODE_RETENTION_HOURS and the limits' longest
    window (signin.longest_window) before ``now`` (aware, the injected clock they are touched
    by): one touched exactly that long ago stays, and so does every row inside its window. A row
    holds no count (the codes do), only the lock: the next ask of its key makes it again.
    Race-safe: the batch's DELETE has the age in its WHERE (no row points to ThrottleKey, so Django
    deletes at once), and an ask takes the row by an upsert that sets ``touched_at``; on
    PostgreSQL the DELETE waits for an ask holding the row and then spares it, and an ask
    waits for a DELETE in progress and then makes the row again; SQLite has one writer at a
    time. Oldest first, in short batches. Returns how many were deleted."""
    longest = longest_window()
    keep = max(timedelta(seconds=longest), timedelta(hours=settings.PORTAL_CODE_RETENTION_HOURS))
    rule = Q(touched_at__lt=now - keep)
    old = ThrottleKey.objects.filter(rule)

    def pick(size: int) -> list[int]:
        return list(old.order_by("touched_at", "id").values_list("id", flat=True)[:size])

    return purge_in_batches(
        ThrottleKey, pick, rule, batch_size=batch_size, budget_seconds=budget_seconds
    )


# A minute: expired codes sign nobody in, and the limits count only what the purge keeps.
@periodic_job("portal.codes", every=60)
def codes_purge(now: datetime) -> int:
    """The residents' one-time sign-in codes are not kept beyond their use and the limits, nor
    the rate limit's lock rows beyond their window."""
    return sign_in_codes_purge(now=now) + throttle_keys_purge(now=now)
