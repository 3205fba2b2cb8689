"""Housekeeping the worker does for Django's own tables and those of the libraries it uses, and
the batched delete every retention job of the house shares (``purge_in_batches``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, models, transaction
from django.utils import timezone

from propdesk.core.jobs import periodic_job
from propdesk.core.sqlite.stats import statistics_refresh

log = logging.getLogger(__name__)

SESSION_BATCH = 500

# One batch is one short write transaction (a DELETE by primary key). On SQLite it holds the one
# write lock, so a batch there is small and the job leaves the lock free as long again after it
# (the measure of desk.purge: 200 rows ~2 ms, bench/purge.py). PostgreSQL locks only those rows.
PURGE_BATCH_SIZE = 1000
PURGE_BATCH_SIZE_SQLITE = 200
PURGE_TICK_BUDGET_SECONDS = 1.0


def purge_batch_size() -> int:
    return PURGE_BATCH_SIZE_SQLITE if connection.vendor == "sqlite" else PURGE_BATCH_SIZE


def purge_in_batches(
    model: type[models.Model],
    pick: Callable[[int], Sequence[Any]],
    still: models.Q,
    *,
    batch_size: int | None = None,
    budget_seconds: float = PURGE_TICK_BUDGET_SECONDS,
    lock: bool = False,
) -> int:
    """Delete rows of ``model`` batch by batch until none is left or ``budget_seconds`` of real
    time have gone: ``pick(n)`` reads the ids of at most n rows to go (no write lock: a tick
    with nothing to do is one read), and each batch deletes those of them that still match
    ``still`` (the rule checked again inside the write) in its own transaction; rows pointing to
    them with CASCADE go with them (Django's collector). On SQLite the lock is left free as long
    as a batch held it. Returns how many rows of ``model`` were deleted (logged when any).

    The rule is checked in the DELETE's own WHERE when Django deletes at once (no row points
    to the model); otherwise Django reads the rows and deletes them by id. ``lock``: rows whose
    rule can stop holding meanwhile (a failed delivery retried): on PostgreSQL the batch first
    locks those still matching (FOR UPDATE re-checks the rule on a row changed meanwhile), so
    the collector deletes only them. SQLite's batch holds the one write lock throughout."""
    size = batch_size or purge_batch_size()
    label = model._meta.label
    started = time.monotonic()
    deleted = 0
    sqlite = connection.vendor == "sqlite"
    while time.monotonic() - started < budget_seconds:
        ids = list(pick(size))
        if not ids:
            break
        began = time.monotonic()
        with transaction.atomic():
            batch = model._default_manager.filter(still, pk__in=ids)
            if lock and connection.features.has_select_for_update:
                held = list(batch.select_for_update().values_list("pk", flat=True))
                batch = model._default_manager.filter(pk__in=held)
            _n, rows = batch.delete()
        deleted += rows.get(label, 0)
        if len(ids) < size:
            break
        if sqlite:
            time.sleep(time.monotonic() - began)  # leave the write lock free as long again
    if deleted:
        log.info("retention: %d %s deleted", deleted, label)
    return deleted


def expired_sessions_delete(now: datetime) -> int:
    """Delete the sessions expired at ``now`` as Django counts them (usable while
    ``expire_date`` is after now: one expiring exactly now is already unusable and goes), at
    most SESSION_BATCH, oldest first. Read first, so nothing expired takes no write lock."""
    ids = list(
        Session.objects.filter(expire_date__lte=now)
        .order_by("expire_date")
        .values_list("session_key", flat=True)[:SESSION_BATCH]
    )
    if not ids:
        return 0
    with transaction.atomic():
        deleted, _rows = Session.objects.filter(pk__in=ids, expire_date__lte=now).delete()
    return deleted


# A minute: an expired session is refused by Django at once; this only deletes the row.
@periodic_job("core.sessions", every=60)
def sessions_purge(now: datetime) -> int:
    """Expired sign-ins are deleted, which Django leaves to a ``clearsessions`` nobody runs.
    Against the wall clock, not the tick's injected one: Django stamps and checks a session's
    expiry with the wall clock, and a demo clock set ahead must not sign everyone out."""
    del now
    return expired_sessions_delete(timezone.now())


# --- django-axes' records (login throttling) ----------------------------------------------------


def _oldest_logs(
    model: type[AccessLog] | type[AccessFailureLog], cutoff: datetime
) -> Callable[[int], list[int]]:
    """The ids of the oldest rows stamped before ``cutoff``, by primary key: axes stamps
    ``attempt_time`` once, at the insert, with the wall clock (so ids grow with it) and indexes
    no time column. The leading old rows are taken and the first young one ends the batch, so a
    tick with nothing old reads one row, never the whole log."""

    def pick(size: int) -> list[int]:
        oldest = model.objects.order_by("id").values_list("attempt_time", flat=True).first()
        if oldest is None or oldest >= cutoff:
            return []  # the usual tick: one row read
        rows = model.objects.order_by("id").values_list("id", "attempt_time")[:size]
        out: list[int] = []
        for pk, at in rows:
            if at >= cutoff:
                break
            out.append(pk)
        return out

    return pick


def login_records_purge(
    now: datetime, *, batch_size: int | None = None, budget_seconds: float | None = None
) -> dict[str, int]:
    """Delete django-axes' records that nothing needs any more, at ``now`` (aware, the wall
    clock axes stamps them with):

    - the login logs (AccessLog: each sign-in and sign-out) and the failure logs
      (AccessFailureLog: each wrong password) stamped longer ago than
      settings.LOGIN_LOG_RETENTION_DAYS (one exactly that old stays), oldest first;
    - the attempts (AccessAttempt, the counters a lockout is decided by) no longer counted:
      axes counts an attempt while ``attempt_time`` is at or after now − the cool-off
      (``axes.helpers.get_cool_off``, LOGIN_COOLOFF_MINUTES), so one exactly that old stays
      and every lockout still in force with it. With ``AXES_USE_ATTEMPT_EXPIRATION`` an attempt
      goes once its own expiry has passed; with no cool-off (locks until reset) none goes.

    Returns the rows deleted per table."""
    budget = PURGE_TICK_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    keep = now - timedelta(days=settings.LOGIN_LOG_RETENTION_DAYS)
    out: dict[str, int] = {}
    for model in (AccessLog, AccessFailureLog):
        out[model._meta.model_name or ""] = purge_in_batches(
            model,
            _oldest_logs(model, keep),
            models.Q(attempt_time__lt=keep),
            batch_size=batch_size,
            budget_seconds=budget,
        )
    cool_off = get_cool_off()
    if axes_settings.AXES_USE_ATTEMPT_EXPIRATION:
        over = models.Q(expiration__expires_at__lt=now)
    elif cool_off is not None:
        over = models.Q(attempt_time__lt=now - cool_off)
    else:
        over = None
    if over is not None:
        # A small table (a row per account and address that failed lately; axes also cleans it
        # at each login), so read by its rule directly.
        attempts = AccessAttempt.objects.filter(over)

        def pick(size: int) -> list[int]:
            return list(attempts.order_by("id").values_list("id", flat=True)[:size])

        out["accessattempt"] = purge_in_batches(
            AccessAttempt, pick, over, batch_size=batch_size, budget_seconds=budget
        )
    return out


# A minute: axes counts by the time itself; this only deletes records past their use.
@periodic_job("core.logins", every=60)
def logins_purge(now: datetime) -> int:
    """django-axes keeps every login, failure and lockout counter forever (its own clean-up is
    management commands nobody runs, each deleting all at once): the worker deletes those past
    their use. Against the wall clock, like core.sessions: axes stamps and counts them with it,
    and a demo clock set ahead must not lift a lockout or empty the log."""
    del now
    return sum(login_records_purge(timezone.now()).values())


# --- SQLite's planner statistics ----------------------------------------------------------------

OPTIMIZE_EVERY_SECONDS = 3600.0
_last_optimize: float | None = None  # this process's last run (time.monotonic())


# A minute: the job itself counts its hour; a minute keeps its thread seen alive by /health/.
@periodic_job("core.optimize", every=60)
def optimize(now: datetime) -> int:
    """SQLite's statistics for its query planner (propdesk.core.sqlite.stats), refreshed at the
    first tick of a worker and then once an hour of real time; on PostgreSQL nothing (autovacuum
    analyzes). Returns how many tables were analyzed."""
    global _last_optimize
    del now
    if connection.vendor != "sqlite":
        return 0
    started = time.monotonic()
    if _last_optimize is not None and started - _last_optimize < OPTIMIZE_EVERY_SECONDS:
        return 0
    _last_optimize = started
    return len(statistics_refresh(connection))
