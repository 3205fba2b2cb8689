"""Sign-in codes do not pile up: the worker's ``portal.codes`` job deletes the codes expired
longer ago than settings.PORTAL_CODE_RETENTION_HOURS (one expired exactly that long ago stays),
in short batches, and never one the rate limits still count (sent within their longest window)
or one that still works."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from propdesk.core.jobs import registered_jobs
from propdesk.portal.jobs import sign_in_codes_purge
from propdesk.portal.models import SignInCode
from tests.portal.helpers import ask_code, last_code, send_code

pytestmark = pytest.mark.django_db

OWNER = "13812345678"  # 张伟, owner of 3-2-1502 (tests/conftest.py make_office)
SECOND = timedelta(seconds=1)


def purge(clock) -> int:
    """The codes' part of the job (its lock rows: tests/portal/test_throttle_retention.py)."""
    return sign_in_codes_purge(now=clock.now())


def test_a_code_expired_exactly_the_retention_ago_stays_one_second_older_goes(
    office, clock
) -> None:
    c = Client()
    assert ask_code(c, OWNER).status_code == 302
    assert send_code(c, last_code(OWNER)).status_code == 302  # used: signed in
    code = SignInCode.objects.get()
    assert code.used_at is not None
    clock.at = code.expires_at + timedelta(hours=24)  # the default retention
    assert purge(clock) == 0
    assert SignInCode.objects.filter(pk=code.pk).exists()
    clock.at += SECOND
    assert purge(clock) == 1
    assert not SignInCode.objects.exists()


@override_settings(PORTAL_CODE_RETENTION_HOURS=1)
def test_codes_the_daily_limit_still_counts_stay_whatever_the_retention(office, clock) -> None:
    c = Client()
    for _ in range(10):
        assert ask_code(c, OWNER, ip="10.0.2.1").status_code == 302
        clock.advance(hours=1)
    # Codes 1-9 expired more than an hour ago, but all ten were sent within the day.
    assert purge(clock) == 0
    assert SignInCode.objects.count() == 10
    r = ask_code(c, OWNER, ip="10.0.2.1")
    assert r.status_code == 429
    assert "请14小时后再试" in r.content.decode()
    first = SignInCode.objects.order_by("sent_at").first()
    assert first is not None
    # The first leaves the day's window exactly 24 hours after it was sent: it still counts
    # one second before, and goes one second after.
    clock.at = first.sent_at + timedelta(days=1) - SECOND
    assert purge(clock) == 0
    clock.at = first.sent_at + timedelta(days=1) + SECOND
    assert purge(clock) == 1
    assert SignInCode.objects.count() == 9
    assert ask_code(c, OWNER, ip="10.0.2.1").status_code == 302


@override_settings(PORTAL_CODE_LIMITS="1/60,10/172800")
def test_a_longer_limit_window_keeps_its_codes_longer(office, clock) -> None:
    assert ask_code(Client(), OWNER).status_code == 302
    code = SignInCode.objects.get()
    clock.at = code.expires_at + timedelta(hours=25)  # past the retention, inside two days
    assert purge(clock) == 0
    clock.at = code.sent_at + timedelta(days=2) + SECOND
    assert purge(clock) == 1


@override_settings(PORTAL_CODE_TTL_SECONDS=3 * 86400)
def test_a_code_that_still_works_is_never_deleted(office, clock) -> None:
    c = Client()
    assert ask_code(c, OWNER).status_code == 302
    code = last_code(OWNER)
    clock.advance(days=2, hours=23)  # sent long ago, still working for an hour
    assert purge(clock) == 0
    assert send_code(c, code).status_code == 302  # it still signs in


def _codes(clock, n: int) -> list[int]:
    now = clock.now()
    rows = [
        SignInCode(
            phone=OWNER,
            client_ip="10.0.0.1",
            code_hash="x" * 64,
            sent_at=now + timedelta(minutes=i),
            expires_at=now + timedelta(minutes=i + 5),
            burned=True,
        )
        for i in range(n)
    ]
    return [r.pk for r in SignInCode.objects.bulk_create(rows)]


def test_a_backlog_goes_in_batches_oldest_first(office, clock) -> None:
    _codes(clock, 5)
    clock.advance(days=1, minutes=8)  # the first three expired more than a day ago
    with CaptureQueriesContext(connection) as queries:
        assert sign_in_codes_purge(now=clock.now(), batch_size=2) == 3
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 2  # 2 + 1, each its own short transaction
    assert SignInCode.objects.count() == 2
    assert sign_in_codes_purge(now=clock.now(), batch_size=2, budget_seconds=0) == 0


def test_nothing_old_enough_is_one_read_and_no_write(office, clock) -> None:
    _codes(clock, 3)
    with CaptureQueriesContext(connection) as queries:
        assert registered_jobs()["portal.codes"](clock.now()) == 0
    # One read of the codes, one of the rate limit's lock rows.
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT", "SELECT"]
