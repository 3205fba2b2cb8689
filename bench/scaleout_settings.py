"""Settings of bench/scaleout.py's worker processes: the app's own settings, with a short
delivery lease (so the rows a killed worker had claimed come back in seconds, not 3 minutes) and
a queue of its own on the Redis broker (the bench never touches another queue)."""

import os

from propdesk.settings import *  # noqa: F403

# Production keeps 180 s (longer than a batch's worst case, 20 × 5 s timeouts). The bench's
# receivers are local and answer in milliseconds; the worker never sends past half its lease.
NOTIFY_LEASE_SECONDS = int(os.environ.get("BENCH_LEASE_SECONDS", "20"))
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_CELERY_QUEUE", "propdesk-scaleout-bench")
