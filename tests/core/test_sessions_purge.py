"""Expired sign-ins do not pile up: the worker's ``core.sessions`` job deletes the sessions Django
no longer accepts (expired at or before now), and keeps every one still usable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from propdesk.core.housekeeping import SESSION_BATCH, expired_sessions_delete
from propdesk.core.jobs import registered_jobs

pytestmark = pytest.mark.django_db

TICK = timedelta(microseconds=1)


def session(expires) -> str:
    store = SessionStore()
    store["who"] = "someone"
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=expires)
    return str(store.session_key)


def test_a_session_expiring_exactly_now_goes_and_one_a_moment_later_stays() -> None:
    now = timezone.now().replace(microsecond=0) + timedelta(days=1)
    session(now)
    session(now - timedelta(days=3))
    stays = session(now + TICK)
    assert expired_sessions_delete(now) == 2
    assert set(Session.objects.values_list("pk", flat=True)) == {stays}
    # What it deleted Django would not have accepted: the one left still opens.
    assert SessionStore(session_key=stays).load() == {"who": "someone"}


def test_the_worker_job_uses_the_wall_clock_and_keeps_usable_sessions(clock) -> None:
    usable = session(timezone.now() + timedelta(hours=1))
    expired = session(timezone.now() - timedelta(seconds=1))
    clock.advance(days=365)  # the injected clock far ahead (a demo clock): nobody is signed out
    assert registered_jobs()["core.sessions"](clock.now()) == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [usable]
    assert expired not in set(Session.objects.values_list("pk", flat=True))


def test_a_tick_deletes_a_bounded_batch_the_rest_go_on_the_next_ones() -> None:
    past = timezone.now() - timedelta(days=1)
    Session.objects.bulk_create(
        Session(session_key=f"k{i:031d}", session_data="", expire_date=past)
        for i in range(SESSION_BATCH + 7)
    )
    assert expired_sessions_delete(timezone.now()) == SESSION_BATCH
    assert expired_sessions_delete(timezone.now()) == 7
    assert expired_sessions_delete(timezone.now()) == 0
