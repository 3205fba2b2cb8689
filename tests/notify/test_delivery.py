"""Real deliveries from the worker, on the injected clock: e-mail to a local SMTP server, signed
webhooks to a local HTTP receiver, retries with backoff while the receiver is down, failed after
the last attempt, and the lease that hands a dead worker's rows to the next."""

from __future__ import annotations

from datetime import timedelta

import pytest

from propdesk.notify import selectors
from propdesk.notify.models import Notification
from propdesk.notify.services import DeliveryReport, _claim, _record
from tests.notify.helpers import deliver, endpoint, notify, states

TITLE = "CP-1 投诉10分钟内安排管理员处理：GD-20261126-0001 已超时（1级）"


@pytest.fixture(autouse=True)
def _exact_backoff(settings):
    settings.NOTIFY_RETRY_JITTER = 0  # the waits below are then exact: 30 s, 60 s, 120 s …


def test_email_arrives_over_smtp_with_chinese_subject_and_body(office, clock, smtp):
    office.head.email = "head@jinxiu.example"
    office.head.name = "王主任"
    office.head.save()
    notify(office, [office.head], clock, cause="clock:7:L1", title=TITLE)

    report = deliver(clock)

    assert (report.expanded, report.claimed, report.sent) == (1, 1, 1)
    assert smtp.envelopes == [("wuye@jinxiu.example", ["head@jinxiu.example"])]
    [mail] = smtp.messages
    assert mail["Subject"].strip() == f"[物业服务台] {TITLE}"
    assert mail["To"] == "head@jinxiu.example"
    assert mail["X-Propdesk-Id"] == f"clock:7:L1:{office.head.pk}:email"
    assert mail["Message-ID"].endswith("@propdesk.notify>")
    body = mail.get_content()
    assert "王主任" in body and TITLE in body
    assert "锦绣花园" in body and "2026-11-26 10:00" in body  # Shanghai time
    row = Notification.objects.get(channel="email")
    assert (row.state, row.attempts, row.sent_at, row.last_error) == ("sent", 1, clock.now(), "")


def test_smtp_server_down_is_retried_then_delivered(office, clock, smtp, settings):
    office.head.email = "head@jinxiu.example"
    office.head.save()
    notify(office, [office.head], clock)
    settings.EMAIL_PORT = smtp.port + 1 if smtp.port < 65535 else smtp.port - 1  # nobody there
    deliver(clock)
    row = Notification.objects.get(channel="email")
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert smtp.messages == []
    settings.EMAIL_PORT = smtp.port
    clock.advance(seconds=30)
    deliver(clock)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)
    assert len(smtp.messages) == 1


def test_signed_webhook_arrives_and_the_receiver_verifies_it(office, clock, receiver):
    e = endpoint(office, "generic", url=receiver.url)
    notify(office, [office.head, office.administrator], clock, cause="clock:7:L1", title=TITLE)

    deliver(clock)

    assert receiver.bad_signatures == 0
    [message] = receiver.received  # one for the group, though two people were notified
    assert message["id"] == f"clock:7:L1:e{e.pk}:webhook"
    assert message["headers"]["x-propdesk-attempt"] == "1"
    assert message["json"]["title"] == TITLE
    assert message["json"]["community"]["name"] == "锦绣花园"
    assert states() == {f"clock:7:L1:e{e.pk}:webhook": ("sent", 1)}


def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(office, clock, receiver):
    endpoint(office, "generic", url=receiver.url, secret="not-the-receivers")
    notify(office, [office.head], clock)
    deliver(clock)
    assert receiver.bad_signatures == 1 and receiver.received == []
    row = Notification.objects.get(channel="webhook")
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error.startswith("HTTP 401")


def test_a_receiver_down_for_a_while_gets_everything_once_when_back(office, clock, receiver):
    e = endpoint(office, "generic", url=receiver.url)
    for i in range(5):
        notify(office, [office.head], clock, cause=f"c:{i}")
    expected = {f"c:{i}:e{e.pk}:webhook" for i in range(5)}
    receiver.close()  # port closed: connection refused

    deliver(clock)  # attempt 1 at 0 s
    assert states() == {k: ("pending", 1) for k in expected}
    deliver(clock)
    clock.advance(seconds=29)
    assert deliver(clock).claimed == 0  # not before its time
    clock.advance(seconds=1)
    assert deliver(clock).retried == 5  # attempt 2 at 30 s, still down
    receiver.open()
    receiver.status = 503  # back, but answering "unavailable"
    clock.advance(seconds=59)
    assert deliver(clock).claimed == 0
    clock.advance(seconds=1)
    assert deliver(clock).retried == 5  # attempt 3 at 90 s
    receiver.status = 200
    clock.advance(seconds=120)
    report = deliver(clock)  # attempt 4 at 210 s

    assert (report.sent, report.retried, report.failed) == (5, 0, 0)
    assert states() == {k: ("sent", 4) for k in expected}
    assert receiver.ids() == {k: 1 for k in expected}  # each arrived once
    assert deliver(clock).claimed == 0


def test_after_the_last_attempt_the_delivery_fails_and_the_head_sees_it(
    office, clock, receiver, settings
):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    receiver.status = 503
    e = endpoint(office, "wecom", url=receiver.url)
    notify(office, [office.head], clock, cause="clock:9:L2")
    for wait in (0, 30, 60):
        clock.advance(seconds=wait)
        deliver(clock)
    row = Notification.objects.get(channel="webhook")
    assert (row.state, row.attempts, row.next_attempt_at) == ("failed", 3, None)
    assert row.last_error.startswith("HTTP 503")
    assert receiver.attempts == 3
    assert list(selectors.failed_deliveries(office.head, office.community.pk)) == [row]
    assert row.endpoint == e
    clock.advance(hours=5)
    assert deliver(clock).claimed == 0  # failed is final


def test_a_robot_answering_an_error_code_is_retried(office, clock, receiver):
    receiver.answer = {"errcode": 310000, "errmsg": "sign not match"}
    endpoint(office, "dingtalk", url=receiver.url + "?access_token=T", secret="SECx")
    notify(office, [office.head], clock)
    deliver(clock)
    row = Notification.objects.get(channel="webhook")
    assert (row.state, row.last_error) == ("pending", "errcode 310000: sign not match")
    [request] = receiver.requests
    assert "access_token=T&timestamp=" in request["path"] and "&sign=" in request["path"]
    receiver.answer = {"errcode": 0, "errmsg": "ok"}
    clock.advance(seconds=30)
    deliver(clock)
    row.refresh_from_db()
    assert row.state == "sent"


def test_a_removed_address_fails_at_once_without_retries(office, clock, smtp):
    office.head.email = "head@jinxiu.example"
    office.head.save()
    notify(office, [office.head], clock)
    deliver(clock, max_batches=0)  # the e-mail row is written while the address exists
    office.head.email = ""
    office.head.save()
    deliver(clock)
    row = Notification.objects.get(channel="email")
    assert (row.state, row.attempts) == ("failed", 1)
    assert smtp.messages == []


def test_a_dead_workers_rows_go_to_the_next_worker_when_the_lease_runs_out(
    office, clock, receiver, settings
):
    settings.NOTIFY_LEASE_SECONDS = 120
    e = endpoint(office, "generic", url=receiver.url)
    notify(office, [office.head], clock)
    deliver(clock, max_batches=0)
    [out] = _claim(clock.now(), 10, "dead-worker")  # claimed, then the worker died
    row = Notification.objects.get(pk=out.id)
    assert (row.state, row.attempts, row.lease) == ("sending", 1, "dead-worker")
    assert row.next_attempt_at == clock.now() + timedelta(seconds=120)

    clock.advance(seconds=119)
    assert deliver(clock).claimed == 0  # still the dead worker's
    clock.advance(seconds=1)
    assert deliver(clock).sent == 1

    row.refresh_from_db()
    assert (row.state, row.attempts, row.lease) == ("sent", 2, "")
    assert receiver.ids() == {f"test:1:e{e.pk}:webhook": 1}
    assert receiver.received[0]["headers"]["x-propdesk-attempt"] == "2"
    # Had the first worker only been slow, its late report changes nothing now.
    report = DeliveryReport()
    _record(
        {out.id: None},
        {out.id: 1},
        {out.id: out.dedupe_key},
        now=clock.now(),
        lease="dead-worker",
        report=report,
    )
    assert (report.sent, report.lost) == (0, 1)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)


def test_a_tick_out_of_time_gives_the_rest_back_untried(office, clock, receiver):
    """The worker's other jobs must not wait on a slow receiver: past the tick's budget, claimed
    rows not yet tried go back to pending, due at once, with no attempt counted."""
    receiver.delay = 0.3
    endpoint(office, "generic", url=receiver.url)
    for i in range(5):
        notify(office, [office.head], clock, cause=f"c:{i}")
    deliver(clock, max_batches=0)
    report = deliver(clock, budget_seconds=0.5)
    assert report.claimed == 5 and report.sent + report.released == 5
    assert 1 <= report.sent <= 3
    assert sorted(states().values()) == sorted(
        [("sent", 1)] * report.sent + [("pending", 0)] * report.released
    )
    assert deliver(clock, budget_seconds=60).sent == report.released
    assert len(receiver.ids()) == 5 and set(receiver.ids().values()) == {1}
