"""The sweeper as separate worker processes on the real database: two at once never escalate a
clock twice, and a worker killed in the middle of a batch loses and repeats nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from propdesk.clocks.models import Clock, ClockLog
from propdesk.clocks.services import policy_for
from propdesk.notify.models import Notification
from tests import factories as f
from tests.clocks.conftest import sh
from tests.conftest import make_office

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
T0 = sh(2026, 11, 26, 10, 0)
N = 1200


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def sweeper(now, batch: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "tests-only",
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "sweep", "--now", now.isoformat(), "--batch", str(batch)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def due_clocks(n: int):
    """n CP-1 clocks of one community, all due at T0 + 10 minutes."""
    office = make_office(f.CommunityFactory(name="并发小区", code="conc"), "p")
    _policy, version_id = policy_for(office.community)
    Clock.objects.bulk_create(
        Clock(
            community=office.community,
            rule_id="CP-1",
            title="投诉10分钟内安排管理员处理",
            subject=str(i),
            started_at=T0,
            due_at=T0 + timedelta(minutes=10),
            next_check_at=T0 + timedelta(minutes=10),
            policy_version_id=version_id,
        )
        for i in range(n)
    )
    return office


def assert_each_clock_escalated_exactly_once(office) -> None:
    assert Clock.objects.filter(state="breached", level=1).count() == N
    per_clock = ClockLog.objects.filter(what="breached").values("clock").annotate(n=Count("id"))
    assert {row["n"] for row in per_clock} == {1} and len(per_clock) == N
    per_cause = Notification.objects.values("cause", "recipient").annotate(n=Count("id"))
    assert {row["n"] for row in per_cause} == {1}
    # Level 1 of CP-1 goes to the administrator and the office head.
    assert Notification.objects.count() == 2 * N


def test_two_workers_at_once_escalate_each_clock_once() -> None:
    office = due_clocks(N)
    workers = [sweeper(T0 + timedelta(minutes=11), batch=100) for _ in range(2)]
    outputs = [w.communicate(timeout=240)[0] for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    assert_each_clock_escalated_exactly_once(office)
    examined = sorted(int(out.split("examined ")[1].split()[0]) for out in outputs)
    assert sum(examined) == N, outputs


def test_a_worker_killed_mid_batch_leaves_nothing_half_done() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks to stop a worker mid-batch (the CI run has it)")
    office = due_clocks(N)
    # Hold a lock on the outbox, so the worker stops after it has updated its clocks but
    # before its notifications are written: right in the middle of its transaction.
    blocker = connection.cursor()
    connection.set_autocommit(False)
    blocker.execute("LOCK TABLE notify_notification IN EXCLUSIVE MODE")
    try:
        worker = sweeper(T0 + timedelta(minutes=11), batch=N)
        deadline = time.monotonic() + 60
        waiting = False
        while time.monotonic() < deadline and not waiting:
            time.sleep(0.2)
            with connection.cursor() as probe:
                probe.execute("SELECT pg_stat_clear_snapshot()")  # fresh view inside our txn
                probe.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query ILIKE '%%notify_notification%%' AND pid <> pg_backend_pid()"
                )
                waiting = probe.fetchone()[0] > 0
        assert waiting, "the worker never reached the outbox"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        connection.rollback()
        connection.set_autocommit(True)
    # The killed worker's transaction is gone: every clock is still due, nothing was sent.
    assert Clock.objects.filter(state="running").count() == N
    assert Notification.objects.count() == 0
    survivor = sweeper(T0 + timedelta(minutes=11), batch=200)
    out = survivor.communicate(timeout=240)[0]
    assert survivor.returncode == 0, out
    assert_each_clock_escalated_exactly_once(office)
