"""The background worker, both ways it runs: embedded (`manage.py worker`, started by make run)
and at scale (Celery on the real Redis, as a separate process)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from propdesk.clocks.models import Clock
from propdesk.concierge.services.activities import quarter_start
from propdesk.core import jobs
from propdesk.core.clock import FixedClock
from propdesk.core.management.commands.worker import job_loop, record_interval
from propdesk.core.models import WorkerHeartbeat
from propdesk.followup.services._common import month_start

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


def test_celery_beat_schedules_each_registered_job_on_its_own_at_its_own_interval(
    settings,
) -> None:
    from propdesk.celery import app

    settings.WORKER_INTERVAL_SECONDS = 0.5
    app.finalize()  # as `celery beat` does before its scheduler reads the schedule
    schedule = app.conf.beat_schedule
    assert list(schedule) == list(jobs.registered_jobs())  # desk.tell before notify.deliver
    assert {name: e["schedule"] for name, e in schedule.items()} == {
        name: every or 0.5 for name, every in INTERVALS.items()
    }
    assert {e["args"] for e in schedule.values()} == {(name,) for name in INTERVALS}
    assert {e["task"] for e in schedule.values()} == {"propdesk.core.tasks.job"}
    # A tick that waited too long in the queue is dropped, never piled up (issue 15).
    assert {e["options"]["expires"] for e in schedule.values()} == {5.0}


# Each job's interval, chosen beside the job (issue 15: the idle worker's cost). None: every
# settings.WORKER_INTERVAL_SECONDS, for what a person waits on.
INTERVALS: dict[str, float | None] = {
    "clocks.sweep": None,  # a breach escalates within an interval of its deadline (EM-2, CP-1)
    "clocks.calendar": 60,
    "desk.tell": None,  # the staff hear of a change at once
    "notify.deliver": None,  # and the bell, e-mail, SMS go out at once (EM-1 too)
    "desk.purge": 60,
    "core.sessions": 60,
    "core.once": 60,  # a form's one-time tokens past their two days
    "core.logins": 60,
    "core.optimize": 60,
    "notify.purge": 60,
    "portal.codes": 60,
    "incidents.repeat": None,  # EM-1's repeated alert until acknowledged
    "followup.month_start": 30,  # within the month's first minute
    "concierge.quarter_start": 30,  # within the quarter's first minute
    "concierge.cart_overdue": 60,
    "concierge.cart_reminders": 60,
}


def test_each_job_has_its_chosen_interval_never_shorter_than_the_workers(settings) -> None:
    settings.WORKER_INTERVAL_SECONDS = 0.5
    assert {name: jobs.job_interval(name) for name in jobs.registered_jobs()} == {
        name: every or 0.5 for name, every in INTERVALS.items()
    }
    # An operator who slows the worker down slows every job, the housekeeping too.
    settings.WORKER_INTERVAL_SECONDS = 45
    assert jobs.job_interval("clocks.sweep") == jobs.job_interval("desk.purge") - 15 == 45
    assert jobs.job_interval("followup.month_start") == 45


def test_the_main_loop_records_the_ticks_well_inside_what_health_allows(settings) -> None:
    """A tick recorded every record_interval() lags its run by that and one interval at most:
    inside the least time /health/ allows a job (three intervals, at least the minimum)."""
    for interval, least, expected in ((0.5, 10, 2.0), (0.2, 0, 0.2), (5, 10, 5)):
        settings.WORKER_INTERVAL_SECONDS = interval
        settings.HEALTH_STALE_MIN_SECONDS = least
        assert record_interval() == expected
        allowed = max(interval * settings.HEALTH_STALE_INTERVALS, least)
        assert record_interval() + interval < allowed


def drive(
    name: str,
    clock: FixedClock,
    *,
    until: datetime,
    started: dict[str, datetime] | None = None,
    observe: Callable[[], object] = lambda: None,
) -> tuple[list[datetime], list[float], list[object]]:
    """Run the job's loop (`manage.py worker` runs it in the job's thread) on the injected clock
    until a run at or after ``until``: each wait moves the clock on by the interval asked for.
    Returns each run's time, each wait's seconds, and what ``observe`` saw after each run."""
    runs: list[datetime] = []
    waits: list[float] = []
    seen: list[object] = []

    def run(job: str, now: datetime) -> object:
        result = jobs.run_job(job, now)
        assert result != "failed", job
        runs.append(now)
        seen.append(observe())
        return result

    def wait(seconds: float) -> bool:  # as threading.Event.wait: True once the worker stops
        if runs[-1] >= until:
            return True
        waits.append(seconds)
        clock.advance(seconds=seconds)
        return False

    job_loop(name, started={} if started is None else started, wait=wait, run=run)
    return runs, waits, seen


def test_each_job_runs_at_its_own_interval_in_the_embedded_loop(db, clock, settings) -> None:
    """Two minutes of each job's loop on the injected clock: the sweeper, the telling and the
    delivery run every half second, a purge every minute. Real jobs on the test database; none
    fails."""
    settings.WORKER_INTERVAL_SECONDS = 0.5
    started: dict[str, datetime] = {}
    for name in jobs.registered_jobs():
        t0 = clock.now()
        runs, waits, _seen = drive(name, clock, until=t0 + timedelta(minutes=2), started=started)
        every = INTERVALS[name] or 0.5
        assert set(waits) == {every}, name
        assert {b - a for a, b in itertools.pairwise(runs)} == {timedelta(seconds=every)}, name
        assert (runs[0], runs[-1], len(runs)) == (t0, clock.now(), 120 / every + 1), name
        assert started[name] == runs[-1]


@pytest.mark.parametrize(
    ("job", "rule", "first_instant"),
    [
        ("followup.month_start", "RV-1", month_start),
        ("concierge.quarter_start", "CS-3", quarter_start),
    ],
)
def test_rv1_cs3_a_month_and_a_quarter_start_within_their_first_minute_on_the_loop(
    office, clock, settings, job, rule, first_instant
) -> None:
    """RV-1 (monthly quota) and CS-3 (quarterly): at its own interval, the job's loop starts the
    new period's clock within the period's first minute, whatever the loop's phase, and the clock
    is started at the period's first instant. 2027-01-01 00:00 in Shanghai starts both."""
    settings.WORKER_INTERVAL_SECONDS = 0.5
    first = first_instant(office.community, datetime(2027, 1, 1, 12, 0, tzinfo=UTC))
    assert first == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    new = Clock.objects.filter(rule_id=rule, started_at=first)
    for phase in (0.0, 0.3, 17.0, 29.9):
        new.delete()
        clock.at = first - timedelta(seconds=45 - phase)
        runs, _waits, there = drive(job, clock, until=first, observe=new.exists)
        # Not before the first instant; at the first run from it on, within its first minute.
        assert there == [False] * (len(runs) - 1) + [True], phase
        assert first <= runs[-1] < first + timedelta(minutes=1), phase
        assert new.count() == 1
