"""The delivery records do not grow forever: the worker's ``notify.purge`` job deletes the staff's
e-mail, SMS and webhook rows and the residents' text messages once written and sent (or failed
for good) longer ago than settings.NOTIFICATION_DELIVERY_RETENTION_DAYS (six months; one exactly
that old stays), in short batches. Never one pending or sending, whatever its age; never an
in-app row (their own rule: test_retention.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from propdesk.notify.models import Notification, ResidentMessage
from propdesk.notify.residents import resident_message_queue, resident_messages_deliver
from propdesk.notify.services import (
    _claim,
    _delivery_rules,
    _oldest,
    delivery_records_purge,
    notification_retry,
)
from tests.notify.helpers import deliver, endpoint, notify
from tests.threads import held_in_another_thread

SECOND = timedelta(seconds=1)
DAYS = timedelta(days=180)
OWNER = "13812345678"


def purge(clock) -> dict[str, int]:
    return delivery_records_purge(now=clock.now())


def left(**filters) -> set[tuple[str, str]]:
    return set(Notification.objects.filter(**filters).values_list("channel", "state"))


@pytest.mark.django_db
def test_sent_records_written_exactly_the_retention_ago_stay_one_second_older_go(
    office, clock, receiver
) -> None:
    office.head.email = "head@example.com"
    office.head.save(update_fields=["email"])
    endpoint(office, "generic", url=receiver.url)
    notify(office, [office.head], clock, cause="c:1")
    written = clock.now()
    deliver(clock)
    assert left() == {("in_app", "sent"), ("email", "sent"), ("webhook", "sent")}
    clock.at = written + DAYS
    assert purge(clock) == {"notification": 0, "residentmessage": 0}
    clock.at += SECOND
    assert purge(clock) == {"notification": 2, "residentmessage": 0}
    # The bell's own row (unread) stays: the in-app rows have their own rule.
    assert left() == {("in_app", "sent")}
    assert purge(clock) == {"notification": 0, "residentmessage": 0}  # idempotent


@pytest.mark.django_db
@override_settings(NOTIFICATION_DELIVERY_RETENTION_DAYS=7)
def test_the_retention_is_its_own_setting(office, clock) -> None:
    office.head.email = "head@example.com"
    office.head.save(update_fields=["email"])
    notify(office, [office.head], clock)
    deliver(clock)
    clock.advance(days=7)
    assert purge(clock)["notification"] == 0
    clock.at += SECOND
    assert purge(clock)["notification"] == 1


@pytest.mark.django_db
def test_a_failed_delivery_retried_late_counts_from_its_sending(
    office, clock, receiver, settings
) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 1
    receiver.status = 503
    endpoint(office, "generic", url=receiver.url)
    notify(office, [office.head], clock)
    deliver(clock)
    row = Notification.objects.get(channel="webhook")
    assert row.state == "failed"
    clock.advance(days=100)  # the head retries it, and it goes through
    receiver.status = 200
    notification_retry(notification=row, now=clock.now())
    deliver(clock)
    row.refresh_from_db()
    assert (row.state, row.sent_at) == ("sent", clock.now())
    clock.advance(days=180)
    assert purge(clock)["notification"] == 0  # written 280 days ago, sent 180 days ago
    clock.at += SECOND
    assert purge(clock)["notification"] == 1


@pytest.mark.django_db
def test_pending_and_sending_records_are_never_deleted_failed_ones_go(
    office, clock, receiver
) -> None:
    office.head.email = "head@example.com"
    office.head.save(update_fields=["email"])
    receiver.status = 503
    endpoint(office, "generic", url=receiver.url)
    notify(office, [office.head], clock)
    deliver(clock, max_batches=0)  # the rows are written while the address exists
    office.head.email = ""
    office.head.save(update_fields=["email"])
    deliver(clock)
    assert left(channel__in=["email", "webhook"]) == {("email", "failed"), ("webhook", "pending")}
    clock.advance(days=3650)
    assert purge(clock)["notification"] == 1
    assert left(channel__in=["email", "webhook"]) == {("webhook", "pending")}
    # A worker claims it and dies mid-send: "sending" ten years later still stays.
    assert len(_claim(clock.now(), 10, "dead-worker")) == 1
    clock.advance(days=3650)
    assert purge(clock)["notification"] == 0
    assert left(channel="webhook") == {("webhook", "sending")}


@pytest.mark.django_db
def test_residents_text_messages_sent_go_pending_ones_stay(office, clock) -> None:
    written = clock.now()
    for cause in ("order:1:v2:dispatch", "order:1:v3:check_in"):
        resident_message_queue(
            community_id=office.community.pk,
            phone=OWNER,
            cause=cause,
            kind="dispatched",
            text="您的报修已派单",
            now=written,
            order_id=1,
        )
    assert resident_messages_deliver(now=written, batch_size=1) == 1
    clock.at = written + DAYS
    assert purge(clock)["residentmessage"] == 0
    clock.at += SECOND
    assert purge(clock)["residentmessage"] == 1
    clock.advance(days=3650)
    assert purge(clock)["residentmessage"] == 0
    assert list(ResidentMessage.objects.values_list("cause", "state")) == [
        ("order:1:v3:check_in", "pending")
    ]


@pytest.mark.django_db
def test_a_backlog_goes_in_batches_oldest_first(office, clock) -> None:
    office.head.email = "head@example.com"
    office.head.save(update_fields=["email"])
    start = clock.now()
    for i in range(5):
        clock.at = start + timedelta(minutes=i)
        notify(office, [office.head], clock, cause=f"c:{i}")
        deliver(clock)
    clock.at = start + DAYS + timedelta(minutes=2, seconds=1)  # the first three are past it
    with CaptureQueriesContext(connection) as queries:
        assert delivery_records_purge(now=clock.now(), batch_size=2)["notification"] == 3
    deletes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('DELETE FROM "notify_notification"')
    ]
    assert len(deletes) == 2  # 2 + 1, each its own short transaction
    assert sorted(Notification.objects.filter(channel="email").values_list("cause", flat=True)) == [
        "c:3",
        "c:4",
    ]
    assert Notification.objects.filter(channel="in_app").count() == 5


@pytest.mark.django_db
@pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="SQLite's planner (the PostgreSQL pass runs the rest)"
)
def test_each_pick_is_a_range_on_its_index_on_sqlite(clock) -> None:
    """The in-app rows (most of the table, many never read) are not walked: the pick names the
    channel as a literal, which SQLite sees implies notif_outgoing's condition (a bound
    ``channel = ?`` it does not). Planned with its bound parameters, as the job runs it."""
    plans = []
    for model, rule in _delivery_rules(clock.now()):
        sql, params = _oldest(model, rule)[:50].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plans.append("\n".join(str(r[-1]) for r in cursor.fetchall()))
    assert "USING INDEX notif_outgoing (created_at<?)" in plans[0], plans[0]
    assert "USING INDEX resmsg_created (created_at<?)" in plans[1], plans[1]
    assert not any("TEMP B-TREE" in plan for plan in plans), plans


@pytest.mark.django_db(transaction=True)
def test_a_failed_delivery_the_head_retries_while_the_purge_deletes_it_is_kept(
    office, clock, receiver, settings
) -> None:
    """The head retries an old failed delivery while the purge has read it as old: the purge's
    batch waits for the retry (PostgreSQL: it locks the rows still failed; SQLite: the write
    lock) and keeps it, now pending."""
    settings.NOTIFY_MAX_ATTEMPTS = 1
    receiver.status = 503
    endpoint(office, "generic", url=receiver.url)
    notify(office, [office.head], clock)
    deliver(clock)
    row = Notification.objects.get(channel="webhook")
    assert row.state == "failed"
    clock.advance(days=200)
    # The purge reads meanwhile, and its batch waits.
    with held_in_another_thread(lambda: notification_retry(notification=row, now=clock.now())):
        deleted = purge(clock)
    assert deleted["notification"] == 0
    assert left(channel="webhook") == {("webhook", "pending")}
