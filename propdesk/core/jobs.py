"""Periodic jobs of the background worker.

An app registers a job with ``@periodic_job("name")``; each tick of the worker runs every job with
the clock's ``now``. The embedded worker (``manage.py worker``, started by ``make run``) and the
Celery beat task (scale mode) run the same list, so the two modes cannot drift apart.
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


def run_tick(now: datetime, *, worker: str | None = None) -> dict[str, object]:
    """Run every registered job once; a failing job is logged and does not stop the others."""
    results: dict[str, object] = {}
    for name, job in _JOBS.items():
        try:
            results[name] = job(now)
        except Exception:
            log.exception("periodic job %s failed", name)
            results[name] = "failed"
    name = worker or f"{socket.gethostname()}"
    updated = WorkerHeartbeat.objects.filter(name=name).update(last_tick=now, ticks=F("ticks") + 1)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(name=name, defaults={"last_tick": now, "ticks": 1})
    return results
