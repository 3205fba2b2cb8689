"""Text messages to residents (issue 13): written to the outbox (``ResidentMessage``) in the
transaction of their cause, sent by the worker through ``notify.sms.send_sms``.

Once per (cause, phone): the row's unique key is ``cause:phone``, so a second write of the same
cause is a no-op. Delivery follows the staff outbox (services.py): a batch is claimed under a lease
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL), sent outside the transaction, then recorded as sent,
a retry with backoff, or failed after the last attempt; a worker that dies mid-batch leaves its
rows to the next worker once the lease runs out (at-least-once, as SMS gateways allow).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q

from propdesk.notify.conf import conf
from propdesk.notify.models import NotificationState, ResidentMessage
from propdesk.notify.services import _error_text, _locked, retry_delay
from propdesk.notify.sms import send_sms

log = logging.getLogger(__name__)


def resident_message_key(cause: str, phone: str) -> str:
    return f"{cause}:{phone}"


WIPED = "******"  # what a template variable's value reads in the text once done with


def resident_message_queue(
    *,
    community_id: int,
    phone: str,
    cause: str,
    kind: str,
    text: str,
    now: datetime,
    order_id: int | None = None,
    template: str = "",
    params: dict[str, str] | None = None,
    expires_at: datetime | None = None,
) -> bool:
    """Write one message of ``cause`` to ``phone``; call it inside the transaction of the change
    that caused it. Returns False when this (cause, phone) was already written (nothing new).
    ``template`` and ``params``: the provider's template for it (notify.sms), the variables
    kept only until the message is done with (a code: nothing at rest could sign in);
    ``expires_at``: not sent after that time."""
    key = resident_message_key(cause, phone)
    _row, created = ResidentMessage.objects.get_or_create(
        dedupe_key=key,
        defaults={
            "community_id": community_id,
            "phone": phone,
            "cause": cause[:100],
            "kind": kind,
            "text": text[:500],
            "template": template,
            "params": params or {},
            "expires_at": expires_at,
            "order_id": order_id,
            "created_at": now,
        },
    )
    return created


def _done_with(row: ResidentMessage) -> dict[str, object]:
    """The fields to set on a message sent or given up: its template variables emptied, their
    values masked in its text (nobody needs them again)."""
    if not row.params:
        return {}
    text = row.text
    for value in row.params.values():
        if value:
            text = text.replace(str(value), WIPED)
    return {"text": text, "params": {}}


def resident_messages_deliver(*, now: datetime, batch_size: int | None = None) -> int:
    """Send the messages due at ``now`` (one batch); returns how many were sent."""
    lease = uuid.uuid4().hex
    size = batch_size or int(conf("NOTIFY_BATCH_SIZE"))
    due = ResidentMessage.objects.filter(
        state__in=(NotificationState.PENDING, NotificationState.SENDING)
    ).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    if not due.exists():
        return 0  # nothing due: one read, no transaction (on SQLite no write lock)
    with transaction.atomic():
        rows = list(_locked(due.order_by("id"))[:size])
        if not rows:
            return 0
        ResidentMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=NotificationState.SENDING,
            lease=lease,
            attempts=F("attempts") + 1,
            next_attempt_at=now + timedelta(seconds=conf("NOTIFY_LEASE_SECONDS")),
        )
    sent = 0
    max_attempts = int(conf("NOTIFY_MAX_ATTEMPTS"))
    for row in rows:
        mine = ResidentMessage.objects.filter(
            pk=row.pk, lease=lease, state=NotificationState.SENDING
        )
        if row.expires_at is not None and now >= row.expires_at:
            mine.update(
                state=NotificationState.FAILED,
                next_attempt_at=None,
                lease="",
                last_error="expired before it could be sent",
                **_done_with(row),
            )
            continue
        try:
            send_sms(row.phone, row.text, template=row.template, params=row.params or None)
        except Exception as exc:
            attempts = row.attempts + 1
            log.info("SMS %s failed: %s", row.dedupe_key, exc)
            if attempts >= max_attempts:
                mine.update(
                    state=NotificationState.FAILED,
                    next_attempt_at=None,
                    lease="",
                    last_error=_error_text(exc),
                    **_done_with(row),
                )
            else:
                mine.update(
                    state=NotificationState.PENDING,
                    next_attempt_at=now + retry_delay(attempts, row.dedupe_key),
                    lease="",
                    last_error=_error_text(exc),
                )
            continue
        sent += mine.update(
            state=NotificationState.SENT,
            sent_at=now,
            next_attempt_at=None,
            lease="",
            **_done_with(row),
        )
    return sent
