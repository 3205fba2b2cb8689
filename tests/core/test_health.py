"""/health/ answers 503 when any job's last tick is older than three of its intervals (the
worker is down or stuck), and the supervisor of `bin/run` (bin/supervise) brings a killed worker
back: a real worker process, SIGKILLed."""

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
from django.test import Client

from propdesk.core import jobs
from propdesk.core.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]


def health() -> tuple[int, dict]:
    r = Client().get("/health/")
    return r.status_code, r.json()


def test_health_is_503_when_a_job_has_not_ticked_for_three_intervals(db, clock, settings):
    settings.WORKER_INTERVAL_SECONDS = 2
    settings.HEALTH_STALE_MIN_SECONDS = 0
    names = sorted(jobs.registered_jobs())
    assert health()[0] == 503  # no worker has ever run
    jobs.run_tick(clock.now(), worker="w1")
    status, body = health()
    assert status == 200 and body["ok"] is True
    assert [j["name"] for j in body["jobs"]] == names and not any(j["stale"] for j in body["jobs"])
    assert len(body["workers"]) == 1 and "name" not in body["workers"][0]
    clock.at = clock.now() + timedelta(seconds=6)  # exactly three intervals: still fresh
    assert health()[0] == 200
    # Every job but the sweeper ticks (the sweeper runs each WORKER_INTERVAL_SECONDS).
    jobs.job_ticks({name: clock.now() for name in names if name != "clocks.sweep"})
    clock.at = clock.now() + timedelta(seconds=0.5)
    status, body = health()
    assert status == 503 and body["ok"] is False
    assert [j["name"] for j in body["jobs"] if j["stale"]] == ["clocks.sweep"]


def test_a_workers_host_name_only_for_whoever_may_see_the_systems_status(
    db, clock, settings, office
):
    """/health/ is open to monitoring: the status and each worker's last tick and age, never its
    name (``embedded@<host>``) to the public or to the office; a superuser, or back-office staff
    given the permission to view the workers' heartbeats, reads the names."""
    from django.contrib.auth.models import Permission

    from tests import factories as f
    from tests.web.conftest import browser_for

    settings.HEALTH_STALE_MIN_SECONDS = 60
    jobs.run_tick(clock.now(), worker="embedded@db-host-7")
    clock.at = clock.now() + timedelta(seconds=2)
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    watcher = f.UserFactory(username="ops", is_staff=True)
    watcher.user_permissions.add(Permission.objects.get(codename="view_workerheartbeat"))
    backoffice_head = f.UserFactory(username="head-bo", is_staff=True)
    seen = {}
    for who, client in {
        "anyone": Client(),
        "head": browser_for(office.head),
        "backoffice_head": browser_for(backoffice_head),
        "admin": browser_for(admin),
        "watcher": browser_for(watcher),
    }.items():
        r = client.get("/health/")
        assert r.status_code == 200, who
        body = r.json()
        assert body["ok"] is True and all(not j["stale"] for j in body["jobs"])
        [worker] = body["workers"]
        assert worker["age_seconds"] == 2.0 and worker["last_tick"]
        seen[who] = worker.get("name")
        assert ("db-host-7" in r.content.decode()) == (seen[who] is not None), who
    assert seen == {
        "anyone": None,
        "head": None,
        "backoffice_head": None,
        "admin": "embedded@db-host-7",
        "watcher": "embedded@db-host-7",
    }


def test_health_gives_each_job_three_of_its_own_intervals(db, clock, settings):
    """A purge that runs once a minute is not stale for three minutes; the sweeper that runs
    twice a second is, after a second and a half: /health/ reads each job's own interval."""
    settings.WORKER_INTERVAL_SECONDS = 0.5
    settings.HEALTH_STALE_MIN_SECONDS = 0
    t0 = clock.now()
    jobs.run_tick(t0, worker="w1")
    prompt = {"clocks.sweep", "desk.tell", "notify.deliver", "incidents.repeat"}
    _status, body = health()
    assert {j["name"]: j["interval_seconds"] for j in body["jobs"]} == {
        name: jobs.job_interval(name) for name in jobs.registered_jobs()
    }
    assert {j["name"] for j in body["jobs"] if j["interval_seconds"] == 0.5} == prompt

    def stale_at(seconds: float) -> set[str]:
        clock.at = t0 + timedelta(seconds=seconds)
        jobs.job_ticks(dict.fromkeys(prompt, clock.now()))  # the prompt ones keep ticking
        status, body = health()
        stale = {j["name"] for j in body["jobs"] if j["stale"]}
        assert (status == 503) == bool(stale)
        return stale

    assert stale_at(90) == set()  # three of 30 s: the month's and quarter's starts still fresh
    assert stale_at(90.5) == {"followup.month_start", "concierge.quarter_start"}
    assert stale_at(180) == {"followup.month_start", "concierge.quarter_start"}
    minute = {name for name in jobs.registered_jobs() if jobs.job_interval(name) == 60}
    assert stale_at(180.5) == {"followup.month_start", "concierge.quarter_start", *minute}
    # The prompt ones: stale once three of their intervals have passed since their last tick.
    clock.at = t0 + timedelta(seconds=182)
    assert not any(j["stale"] for j in health()[1]["jobs"] if j["name"] in prompt)
    clock.at = t0 + timedelta(seconds=182.1)
    assert all(j["stale"] for j in health()[1]["jobs"])


def test_the_minimum_keeps_a_short_interval_from_flapping(db, clock, settings):
    settings.WORKER_INTERVAL_SECONDS = 0.5
    settings.HEALTH_STALE_MIN_SECONDS = 10
    jobs.run_tick(clock.now())
    clock.at = clock.now() + timedelta(seconds=9)
    assert health()[0] == 200
    clock.at = clock.now() + timedelta(seconds=2)
    assert health()[0] == 503


def _wait_for(what, timeout: float = 40.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.1)
    return what()


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_turns_health_503_and_the_supervisor_restarts_it(
    settings, tmp_path
) -> None:
    settings.WORKER_INTERVAL_SECONDS = 0.2
    settings.HEALTH_STALE_MIN_SECONDS = 0
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{db['NAME']}"
    )
    pidfile = tmp_path / "worker.pid"
    log = tmp_path / "supervise.log"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "tests-only",
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "WORKER_INTERVAL_SECONDS": "0.2",
        "HEALTH_STALE_MIN_SECONDS": "0",  # as this process's /health/ reads it
        "SUPERVISE_RESTART_DELAY": "3",  # long enough to see /health/ turn 503 first
        "SUPERVISE_PIDFILE": str(pidfile),
    }
    assert health()[0] == 503  # nothing running yet
    with log.open("w") as out:
        supervisor = subprocess.Popen(
            [
                str(ROOT / "bin" / "supervise"),
                "worker",
                sys.executable,
                "manage.py",
                "worker",
                "--name",
                "supervised",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        assert _wait_for(lambda: health()[0] == 200), (health(), log.read_text())
        first = int(pidfile.read_text())
        os.kill(first, signal.SIGKILL)

        def stale() -> dict | None:  # the whole worker is gone: its prompt jobs go stale
            status, body = health()  # (the housekeeping a minute apart only after 3 minutes)
            prompt = [j for j in body["jobs"] if j["interval_seconds"] == 0.2]
            return body if status == 503 and prompt and all(j["stale"] for j in prompt) else None

        body = _wait_for(stale, timeout=2.5)
        assert body and body["ok"] is False, (health(), log.read_text())

        def restarted() -> bool:
            text = pidfile.read_text().strip() if pidfile.exists() else ""
            return bool(text) and int(text) != first and health()[0] == 200

        assert _wait_for(restarted), (health(), log.read_text())
        assert _wait_for(lambda: WorkerHeartbeat.objects.get(name="supervised").ticks >= 2)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=40)
    text = log.read_text()
    assert supervisor.returncode == 0, text
    assert f"pid {first} exited with status 137; restart 1 in 3s" in text
    assert (
        "restarted as pid" in text
        and "worker stopped" in text
        and text.rstrip().endswith("stopped")
    )
