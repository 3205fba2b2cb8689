"""The staff's bell does not grow forever: the worker's ``notify.purge`` job deletes the in-app
notifications read longer ago than settings.NOTIFICATION_RETENTION_DAYS (one read exactly that long
ago stays), in short batches; never an unread one, never one the delivery has not finished with,
never a failed delivery the head may still retry. A read summary goes with its items."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from propdesk.core.jobs import registered_jobs
from propdesk.notify.cap import DIGEST_KIND
from propdesk.notify.models import DigestItem, Notification
from propdesk.notify.services import notification_read, notifications_purge
from tests.notify.helpers import deliver, notify

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)
DAYS = timedelta(days=180)


def purge(clock) -> int:
    """The in-app part of the job (delivery records: tests/notify/test_delivery_retention.py)."""
    return notifications_purge(now=clock.now())


def _in_app(user, cause: str) -> Notification:
    return Notification.objects.get(recipient=user, channel="in_app", cause=cause)


def test_read_exactly_the_retention_ago_stays_one_second_older_goes(office, clock) -> None:
    office.head.email = "head@example.com"
    office.head.save(update_fields=["email"])
    notify(office, [office.head, office.administrator], clock, cause="c:1")
    deliver(clock)
    clock.advance(hours=2)
    read = notification_read(notification=_in_app(office.head, "c:1"), now=clock.now())
    unread = _in_app(office.administrator, "c:1")
    assert (read.state, unread.state) == ("sent", "sent")
    email_rows = set(Notification.objects.exclude(channel="in_app").values_list("pk", flat=True))
    assert email_rows  # the head's e-mail of the same cause
    clock.at = read.read_at + DAYS
    assert purge(clock) == 0
    assert Notification.objects.filter(pk=read.pk).exists()
    clock.at += SECOND
    assert purge(clock) == 1
    assert not Notification.objects.filter(pk=read.pk).exists()
    # The unread one and the other channels' records of the same cause stay (they have their
    # own retention, counted from their sending: tests/notify/test_delivery_retention.py).
    clock.advance(days=3650)
    assert purge(clock) == 0
    assert Notification.objects.filter(pk=unread.pk, read_at=None).exists()
    assert set(Notification.objects.exclude(channel="in_app").values_list("pk", flat=True)) == (
        email_rows
    )


@override_settings(NOTIFICATION_RETENTION_DAYS=7)
def test_the_retention_is_the_setting_and_counts_from_the_reading(office, clock) -> None:
    notify(office, [office.head], clock, cause="c:1")
    deliver(clock)
    clock.advance(days=30)  # read a month after it came
    read = notification_read(notification=_in_app(office.head, "c:1"), now=clock.now())
    clock.at = read.read_at + timedelta(days=7)
    assert purge(clock) == 0
    clock.at += SECOND
    assert purge(clock) == 1


def test_read_rows_the_delivery_or_the_head_still_needs_stay(office, clock) -> None:
    notify(office, [office.head], clock, cause="pending")  # the worker never reached it
    notify(office, [office.head], clock, cause="failed")
    notification_read(notification=_in_app(office.head, "pending"), now=clock.now())
    failed = notification_read(notification=_in_app(office.head, "failed"), now=clock.now())
    Notification.objects.filter(pk=failed.pk).update(state="failed", last_error="boom")
    clock.advance(days=3650)
    assert purge(clock) == 0
    assert set(Notification.objects.values_list("cause", "state")) == {
        ("pending", "pending"),
        ("failed", "failed"),
    }


def test_a_read_summary_goes_with_its_items(office, clock) -> None:
    start = clock.at
    for i in range(25):  # 20 of their own, 5 folded into one summary
        clock.at = start + timedelta(seconds=i)
        notify(office, [office.head], clock, cause=f"c:{i}")
    deliver(clock)
    digest = Notification.objects.get(recipient=office.head, kind=DIGEST_KIND)
    assert DigestItem.objects.filter(digest=digest).count() == 5
    notification_read(notification=digest, now=clock.now())
    clock.advance(days=181)
    assert purge(clock) == 1
    assert not DigestItem.objects.exists()
    assert Notification.objects.filter(recipient=office.head, read_at=None).count() == 20


def test_a_backlog_goes_in_batches_oldest_read_first(office, clock) -> None:
    for i in range(5):
        notify(office, [office.head], clock, cause=f"c:{i}")
    deliver(clock)
    for i in range(5):
        clock.advance(minutes=1)
        notification_read(notification=_in_app(office.head, f"c:{i}"), now=clock.now())
    clock.advance(days=180, seconds=-59)  # the first four read more than 180 days ago
    with CaptureQueriesContext(connection) as queries:
        assert notifications_purge(now=clock.now(), batch_size=3) == 4
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 2 * 2  # two batches (3 + 1), each its items' DELETE and its own
    assert list(Notification.objects.values_list("cause", flat=True)) == ["c:4"]
    assert notifications_purge(now=clock.now(), batch_size=3, budget_seconds=0) == 0


def test_nothing_old_enough_is_one_read_and_no_write(office, clock) -> None:
    notify(office, [office.head], clock)
    deliver(clock)
    notification_read(notification=_in_app(office.head, "test:1"), now=clock.now())
    with CaptureQueriesContext(connection) as queries:
        assert registered_jobs()["notify.purge"](clock.now()) == 0
    # One read each: the read in-app rows, the delivery records, the residents' messages.
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"] * 3
