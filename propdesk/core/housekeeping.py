"""Housekeeping the worker does for Django's own tables."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from propdesk.core.jobs import periodic_job

SESSION_BATCH = 500


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


@periodic_job("core.sessions")
def sessions_purge(now: datetime) -> int:
    """Expired sign-ins are deleted, which Django leaves to a ``clearsessions`` nobody runs.
    Against the wall clock, not the tick's injected one: Django stamps and checks a session's
    expiry with the wall clock, and a demo clock set ahead must not sign everyone out."""
    del now
    return expired_sessions_delete(timezone.now())
