from __future__ import annotations

import socket

from celery import shared_task

from propdesk.core.clock import get_clock
from propdesk.core.jobs import heartbeat, job_ticks, run_job, run_tick


@shared_task(name="propdesk.core.tasks.tick", ignore_result=True)  # type: ignore[untyped-decorator]
def tick() -> None:
    """One tick of the periodic jobs, from Celery beat (scale mode)."""
    run_tick(get_clock().now(), worker=f"celery@{socket.gethostname()}")


@shared_task(name="propdesk.core.tasks.job", ignore_result=True)  # type: ignore[untyped-decorator]
def job(name: str) -> None:
    """One periodic job on its own, from Celery beat: a slow one never delays the others."""
    now = get_clock().now()
    run_job(name, now)
    job_ticks({name: now})
    heartbeat(now, f"celery@{socket.gethostname()}")
