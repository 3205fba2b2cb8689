"""django-axes' records do not pile up: the worker's ``core.logins`` job deletes the login and
failure logs older than settings.LOGIN_LOG_RETENTION_DAYS (one exactly that old stays), oldest
first in short batches, and the lockout counters whose cool-off is over; a lockout still in force
is kept (the right password is still refused after the purge)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from propdesk.core.housekeeping import login_records_purge
from propdesk.core.jobs import registered_jobs
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456!"  # tests/factories.py
SECOND = timedelta(seconds=1)
DAYS = timedelta(days=settings.LOGIN_LOG_RETENTION_DAYS)


def login(ip: str, username: str, password: str) -> tuple[int, bool]:
    c = Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="zh-hans")
    r = c.post("/desk/login/", {"username": username, "password": password})
    return r.status_code, "_auth_user_id" in c.session


def _at(model, when, **fields):
    row = model.objects.create(user_agent="test", ip_address="10.0.0.1", username="wang", **fields)
    model.objects.filter(pk=row.pk).update(attempt_time=when)  # axes stamps the wall clock
    return row.pk


def test_logs_exactly_the_retention_old_stay_one_second_older_go() -> None:
    now = timezone.now().replace(microsecond=0)
    assert settings.LOGIN_LOG_RETENTION_DAYS == 180
    older = _at(AccessLog, now - DAYS - SECOND)
    exact = _at(AccessLog, now - DAYS)
    failed_older = _at(AccessFailureLog, now - DAYS - SECOND, locked_out=True)
    failed_exact = _at(AccessFailureLog, now - DAYS)
    got = login_records_purge(now)
    assert got == {"accesslog": 1, "accessfailurelog": 1, "accessattempt": 0}
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [exact]
    assert list(AccessFailureLog.objects.values_list("pk", flat=True)) == [failed_exact]
    assert older not in set(AccessLog.objects.values_list("pk", flat=True))
    assert failed_older not in set(AccessFailureLog.objects.values_list("pk", flat=True))


@override_settings(LOGIN_LOG_RETENTION_DAYS=7)
def test_the_retention_is_the_setting() -> None:
    now = timezone.now()
    _at(AccessLog, now - timedelta(days=7) - SECOND)
    kept = _at(AccessLog, now - timedelta(days=7) + SECOND)
    assert login_records_purge(now)["accesslog"] == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [kept]


def test_a_lockout_in_force_survives_the_purge_and_goes_once_its_cool_off_is_over() -> None:
    f.UserFactory(username="wang", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("10.0.0.1", "wang", "wrong-password")
    assert login("10.0.0.1", "wang", PASSWORD) == (429, False)
    cool_off = settings.AXES_COOLOFF_TIME
    # The worker's job, now: nothing of the lockout goes.
    before = set(AccessAttempt.objects.values_list("pk", "attempt_time"))
    registered_jobs()["core.logins"](timezone.now())
    assert set(AccessAttempt.objects.values_list("pk", "attempt_time")) == before
    assert login("10.0.0.1", "wang", PASSWORD) == (429, False)
    last = AccessAttempt.objects.order_by("-attempt_time").first()
    assert last is not None
    # Exactly the cool-off after the last try axes still counts it; a second later it does not.
    login_records_purge(last.attempt_time + cool_off)
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [last.pk]
    assert login_records_purge(last.attempt_time + cool_off + SECOND)["accessattempt"] == 1
    assert not AccessAttempt.objects.exists()
    # The failures stay in their log (the back office's record).
    assert AccessFailureLog.objects.filter(username="wang", locked_out=True).exists()


def test_the_job_uses_the_wall_clock_not_the_injected_one(clock) -> None:
    young = _at(AccessLog, timezone.now() - timedelta(days=1))
    clock.advance(days=3650)  # a demo clock far ahead empties no log
    assert registered_jobs()["core.logins"](clock.now()) == 0
    assert AccessLog.objects.filter(pk=young).exists()


def test_a_backlog_goes_in_batches_oldest_first_and_stops_at_the_first_young_row() -> None:
    now = timezone.now()
    old = [_at(AccessLog, now - DAYS - timedelta(hours=5 - i)) for i in range(5)]
    young = _at(AccessLog, now - timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        assert login_records_purge(now, batch_size=2)["accesslog"] == 5
    deletes = [q["sql"] for q in queries.captured_queries if "DELETE" in q["sql"].split()[0]]
    assert len(deletes) == 3  # 2 + 2 + 1, each its own short transaction
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [young]
    assert len(old) == 5


def test_nothing_old_is_reads_only() -> None:
    _at(AccessLog, timezone.now())
    _at(AccessFailureLog, timezone.now())
    with CaptureQueriesContext(connection) as queries:
        assert sum(login_records_purge(timezone.now()).values()) == 0
    # One row of each log (its oldest) and the lapsed lockout counters: three reads, no write.
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"] * 3
