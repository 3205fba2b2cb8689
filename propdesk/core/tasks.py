from __future__ import annotations

import socket

from celery import shared_task

from propdesk.core.clock import get_clock
from propdesk.core.jobs import run_tick


@shared_task(name="propdesk.core.tasks.tick", ignore_result=True)  # type: ignore[untyped-decorator]
def tick() -> None:
    """One tick of the periodic jobs, from Celery beat (scale mode)."""
    run_tick(get_clock().now(), worker=f"celery@{socket.gethostname()}")
