"""The delivery policy's numbers, each a Django setting with a default here (so the outbox works
before a deployment sets any of them). Read at call time: tests override them with ``settings``."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Attempts before a delivery is given up and shown to the office head as failed.
    "NOTIFY_MAX_ATTEMPTS": 8,
    # Wait after the n-th failed attempt: base × 2^(n-1) seconds, at most the cap, plus up to
    # JITTER of it (a fraction, derived from the row's key: reproducible, yet spread out).
    "NOTIFY_RETRY_BASE_SECONDS": 30,
    "NOTIFY_RETRY_MAX_SECONDS": 3600,
    "NOTIFY_RETRY_JITTER": 0.1,
    # How long a claimed row is a worker's; after that another worker may send it again. Must
    # exceed a batch's worst case: NOTIFY_BATCH_SIZE × NOTIFY_SEND_TIMEOUT_SECONDS.
    "NOTIFY_LEASE_SECONDS": 180,
    "NOTIFY_BATCH_SIZE": 20,
    "NOTIFY_SEND_TIMEOUT_SECONDS": 5,
    # Real seconds a tick may spend delivering (plus at most one send's timeout), so the other
    # jobs of the worker (the clock sweeper) get their turn; what is left goes next tick.
    "NOTIFY_TICK_BUDGET_SECONDS": 2,
    # In-app rows expanded to the recipients' other channels per transaction.
    "NOTIFY_EXPAND_BATCH_SIZE": 500,
    # Kinds that go on every channel a recipient has, whatever they chose (EM-1).
    "NOTIFY_ALL_CHANNEL_KINDS": ["emergency"],
    # Webhook hosts (names as in the URL) and addresses or networks ("10.8.0.0/16") that may be
    # on the installation's own network; every other internal address is refused
    # (notify/addresses.py).
    "NOTIFY_ALLOWED_PRIVATE_HOSTS": [],
    # Prefix of the e-mail subject.
    "NOTIFY_EMAIL_SUBJECT_PREFIX": "[物业服务台] ",
}


def conf(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
