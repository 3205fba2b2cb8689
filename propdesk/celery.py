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
    "notify.deliver",
    "incidents.repeat",
    "followup.month_start",
    "concierge.quarter_start",
    "concierge.cart_overdue",
    "concierge.cart_reminders",
)
app.conf.beat_schedule = {
    name: {"task": "propdesk.core.tasks.job", "schedule": 0.5, "args": (name,)} for name in JOBS
}
app.autodiscover_tasks(["propdesk.core"])
