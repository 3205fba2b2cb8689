"""Celery for scale mode (REDIS_URL set): beat runs the same tick as the embedded worker."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")

app = Celery("propdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
# One beat entry per periodic job (propdesk.core.jobs): each runs as its own task, so a slow
# delivery never delays the sweep. Kept in step with the registry by a test.
JOBS = (
    "clocks.sweep",
    "clocks.calendar",
    "desk.tell",  # before notify.deliver: it writes what the delivery takes
    "notify.deliver",
    "desk.purge",
    "core.sessions",
    "core.logins",
    "core.optimize",
    "notify.purge",
    "portal.codes",
    "incidents.repeat",
    "followup.month_start",
    "concierge.quarter_start",
    "concierge.cart_overdue",
    "concierge.cart_reminders",
)
# A tick still queued after this long is dropped unrun: the next one is already behind it.
# Without it, workers slower than beat's 16 ticks a second (one worker on a busy machine) let
# the queue grow without bound, and each delivery waited behind hundreds of stale no-op ticks
# (bench/scaleout.py, issue 15).
TICK_EXPIRES_SECONDS = 5.0
app.conf.beat_schedule = {
    name: {
        "task": "propdesk.core.tasks.job",
        "schedule": 0.5,
        "args": (name,),
        "options": {"expires": TICK_EXPIRES_SECONDS},
    }
    for name in JOBS
}
app.autodiscover_tasks(["propdesk.core"])
