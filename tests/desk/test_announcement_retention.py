"""Done announcements are not kept forever: the worker's ``desk.purge`` job deletes those done
longer ago than settings.ANNOUNCEMENT_RETENTION_DAYS (one done exactly that long ago stays), in
short batches, and never a pending row or one given up on (its error is the only record that the
staff were not told)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from propdesk.core.jobs import registered_jobs
from propdesk.desk.models import Announcement
from propdesk.desk.services import telling
from propdesk.notify.models import Notification
from tests.core.test_settings import manage
from tests.desk.test_dispatch import create
from tests.notify.helpers import run_telling

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
TICK = timedelta(microseconds=1)


def purge(clock) -> int:
    return registered_jobs()["desk.purge"](clock.now())


def test_a_done_row_is_kept_exactly_at_the_retention_age_and_deleted_just_after(
    office, clock
) -> None:
    order = create(office, clock)
    run_telling(clock)
    row = Announcement.objects.get(order=order)
    assert row.done_at == clock.now()
    clock.advance(days=30)  # the default: done exactly 30 days ago
    assert purge(clock) == 0
    assert Announcement.objects.filter(pk=row.pk).exists()
    clock.at = row.done_at + 30 * DAY + TICK
    assert purge(clock) == 1
    assert not Announcement.objects.filter(pk=row.pk).exists()
    # What it told stays: the notifications are the staff's, not the announcement's.
    assert Notification.objects.filter(cause=f"order-routed:{order.pk}").exists()


@override_settings(ANNOUNCEMENT_RETENTION_DAYS=7)
def test_the_retention_is_the_setting_and_counts_from_when_the_row_was_done(office, clock) -> None:
    create(office, clock)
    clock.advance(days=3)  # the worker was down for three days: done three days after the event
    run_telling(clock)
    done_at = Announcement.objects.get().done_at
    clock.at = done_at + 7 * DAY
    assert purge(clock) == 0
    clock.at = done_at + 7 * DAY + TICK
    assert purge(clock) == 1
    assert not Announcement.objects.exists()


def test_pending_and_given_up_rows_are_never_deleted(office, clock, monkeypatch) -> None:
    told = create(office, clock)
    run_telling(clock)
    failing = create(office, clock, kind="complaint")
    monkeypatch.setattr(telling, "notifications_create", _crash)
    for _tick in range(telling.ANNOUNCE_MAX_ATTEMPTS):
        run_telling(clock)
    given_up = Announcement.objects.get(order=failing, event="complaint_created")
    assert (given_up.attempts, given_up.done_at) == (telling.ANNOUNCE_MAX_ATTEMPTS, None)
    monkeypatch.undo()
    # A pending row the worker never reached (written long ago, never done).
    pending = create(office, clock)
    Announcement.objects.filter(order=pending).update(attempts=3, last_error="boom")
    clock.advance(days=365)
    assert purge(clock) == 1
    assert not Announcement.objects.filter(order=told).exists()
    assert set(Announcement.objects.values_list("order_id", "done_at")) == {
        (failing.pk, None),
        (pending.pk, None),
    }
    assert Announcement.objects.get(pk=given_up.pk).last_error == "always"


def _crash(**kw: object) -> None:
    raise RuntimeError("always")


def test_a_backlog_goes_in_batches_of_the_batch_size_oldest_first(office, clock) -> None:
    orders = [create(office, clock) for _ in range(5)]
    run_telling(clock)
    clock.advance(days=31)
    young = create(office, clock)
    run_telling(clock)
    with CaptureQueriesContext(connection) as queries:
        assert telling.announcements_purge(now=clock.now(), batch_size=2) == 5
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 2 + 2 + 1: each its own short transaction
    assert list(Announcement.objects.values_list("order_id", flat=True)) == [young.pk]
    assert len(orders) == 5


def test_a_purge_out_of_time_stops_between_batches(office, clock) -> None:
    for _ in range(3):
        create(office, clock)
    run_telling(clock)
    clock.advance(days=31)
    assert telling.announcements_purge(now=clock.now(), batch_size=1, budget_seconds=0) == 0
    assert Announcement.objects.count() == 3
    assert telling.announcements_purge(now=clock.now(), batch_size=1) == 3


def test_nothing_old_enough_is_one_read_and_no_write(office, clock) -> None:
    create(office, clock)
    run_telling(clock)
    with CaptureQueriesContext(connection) as queries:
        assert purge(clock) == 0
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]


@pytest.mark.django_db(databases=[])
@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("ANNOUNCEMENT_RETENTION_DAYS", "days"),
        ("NOTIFICATION_RETENTION_DAYS", "days"),
        ("NOTIFICATION_DELIVERY_RETENTION_DAYS", "days"),
        ("LOGIN_LOG_RETENTION_DAYS", "days"),
        ("PORTAL_CODE_RETENTION_HOURS", "hours"),
    ],
)
def test_a_retention_below_one_is_refused_at_start(name: str, unit: str) -> None:
    r = manage("check", SECRET_KEY=secrets.token_urlsafe(50), **{name: "0"})
    assert r.returncode != 0
    assert f"{name} must be a whole number of {unit}, 1 or more" in r.stderr
