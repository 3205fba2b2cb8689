"""CS-3 sign-up at once, for real: desks in separate threads with their own database connections
(PostgreSQL: row locks; SQLite: one writer at a time) never take more places than there are."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from propdesk.concierge.models import ActivitySignup
from propdesk.concierge.services import activities as svc
from propdesk.core.errors import Conflict
from tests import factories as f
from tests.clocks.conftest import sh
from tests.concierge.conftest import Acts

pytestmark = pytest.mark.django_db(transaction=True)


def test_cs3_six_desks_at_once_fill_four_places_and_no_more(office, clock) -> None:
    acts = Acts(office, clock)
    a = acts.plan(sh(2026, 12, 20, 9, 0), capacity=4)
    acts.announce(a)
    homes = [
        f.HouseholdFactory(
            unit=office.household.unit, community=office.community, room=f"{r}01", code=f"3-2-{r}01"
        )
        for r in range(20, 26)
    ]
    barrier = threading.Barrier(6)

    def attempt(household) -> str:
        try:
            barrier.wait()
            svc.activity_signup(
                activity_id=a.pk, household=household, by=office.receptionist, now=clock.now()
            )
        except Conflict as exc:
            return exc.code
        finally:
            connections.close_all()
        return "ok"

    with ThreadPoolExecutor(6) as pool:
        results = sorted(pool.map(attempt, homes))
    assert results == ["full", "full", "ok", "ok", "ok", "ok"], connection.vendor
    assert ActivitySignup.objects.filter(activity=a).count() == 4


def test_cs3_one_household_twice_at_once_is_signed_up_once(office, clock) -> None:
    acts = Acts(office, clock)
    a = acts.plan(sh(2026, 12, 20, 9, 0), capacity=10)
    acts.announce(a)
    barrier = threading.Barrier(2)

    def attempt(_i: int) -> str:
        try:
            barrier.wait()
            svc.activity_signup(
                activity_id=a.pk,
                household=office.household,
                by=office.receptionist,
                now=clock.now(),
            )
        except Conflict as exc:
            return exc.code
        finally:
            connections.close_all()
        return "ok"

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(attempt, range(2)))
    assert results == ["already_signed_up", "ok"], connection.vendor
    assert ActivitySignup.objects.count() == 1
