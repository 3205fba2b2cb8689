"""Celery for scale mode (REDIS_URL set): beat runs the same tick as the embedded worker."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")

app = Celery("propdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    "tick": {"task": "propdesk.core.tasks.tick", "schedule": 0.5},
}
app.autodiscover_tasks(["propdesk.core"])
