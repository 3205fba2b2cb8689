"""Celery for scale mode (REDIS_URL set): beat runs the same jobs as the embedded worker, each at
its own interval."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")

app = Celery("propdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
# A tick still queued after this long is dropped unrun: the next one is already behind it.
# Without it, workers slower than beat's 16 ticks a second (one worker on a busy machine) let
# the queue grow without bound, and each delivery waited behind hundreds of stale no-op ticks
# (bench/scaleout.py, issue 15).
TICK_EXPIRES_SECONDS = 5.0


def beat_schedule() -> dict[str, dict[str, Any]]:
    """One beat entry per registered periodic job (propdesk.core.jobs), every ``job_interval``
    of it, each run as its own task so a slow delivery never delays the sweep. Read from the
    registry, which the apps fill when Django is set up: the two modes cannot drift apart."""
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()
    from propdesk.core.jobs import job_interval, registered_jobs

    return {
        name: {
            "task": "propdesk.core.tasks.job",
            "schedule": job_interval(name),
            "args": (name,),
            "options": {"expires": TICK_EXPIRES_SECONDS},
        }
        for name in registered_jobs()  # in the registry's order: desk.tell before notify.deliver
    }


@app.on_after_finalize.connect  # type: ignore[untyped-decorator]
def _schedule_the_jobs(sender: Celery, **kwargs: Any) -> None:
    # After the loader has set Django up (celery beat: before its scheduler reads the schedule).
    sender.conf.beat_schedule = beat_schedule()


app.autodiscover_tasks(["propdesk.core"])
