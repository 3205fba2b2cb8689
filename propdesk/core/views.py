from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from propdesk.core.clock import get_clock
from propdesk.core.jobs import JOB_TICK_PREFIX, job_interval, registered_jobs
from propdesk.core.models import WorkerHeartbeat


def may_see_system_status(user: Any) -> bool:
    """Who reads the workers' names (their host names) on /health/: a superuser, or back-office
    staff given the permission to view the workers' heartbeats (core.view_workerheartbeat)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return bool(user.is_superuser or (user.is_staff and user.has_perm("core.view_workerheartbeat")))


def health(request: HttpRequest) -> JsonResponse:
    """The web process answers, with each worker's last sign of life and each job's last tick.
    503 when any registered job has not ticked for settings.HEALTH_STALE_INTERVALS of its
    interval (at least HEALTH_STALE_MIN_SECONDS), or never: the worker is down or stuck.

    Anyone (monitoring) reads the status and the ages: each worker's last tick and its age in
    seconds, each job's. A worker's name, which holds its host name, only whoever may see the
    system's status (``may_see_system_status``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    now = get_clock().now()
    rows = list(WorkerHeartbeat.objects.order_by("name"))
    named = may_see_system_status(getattr(request, "user", None))
    workers = [
        {
            **({"name": hb.name} if named else {}),
            "last_tick": hb.last_tick.isoformat(),
            "age_seconds": round((now - hb.last_tick).total_seconds(), 1),
        }
        for hb in rows
        if not hb.name.startswith(JOB_TICK_PREFIX)
    ]
    ticks = {
        hb.name.removeprefix(JOB_TICK_PREFIX): hb.last_tick
        for hb in rows
        if hb.name.startswith(JOB_TICK_PREFIX)
    }
    jobs = []
    for name in sorted(registered_jobs()):
        interval = job_interval(name)
        allowed = max(interval * settings.HEALTH_STALE_INTERVALS, settings.HEALTH_STALE_MIN_SECONDS)
        last = ticks.get(name)
        stale = last is None or now - last > timedelta(seconds=allowed)
        jobs.append(
            {
                "name": name,
                "last_tick": last.isoformat() if last else None,
                "interval_seconds": interval,
                "stale": stale,
            }
        )
    ok = not any(job["stale"] for job in jobs)
    return JsonResponse({"ok": ok, "workers": workers, "jobs": jobs}, status=200 if ok else 503)
