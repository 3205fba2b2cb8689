"""Periodic jobs of the background worker.

An app registers a job with ``@periodic_job("name")``; the worker runs every job over and over
with the clock's ``now``. The embedded worker (``manage.py worker``, started by ``make run``)
gives each job its own loop, so a slow job (delivering a backlog of e-mails) never holds up
another (the sweeper that breaches clocks on time); Celery beat (scale mode) schedules each job
as its own task. Both run the same list, so the two modes cannot drift apart.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from datetime import datetime

from django.db.models import F

from propdesk.core.models import WorkerHeartbeat

log = logging.getLogger(__name__)

Job = Callable[[datetime], object]
_JOBS: dict[str, Job] = {}


def periodic_job(name: str) -> Callable[[Job], Job]:
    def register(fn: Job) -> Job:
        _JOBS[name] = fn
        return fn

    return register


def registered_jobs() -> dict[str, Job]:
    return dict(_JOBS)


def run_job(name: str, now: datetime) -> object:
    """Run one registered job; a failure is logged and reported as "failed", never raised."""
    try:
        return _JOBS[name](now)
    except Exception:
        log.exception("periodic job %s failed", name)
        return "failed"


def heartbeat(now: datetime, worker: str | None = None) -> None:
    name = worker or f"{socket.gethostname()}"
    updated = WorkerHeartbeat.objects.filter(name=name).update(last_tick=now, ticks=F("ticks") + 1)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(name=name, defaults={"last_tick": now, "ticks": 1})


def run_tick(now: datetime, *, worker: str | None = None) -> dict[str, object]:
    """Run every registered job once, in order; a failing job does not stop the others."""
    results = {name: run_job(name, now) for name in _JOBS}
    heartbeat(now, worker)
    return results
