"""Periodic jobs of the background worker.

An app registers a job with ``@periodic_job("name", every=seconds)``; the worker runs each job
over and over with the clock's ``now``, every ``job_interval(name)`` seconds: what a person waits
on (the sweeper that breaches clocks, the telling, the delivery) every
settings.WORKER_INTERVAL_SECONDS, housekeeping (purges, a month's start) at its own slower pace.
The embedded worker (``manage.py worker``, started by ``make run``) gives each job its own loop,
so a slow job (delivering a backlog of e-mails) never holds up another; Celery beat (scale mode)
schedules each job as its own task at the same interval. Both read the same list, so the two
modes cannot drift apart.

Each job's last tick is stored as a ``WorkerHeartbeat`` row named ``job:<name>`` (the worker's
own sign of life is the row with the worker's name); /health/ answers 503 when any job's last
tick is older than settings.HEALTH_STALE_INTERVALS of its interval (``job_interval``).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Mapping
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DateTimeField, F, Value, When

from propdesk.core.models import WorkerHeartbeat

log = logging.getLogger(__name__)

Job = Callable[[datetime], object]
_JOBS: dict[str, Job] = {}
_EVERY: dict[str, float] = {}  # a job's own interval in seconds; absent: the worker's


def periodic_job(
    name: str, *, every: float | None = None, before: str | None = None
) -> Callable[[Job], Job]:
    """Register ``fn`` as the job ``name``, run every ``every`` seconds (None: every
    settings.WORKER_INTERVAL_SECONDS, for what a person waits on); ``before``: a job it must
    precede in a tick (``run_tick`` runs jobs in this order), e.g. one that writes what the
    other delivers."""

    def register(fn: Job) -> Job:
        _JOBS[name] = fn
        if every is None:
            _EVERY.pop(name, None)
        else:
            _EVERY[name] = float(every)
        if before is not None and before in _JOBS:
            names = [n for n in _JOBS if n != name]
            at = names.index(before)
            ordered = {n: _JOBS[n] for n in [*names[:at], name, *names[at:]]}
            _JOBS.clear()
            _JOBS.update(ordered)
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


JOB_TICK_PREFIX = "job:"


def job_interval(name: str) -> float:
    """Seconds between two runs of the job ``name`` (the embedded loop, Celery beat and /health/
    alike): its own ``every``, never shorter than settings.WORKER_INTERVAL_SECONDS (a worker
    slowed down by its operator slows every job); a job declared without ``every`` runs each
    WORKER_INTERVAL_SECONDS."""
    base = float(settings.WORKER_INTERVAL_SECONDS)
    return max(_EVERY.get(name, base), base)


def job_ticks(ticks: Mapping[str, datetime]) -> None:
    """Record when each job last ran (or started the run it is in), in one transaction: one
    UPDATE of every job's row (each its own time, its count of ticks + 1), and a row made for
    a job seen for the first time."""
    rows = {f"{JOB_TICK_PREFIX}{name}": at for name, at in ticks.items()}
    if not rows:
        return
    with transaction.atomic():
        updated = WorkerHeartbeat.objects.filter(name__in=rows).update(
            last_tick=Case(
                *(When(name=name, then=Value(at)) for name, at in rows.items()),
                output_field=DateTimeField(),
            ),
            ticks=F("ticks") + 1,
        )
        if updated < len(rows):
            have = set(WorkerHeartbeat.objects.filter(name__in=rows).values_list("name", flat=True))
            for name, at in rows.items():
                if name not in have:
                    WorkerHeartbeat.objects.get_or_create(
                        name=name, defaults={"last_tick": at, "ticks": 1}
                    )


def heartbeat(now: datetime, worker: str | None = None) -> None:
    name = worker or f"{socket.gethostname()}"
    updated = WorkerHeartbeat.objects.filter(name=name).update(last_tick=now, ticks=F("ticks") + 1)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(name=name, defaults={"last_tick": now, "ticks": 1})


def run_tick(now: datetime, *, worker: str | None = None) -> dict[str, object]:
    """Run every registered job once, in order, whatever its interval; a failing job does not
    stop the others. For ``manage.py worker --once``, Celery's ``tick`` task and the tests: every
    job is safe to run at any time (each asks its own question of ``now``: what is due, what is
    old enough, has this month started), so an interval only bounds how late a job acts, never
    what it does."""
    results = {name: run_job(name, now) for name in _JOBS}
    job_ticks(dict.fromkeys(_JOBS, now))
    heartbeat(now, worker)
    return results
