"""EM-1 end to end: an emergency logged at the front desk over HTTP reaches the office head and
every on-duty responder on every channel they have (in the app, e-mail at a real SMTP server) and
the community's signed group webhook at a real HTTP receiver, through the delivery job on the
injected clock. And a delivery worker killed in the middle of the emergency's webhook loses
nothing: after its lease the next worker sends it again (at-least-once, one idempotency id)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

import tests.notify.conftest as notify_fixtures
from propdesk.community.models import DutyShift, User
from propdesk.notify import jobs
from propdesk.notify.models import Notification, NotificationEndpoint, NotificationPreference
from propdesk.notify.services import notifications_deliver
from tests.conftest import client_for
from tests.incidents.conftest import T_NIGHT, sh
from tests.notify.helpers import endpoint

# The real receivers of tests/notify: an HMAC-checking HTTP server and an aiosmtpd server that
# Django's EMAIL_HOST/EMAIL_PORT point at.
receiver = notify_fixtures.receiver
smtp = notify_fixtures.smtp

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Scene:
    eid: int
    responders: dict[str, User]  # username → user, everyone the emergency called
    hook: NotificationEndpoint

    def webhook_key(self) -> str:
        return f"emergency:{self.eid}:e{self.hook.pk}:webhook"

    def email_keys(self) -> dict[str, str]:
        return {u.email: f"emergency:{self.eid}:{u.pk}:email" for u in self.responders.values()}


def log_fire(duty: Any, office: Any, receiver: Any) -> Scene:
    """A fire after midnight: the office head, the night guard (security) and the repair member
    on night call are called. Everyone has an address; the night guard turned e-mail off, which
    an emergency overrides (every channel a person has). The community has one signed generic
    webhook endpoint, at the local receiver."""
    DutyShift.objects.create(
        team=office.repair,
        user=office.repair_member,
        starts_at=sh(2026, 11, 26, 20),
        ends_at=sh(2026, 11, 27, 8),
    )
    staff = [
        office.head,
        duty.night_guard,
        duty.day_guard,
        office.repair_member,
        office.receptionist,
    ]
    for u in [*staff, office.repair_leader, duty.security_leader, duty.boss]:
        u.email = f"{u.username}@jinxiu.example"
        u.save(update_fields=["email"])
    NotificationPreference.objects.create(user=duty.night_guard, email=False)
    hook = endpoint(office, "generic", url=receiver.url, name="物业群")

    duty.clock.at = T_NIGHT
    r = client_for(office.receptionist).post(
        "/api/emergencies/",
        {"community": office.community.pk, "kind": "fire", "location": "3栋地下车库"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    called = {x["user"]["username"]: x["reason"] for x in body["responders"]}
    assert called == {
        "a-head": "office_head",
        "a-night-guard": "on_duty",
        "a-repair-member": "on_duty",
    }
    users = {u.username: u for u in User.objects.filter(username__in=called)}
    return Scene(eid=body["id"], responders=users, hook=hook)


def outgoing_states() -> dict[str, tuple[str, int]]:
    return {
        n.dedupe_key: (n.state, n.attempts) for n in Notification.objects.exclude(channel="in_app")
    }


def test_em1_an_emergency_reaches_the_head_and_every_on_duty_responder_on_every_channel(
    duty, office, receiver, smtp
) -> None:
    scene = log_fire(duty, office, receiver)
    cause = f"emergency:{scene.eid}"
    # Nothing has left the building yet: the outbox rows wait for the worker.
    assert receiver.attempts == 0 and smtp.messages == []

    ticks = 0
    while Notification.objects.exclude(state="sent").exists():
        ticks += 1
        assert ticks <= 3, outgoing_states()
        duty.clock.advance(seconds=0.5)  # the worker's interval
        assert jobs.deliver(duty.clock.now()) >= 0

    # In the app: one row per responder, delivered.
    inbox = Notification.objects.filter(cause=cause, channel="in_app")
    assert sorted(inbox.values_list("recipient__username", "state", "kind")) == [
        (name, "sent", "emergency") for name in sorted(scene.responders)
    ]
    # E-mail: one message to each responder (the night guard's "e-mail off" does not hold back an
    # emergency), with its idempotency id; nobody else got mail.
    assert sorted(rcpt for _sender, rcpts in smtp.envelopes for rcpt in rcpts) == sorted(
        scene.email_keys()
    )
    got = {m["To"]: m for m in smtp.messages}
    for address, key in scene.email_keys().items():
        assert got[address]["X-Propdesk-Id"] == key
        assert "火警" in got[address]["Subject"] and "3栋地下车库" in got[address]["Subject"]
    # The group webhook: the emergency once, under its id, correctly signed.
    assert receiver.bad_signatures == 0 and receiver.attempts == 1
    assert receiver.ids() == Counter({scene.webhook_key(): 1})
    message = receiver.unique()[scene.webhook_key()]
    assert message["headers"]["x-propdesk-attempt"] == "1"
    data = message["json"]
    assert (data["id"], data["kind"], data["cause"]) == (scene.webhook_key(), "emergency", cause)
    assert data["payload"]["emergency"] == scene.eid
    assert data["payload"]["kind_title"] == "火警"
    assert data["payload"]["location"] == "3栋地下车库"
    assert data["community"]["id"] == office.community.pk and data["recipient"] is None
    # Every row went out on the first attempt; nobody off duty or uninvolved was told anything.
    assert set(outgoing_states().values()) == {("sent", 1)}
    assert not Notification.objects.filter(
        recipient__in=[duty.day_guard, office.receptionist, duty.boss, office.repair_leader]
    ).exists()
    assert not Notification.objects.filter(kind="roster_gap").exists()


# --- a worker killed mid-delivery ----------------------------------------------------------------


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def deliver_process(now: datetime, mailbox: Any) -> subprocess.Popen[str]:
    """``manage.py deliver`` in its own process, mailing through the test's SMTP server."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "tests-only",
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "NOTIFY_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",  # the receiver
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": mailbox.host,
        "EMAIL_PORT": str(mailbox.port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_USE_SSL": "0",
        "DEFAULT_FROM_EMAIL": "wuye@jinxiu.example",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver", "--now", now.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finished(p: subprocess.Popen[str]) -> dict[str, int]:
    out = p.communicate(timeout=60)[0]
    assert p.returncode == 0, out
    words = out.split()
    return {
        words[i]: int(words[i + 1]) for i in range(0, len(words) - 1, 2) if words[i + 1].isdigit()
    }


@pytest.mark.django_db(transaction=True)
def test_em1_a_worker_killed_mid_delivery_of_the_emergency_loses_nothing(
    duty, office, receiver, smtp
) -> None:
    scene = log_fire(duty, office, receiver)
    now = duty.clock.now()
    report = notifications_deliver(now=now, max_batches=0)  # in-app rows sent and fanned out
    assert report.expanded == 3
    expected = {scene.webhook_key(), *scene.email_keys().values()}
    assert set(outgoing_states()) == expected

    receiver.hold = threading.Event()  # the receiver keeps the webhook request open…
    doomed = deliver_process(now, smtp)
    assert receiver.holding.wait(30), "the worker never reached the receiver"
    doomed.send_signal(signal.SIGKILL)  # …and the worker dies in the middle of the delivery
    doomed.wait(timeout=30)
    receiver.hold.set()  # the receiver had the message and acts on it
    receiver.hold = None

    # The dead worker sent the e-mails and the webhook but recorded nothing: all still its own.
    assert outgoing_states() == {k: ("sending", 1) for k in expected}
    assert finished(deliver_process(now, smtp))["claimed"] == 0  # the lease has not run out
    later = now + timedelta(seconds=181)  # NOTIFY_LEASE_SECONDS (180) later
    assert finished(deliver_process(later, smtp))["sent"] == len(expected)
    assert outgoing_states() == {k: ("sent", 2) for k in expected}

    # Never lost, at most twice, always under one idempotency id; deduped, each once.
    assert receiver.bad_signatures == 0
    assert receiver.ids() == Counter({scene.webhook_key(): 2})
    assert list(receiver.unique()) == [scene.webhook_key()]
    assert {m["json"]["payload"]["emergency"] for m in receiver.received} == {scene.eid}
    mailed = Counter(m["X-Propdesk-Id"] for m in smtp.messages)
    assert set(mailed) == set(scene.email_keys().values())
    assert all(1 <= n <= 2 for n in mailed.values()), mailed
    rcpts = Counter(rcpt for _sender, rs in smtp.envelopes for rcpt in rs)
    assert set(rcpts) == set(scene.email_keys())
