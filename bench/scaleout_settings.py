"""Settings of bench/scaleout.py's worker processes: the app's own settings, with a short
delivery lease, so the rows a killed worker had claimed come back in seconds, not 3 minutes.
(The bench's own queue on the Redis broker is set through CELERY_QUEUE.)"""

import os

from propdesk.settings import *  # noqa: F403

# Production keeps 180 s (longer than a batch's worst case, 20 × 5 s timeouts). The bench's
# receivers are local and answer in milliseconds; the worker never sends past half its lease.
NOTIFY_LEASE_SECONDS = int(os.environ.get("BENCH_LEASE_SECONDS", "20"))
