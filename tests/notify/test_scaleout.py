"""Scale-out (issue 15): the sweeper and the delivery in several Celery worker processes at once,
as if on separate machines, fed by a real `celery beat` through the real Redis, delivering to a
real SMTP server and a real HTTP receiver. Every clock breaches once, every escalation level is
written once, and every e-mail and webhook arrives exactly once, counted at the receivers.

Four workers on PostgreSQL (row locks with SKIP LOCKED share the work); two on SQLite, where a
writer holds the one database lock and more processes only queue for it (the production
database for more than one machine is PostgreSQL). bench/scaleout.py is the measured version
(thousands of clocks, 1 vs 4 processes, kill -9 mid-delivery).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from propdesk.clocks.models import Clock, ClockLog
from propdesk.clocks.services import policy_for
from propdesk.notify.models import Notification
from propdesk.notify.services import notifications_create
from tests import factories as f
from tests.core.test_worker import REDIS_URL, redis_or_fail
from tests.notify.helpers import endpoint

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
CLOCKS = 60  # CP-1: 3 levels; in-app administrator + head, head, leadership
NOTICES = 60  # to the head: one e-mail and one webhook each


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def celery(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "propdesk", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_workers_on_separate_machines_send_everything_exactly_once(
    office, receiver, smtp, tmp_path
) -> None:
    redis_or_fail()
    processes = 4 if connection.vendor == "postgresql" else 2
    for user in (office.administrator, office.head):
        user.email = f"{user.username}@jinxiu.example"
        user.save(update_fields=["email"])
    boss = f.UserFactory(
        username="boss", company=office.community.company, is_leadership=True, email="b@j.example"
    )
    e = endpoint(office, "generic", url=receiver.url)
    office.community.policy = {"notify_cap": {"per_person": 10**6}}
    office.community.save(update_fields=["policy"])
    # Due five hours ago on the real clock (the workers run on it): all three levels at once.
    due = datetime.now(UTC) - timedelta(hours=5)
    version = policy_for(office.community)[1]
    clocks = Clock.objects.bulk_create(
        Clock(
            community=office.community,
            rule_id="CP-1",
            title="投诉10分钟内安排管理员处理",
            subject=str(i),
            started_at=due - timedelta(minutes=10),
            due_at=due,
            next_check_at=due,
            policy_version_id=version,
        )
        for i in range(CLOCKS)
    )
    for i in range(NOTICES):
        notifications_create(
            community_id=office.community.pk,
            recipient_ids=[office.head.pk],
            cause=f"scale:{i}",
            kind="order_routed",
            title=f"新工单 GD-{i:04d}",
            now=datetime.now(UTC),
        )
    ours = {c.pk for c in clocks}
    causes = [f"clock:{pk}:L{lvl}" for pk in ours for lvl in (1, 2, 3)]
    causes += [f"scale:{i}" for i in range(NOTICES)]
    in_app = {  # (cause, recipient) of every in-app row the run must write, once
        *((f"clock:{pk}:L1", office.administrator.pk) for pk in ours),
        *((f"clock:{pk}:L1", office.head.pk) for pk in ours),
        *((f"clock:{pk}:L2", office.head.pk) for pk in ours),
        *((f"clock:{pk}:L3", boss.pk) for pk in ours),
        *((f"scale:{i}", office.head.pk) for i in range(NOTICES)),
    }
    emails = {f"{cause}:{uid}:email" for cause, uid in in_app}
    hooks = {f"{cause}:e{e.pk}:webhook" for cause in causes}

    queue = f"propdesk-test-scaleout-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": queue,
        "SECRET_KEY": "tests-only",
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "NOTIFY_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",  # the receiver
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
    }
    quiet = ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"]
    workers = [
        celery(["worker", "--pool", "solo", "-n", f"w{i}@%h", *quiet], env, tmp_path / f"w{i}")
        for i in range(processes)
    ]
    beat = celery(
        ["beat", "-s", str(tmp_path / "beat"), "-l", "warning"], env, tmp_path / "beat.log"
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            arrived = {m["X-Propdesk-Id"] for m in smtp.messages} | set(receiver.ids())
            if arrived >= emails | hooks:
                break
            assert all(p.poll() is None for p in [*workers, beat]), [
                (tmp_path / f"w{i}").read_text() for i in range(processes)
            ]
            time.sleep(0.3)
        time.sleep(1)  # a message sent twice would arrive now
    finally:
        for p in [*workers, beat]:
            p.terminate()
        for p in [*workers, beat]:
            p.wait(timeout=30)
        import redis

        broker = redis.Redis.from_url(REDIS_URL)
        # What beat queued after the run, and kombu's bindings of the queue.
        broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")

    # Every clock breached once, at its last level; one log line per clock and level.
    assert set(Clock.objects.filter(pk__in=ours).values_list("state", "level")) == {("breached", 3)}
    lines = Counter(
        (pk, data["level"])
        for pk, data in ClockLog.objects.filter(
            clock_id__in=ours, what__in=("breached", "escalated")
        ).values_list("clock_id", "data")
    )
    assert lines == {(pk, lvl): 1 for pk in ours for lvl in (1, 2, 3)}
    # Every in-app row written once (the unique key) and taken to the other channels.
    rows = Notification.objects.filter(cause__in=causes)
    assert set(rows.filter(channel="in_app").values_list("cause", "recipient_id")) == in_app
    assert set(rows.values_list("state", flat=True)) == {"sent"}
    assert not rows.values("dedupe_key").annotate(n=Count("id")).filter(n__gt=1).exists()
    # At the receivers: each message exactly once, none lost, every signature right.
    mails = Counter(
        m["X-Propdesk-Id"] for m in smtp.messages if m["X-Propdesk-Id"].rsplit(":", 2)[0] in causes
    )
    assert mails == dict.fromkeys(emails, 1)
    posts = {k: n for k, n in receiver.ids().items() if k in hooks}
    assert posts == dict.fromkeys(hooks, 1)
    assert receiver.bad_signatures == 0
