"""The background worker, both ways it runs: embedded (`manage.py worker`, started by make run)
and at scale (Celery on the real Redis, as a separate process)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from propdesk.core import jobs
from propdesk.core.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_or_fail() -> None:
    """Redis must be there in CI; on a laptop without it, this test says so and skips."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL} (CI fails here)")


def test_a_tick_runs_every_job_and_a_failing_job_does_not_stop_the_others(db, monkeypatch):
    seen: list[datetime] = []
    monkeypatch.setattr(jobs, "_JOBS", {})

    @jobs.periodic_job("boom")
    def boom(now: datetime) -> None:
        raise RuntimeError("broken job")

    @jobs.periodic_job("record")
    def record(now: datetime) -> int:
        seen.append(now)
        return 7

    at = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    assert jobs.run_tick(at, worker="w1") == {"boom": "failed", "record": 7}
    jobs.run_tick(at, worker="w1")
    assert seen == [at, at]
    beat = WorkerHeartbeat.objects.get(name="w1")
    assert (beat.last_tick, beat.ticks) == (at, 2)


def test_each_jobs_tick_is_its_own_time_and_counted(db, clock) -> None:
    """The worker's main loop records every job's latest start in one go: each job keeps its
    own time, a job seen for the first time gets its row, and each record counts one tick."""
    t0 = clock.now()
    jobs.job_ticks({"a": t0, "b": t0 + timedelta(seconds=1)})
    jobs.job_ticks({"a": t0 + timedelta(seconds=2), "b": t0 + timedelta(seconds=3), "c": t0})
    rows = {
        name: (last, ticks)
        for name, last, ticks in WorkerHeartbeat.objects.filter(
            name__startswith=jobs.JOB_TICK_PREFIX
        ).values_list("name", "last_tick", "ticks")
    }
    assert rows == {
        "job:a": (t0 + timedelta(seconds=2), 2),
        "job:b": (t0 + timedelta(seconds=3), 2),
        "job:c": (t0, 1),
    }


def test_embedded_worker_command_ticks_once(db, clock) -> None:
    call_command("worker", "--once", "--name", "embedded-test")
    assert WorkerHeartbeat.objects.get(name="embedded-test").last_tick == clock.now()


@pytest.mark.django_db(transaction=True)
def test_scale_mode_celery_worker_on_redis_runs_the_tick() -> None:
    """A real Celery worker process, fed through the real Redis, writes to this test database."""
    redis_or_fail()
    from propdesk.celery import app

    db = connection.settings_dict
    if connection.vendor == "postgresql":
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        url = f"sqlite:///{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "tests-only",
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "propdesk",
            "worker",
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
        app.send_task("propdesk.core.tasks.tick")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if WorkerHeartbeat.objects.filter(name__startswith="celery@").exists():
                break
            time.sleep(0.2)
        assert WorkerHeartbeat.objects.filter(name__startswith="celery@").exists(), (
            worker.stdout.read1().decode() if worker.poll() is not None else "worker silent"
        )
    finally:
        app.conf.update(broker_url="memory://", task_always_eager=True)
        worker.terminate()
        worker.wait(timeout=20)


def test_celery_beat_schedules_every_registered_job_on_its_own() -> None:
    from propdesk.celery import app

    scheduled = {entry["args"][0] for entry in app.conf.beat_schedule.values()}
    assert scheduled == set(jobs.registered_jobs())
    assert {e["task"] for e in app.conf.beat_schedule.values()} == {"propdesk.core.tasks.job"}
    # A tick that waited too long in the queue is dropped, never piled up (issue 15).
    assert {e["options"]["expires"] for e in app.conf.beat_schedule.values()} == {5.0}


@pytest.mark.django_db(transaction=True)
def test_the_embedded_worker_process_runs_its_jobs_and_stops_on_sigterm() -> None:
    """make run starts `manage.py worker`: it ticks (heartbeat) and stops cleanly."""
    import signal

    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "tests-only",
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--name", "proc-test"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if WorkerHeartbeat.objects.filter(name="proc-test", ticks__gte=2).exists():
                break
            time.sleep(0.2)
        assert WorkerHeartbeat.objects.filter(name="proc-test", ticks__gte=2).exists()
    finally:
        worker.send_signal(signal.SIGTERM)
        out = worker.communicate(timeout=30)[0]
    assert worker.returncode == 0, out
    assert "clocks.sweep" in out and "worker stopped" in out
