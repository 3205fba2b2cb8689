"""The delivery worker as separate processes on the real database: two at once never send a row
twice, and a worker killed in the middle of a delivery hands the row on when its lease runs out.
Sending is at-least-once: the receiver then sees the message twice, with one idempotency id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection

from propdesk.notify.models import Notification
from tests.notify.helpers import deliver, endpoint, notify, states

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def worker(now: datetime, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "tests-only",
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "NOTIFY_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",  # the receiver
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver", "--now", now.isoformat(), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finished(p: subprocess.Popen[str]) -> dict[str, int]:
    out = p.communicate(timeout=120)[0]
    assert p.returncode == 0, out
    words = out.split()
    return {
        words[i]: int(words[i + 1]) for i in range(0, len(words) - 1, 2) if words[i + 1].isdigit()
    }


def test_two_workers_at_once_send_each_row_once(office, clock, receiver) -> None:
    n = 300
    receiver.delay = 0.01  # a receiver that takes its time: the two workers overlap
    e = endpoint(office, "generic", url=receiver.url)
    # 300 notifications to one person at once: lift the per-person cap (issue 12) for this one.
    office.community.policy = {"notify_cap": {"per_person": n}}
    office.community.save(update_fields=["policy"])
    for i in range(n):
        notify(office, [office.head], clock, cause=f"c:{i}")
    deliver(clock, max_batches=0)  # in-app rows done; n webhook rows pending
    workers = [worker(clock.now(), "--batch", "10") for _ in range(2)]
    reports = [finished(w) for w in workers]

    expected = {f"c:{i}:e{e.pk}:webhook" for i in range(n)}
    assert receiver.ids() == {k: 1 for k in expected}
    assert receiver.bad_signatures == 0
    assert states() == {k: ("sent", 1) for k in expected}
    assert sum(r["sent"] for r in reports) == n
    assert all(r["sent"] > 0 for r in reports), reports  # both really worked


def test_a_worker_killed_mid_delivery_is_retried_after_its_lease(office, clock, receiver) -> None:
    import threading

    e = endpoint(office, "generic", url=receiver.url)
    notify(office, [office.head], clock, cause="clock:7:L1")
    deliver(clock, max_batches=0)
    key = f"clock:7:L1:e{e.pk}:webhook"
    receiver.hold = threading.Event()  # the receiver keeps the request open…
    doomed = worker(clock.now())
    assert receiver.holding.wait(60), "the worker never reached the receiver"
    doomed.send_signal(signal.SIGKILL)  # …and the worker dies mid-delivery
    doomed.wait(timeout=30)
    receiver.hold.set()  # the receiver had the message and acts on it
    receiver.hold = None

    row = Notification.objects.get(dedupe_key=key)
    assert (row.state, row.attempts) == ("sending", 1)
    assert finished(worker(clock.now()))["claimed"] == 0  # the lease is still the dead worker's
    later = clock.now() + timedelta(seconds=181)  # NOTIFY_LEASE_SECONDS (180) later
    assert finished(worker(later))["sent"] == 1

    row.refresh_from_db()
    assert (row.state, row.attempts, row.sent_at) == ("sent", 2, later)
    # At-least-once: the message arrived twice, under one idempotency id; deduped, once.
    assert receiver.ids() == {key: 2}
    assert list(receiver.unique()) == [key]
