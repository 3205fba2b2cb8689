"""Writes of the outbox: new notifications, their fan-out to every channel, delivery by the
worker, and the staff's reading of them.

Fan-out. A cause writes one in-app row per recipient, in the transaction of the change that
caused it (``notifications_create``; the clock sweeper writes the same rows itself). When the
worker takes an in-app row (``notifications_deliver``), in one transaction it marks it sent and
writes the same cause's rows for the recipient's other channels, read from their preferences at
that moment (e-mail, SMS), and one row per community webhook endpoint that takes the kind. Every
row has its own unique dedupe key, ``cause:recipient:channel`` (``cause:e<endpoint>:webhook`` for
a group endpoint), so a second expansion of the same cause (another worker, a re-run after a
crash) writes nothing: each (cause, recipient, channel) row exists exactly once.

Delivery. The worker claims due rows in small batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite has one writer at a time), marks them ``sending`` with a lease, commits, sends outside any
transaction, then records sent, a retry with exponential backoff, or failed after the last
attempt. A worker killed mid-delivery leaves its rows ``sending``; when the lease runs out another
worker sends them again. So sending is at-least-once: a receiver may see a retry of a message it
already got, and every message carries its dedupe key as an idempotency id for the receiver to
drop it. (Exactly-once sending over HTTP or SMTP cannot be had: the sender cannot tell "lost
before" from "lost after the receiver acted".)
"""

from __future__ import annotations

import logging
import time
import uuid
import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import translation

from propdesk.community.models import User
from propdesk.core.bulk import insert_many
from propdesk.core.housekeeping import PURGE_TICK_BUDGET_SECONDS, purge_in_batches
from propdesk.core.literal import Constant
from propdesk.notify import channels
from propdesk.notify.cap import CapTally, already_told, fold_into_digest, over_cap
from propdesk.notify.conf import conf
from propdesk.notify.models import (
    EndpointKind,
    Notification,
    NotificationChannel,
    NotificationEndpoint,
    NotificationPreference,
    NotificationState,
    ResidentMessage,
)
from propdesk.notify.selectors import inbox
from propdesk.policy.rules import NotifyCapPolicy

log = logging.getLogger(__name__)

ROW_FIELDS = (
    "community",
    "recipient",
    "endpoint",
    "channel",
    "cause",
    "kind",
    "title",
    "payload",
    "dedupe_key",
    "state",
    "attempts",
    "lease",
    "last_error",
    "created_at",
)
OUTGOING = (NotificationChannel.EMAIL, NotificationChannel.WEBHOOK)
MAX_ERROR = 2000


def dedupe_key(
    cause: str, *, channel: str, recipient_id: int | None = None, endpoint_id: int | None = None
) -> str:
    """``cause:recipient:channel``; a group endpoint's row: ``cause:e<endpoint id>:webhook``."""
    who = str(recipient_id) if recipient_id is not None else f"e{endpoint_id}"
    return f"{cause}:{who}:{channel}"


def _row(
    *,
    community_id: int,
    recipient_id: int | None,
    endpoint_id: int | None,
    channel: str,
    cause: str,
    kind: str,
    title: str,
    payload: Mapping[str, Any],
    created_at: datetime,
) -> tuple[Any, ...]:
    key = dedupe_key(cause, channel=channel, recipient_id=recipient_id, endpoint_id=endpoint_id)
    return (
        community_id,
        recipient_id,
        endpoint_id,
        channel,
        cause,
        kind,
        title,
        dict(payload),
        key,
        NotificationState.PENDING,
        0,
        "",
        "",
        created_at,
    )


def notifications_create(
    *,
    community_id: int,
    recipient_ids: Iterable[int],
    cause: str,
    kind: str,
    title: str,
    payload: Mapping[str, Any] | None = None,
    now: datetime,
    cap: NotifyCapPolicy | None = None,
    tally: CapTally | None = None,
) -> int:
    """Write one in-app notification of ``cause`` per recipient; call it inside the transaction
    of the change that caused it. A (cause, recipient) already written is skipped. The worker
    brings each to the recipient's other channels and the community's endpoints. ``cause`` is at
    most 100 characters and names what happened once (``emergency:12``, ``clock:7:L2``).
    A person over the policy's cap gets it folded into their summary instead (cap.py).
    ``cap``: the community's cap policy, when the caller has it at hand (saves reading it).
    ``tally``: a batch's memory of the cap (cap.CapTally), for a transaction rolled back whole
    on any failure; it reads the counts and the summaries once for the batch. Returns how many
    rows were offered (duplicates included)."""
    recipients = list(dict.fromkeys(recipient_ids))
    cap, over = over_cap(
        community_id=community_id,
        recipient_ids=recipients,
        kind=kind,
        now=now,
        cap=cap,
        tally=tally,
    )
    if over:
        # Issue 12: one already told of this cause keeps it; the others over the cap get it in
        # their summary notification (cap.py).
        told = already_told(cause, over) if tally is None else tally.already_told(cause, over)
        for uid in sorted(over - told):
            fold_into_digest(
                cap=cap,
                community_id=community_id,
                recipient_id=uid,
                cause=cause,
                kind=kind,
                title=title[:200],
                payload=payload or {},
                now=now,
                told_checked=True,
                tally=tally,
            )
    rows = [
        _row(
            community_id=community_id,
            recipient_id=uid,
            endpoint_id=None,
            channel=NotificationChannel.IN_APP,
            cause=cause,
            kind=kind,
            title=title[:200],
            payload=payload or {},
            created_at=now,
        )
        for uid in recipients
        if uid not in over
    ]
    inserted = insert_many(Notification, ROW_FIELDS, rows, ignore_conflicts=True)
    if tally is not None:
        written_to = [row[1] for row in rows]
        tally.written(written_to, kind, now, all_new=inserted == len(written_to), cause=cause)
    return len(recipients)


def notifications_expand(*, rows: Sequence[Notification]) -> int:
    """Write, for in-app rows, the same causes' rows on every other channel: e-mail (if the
    recipient has an address and did not turn it off), SMS through the community's gateway (if
    chosen and there is a phone), and one per active group endpoint of the community that takes
    the kind. Kinds in NOTIFY_ALL_CHANNEL_KINDS go on every channel the recipient has, whatever
    they chose (EM-1). Idempotent: rows already written are skipped by their unique key.
    Channels are resolved now, from the current preferences. Returns how many were offered."""
    user_ids = {r.recipient_id for r in rows if r.recipient_id is not None}
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids)}
    contact = {
        uid: (email, phone)
        for uid, email, phone in User.objects.filter(pk__in=user_ids, is_active=True).values_list(
            "id", "email", "phone"
        )
    }
    endpoints: dict[int, list[NotificationEndpoint]] = defaultdict(list)
    for endpoint in NotificationEndpoint.objects.filter(
        community_id__in={r.community_id for r in rows}, active=True
    ).order_by("id"):
        endpoints[endpoint.community_id].append(endpoint)
    forced = set(conf("NOTIFY_ALL_CHANNEL_KINDS"))
    out: dict[str, tuple[Any, ...]] = {}

    def add(row: Notification, **where: Any) -> None:
        made = _row(
            community_id=row.community_id,
            cause=row.cause,
            kind=row.kind,
            title=row.title,
            payload=row.payload,
            created_at=row.created_at,
            **where,
        )
        out.setdefault(made[8], made)

    for row in rows:
        every = row.kind in forced
        uid = row.recipient_id
        if uid is not None and uid in contact:
            email, phone = contact[uid]
            pref = prefs.get(uid)
            if email and (every or pref is None or pref.email):
                add(row, recipient_id=uid, endpoint_id=None, channel=NotificationChannel.EMAIL)
            if phone and (every or (pref is not None and pref.sms)):
                sms = next(
                    (
                        e
                        for e in endpoints[row.community_id]
                        if e.kind == EndpointKind.SMS_TEMPLATE and (every or e.receives(row.kind))
                    ),
                    None,
                )
                if sms is not None:
                    add(row, recipient_id=uid, endpoint_id=sms.pk, channel="webhook")
        for e in endpoints[row.community_id]:
            if e.kind != EndpointKind.SMS_TEMPLATE and e.receives(row.kind):
                add(row, recipient_id=None, endpoint_id=e.pk, channel="webhook")
    insert_many(Notification, ROW_FIELDS, out.values(), ignore_conflicts=True)
    return len(out)


# --- delivery ------------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    expanded: int = 0  # in-app rows taken (and brought to the other channels)
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0  # claimed but not tried (the tick ran out of time): back to pending
    lost: int = 0  # tried, but the lease had passed to another worker before recording
    batches: int = 0


def retry_delay(attempts: int, key: str) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: NOTIFY_RETRY_BASE_SECONDS × 2^(n-1), at
    most NOTIFY_RETRY_MAX_SECONDS, plus up to NOTIFY_RETRY_JITTER of it, derived from the key
    (the same row and attempt always wait the same; different rows spread out)."""
    base = float(conf("NOTIFY_RETRY_BASE_SECONDS"))
    cap = float(conf("NOTIFY_RETRY_MAX_SECONDS"))
    seconds = min(base * 2 ** min(max(attempts - 1, 0), 30), cap)
    spread = (zlib.crc32(f"{key}:{attempts}".encode()) % 1000) / 1000
    return timedelta(seconds=seconds * (1 + float(conf("NOTIFY_RETRY_JITTER")) * spread))


def _locked(qs: Any) -> Any:
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs  # SQLite: the transaction holds the one write lock from BEGIN (IMMEDIATE)


def _expand_due(now: datetime, batch_size: int) -> int:
    """Take pending in-app rows: bring them to the other channels and mark them sent."""
    with transaction.atomic():
        qs = Notification.objects.filter(
            state=NotificationState.PENDING, channel=NotificationChannel.IN_APP
        ).only("community_id", "recipient_id", "cause", "kind", "title", "payload", "created_at")
        rows = list(_locked(qs.order_by("id"))[:batch_size])
        if not rows:
            return 0
        notifications_expand(rows=rows)
        Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=NotificationState.SENT, sent_at=now
        )
    return len(rows)


def _outgoing(row: Notification) -> channels.Outgoing:
    endpoint = None
    if row.endpoint is not None:
        e = row.endpoint
        endpoint = channels.Endpoint(
            id=e.pk,
            kind=e.kind,
            url=e.url,
            secret=e.secret,
            body_template=e.body_template,
            active=e.active,
        )
    recipient = row.recipient
    return channels.Outgoing(
        id=row.pk,
        dedupe_key=row.dedupe_key,
        channel=row.channel,
        kind=row.kind,
        cause=row.cause,
        title=row.title,
        created_at=row.created_at,
        community_id=row.community_id,
        community_name=row.community.name,
        time_zone=row.community.time_zone,
        payload=row.payload,
        recipient_id=row.recipient_id,
        recipient_name=(recipient.name or recipient.username) if recipient else "",
        email=recipient.email if recipient and recipient.is_active else "",
        phone=recipient.phone if recipient and recipient.is_active else "",
        endpoint=endpoint,
        attempt=row.attempts + 1,
    )


def _due_outgoing(now: datetime) -> Any:
    """The e-mail and webhook rows due at ``now``: pending, or sending with the lease run out."""
    return Notification.objects.filter(
        state__in=(NotificationState.PENDING, NotificationState.SENDING),
        channel__in=OUTGOING,
    ).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def _claim(now: datetime, batch_size: int, lease: str) -> list[channels.Outgoing]:
    """Due outgoing rows, marked ``sending`` under ``lease`` until now + NOTIFY_LEASE_SECONDS."""
    with transaction.atomic():
        qs = _due_outgoing(now).select_related("community", "recipient", "endpoint").order_by("id")
        rows = list(_locked(qs)[:batch_size])
        if not rows:
            return []
        Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=NotificationState.SENDING,
            lease=lease,
            attempts=F("attempts") + 1,
            next_attempt_at=now + timedelta(seconds=conf("NOTIFY_LEASE_SECONDS")),
        )
        return [_outgoing(r) for r in rows]


def _error_text(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__)[:MAX_ERROR]


def _record(
    results: Mapping[int, Exception | None],
    attempts: Mapping[int, int],
    keys: Mapping[int, str],
    *,
    now: datetime,
    lease: str,
    report: DeliveryReport,
) -> None:
    """Write what became of each sent row. Only rows still under our lease are written: a row
    whose lease ran out and was claimed again belongs to the other worker now."""
    max_attempts = int(conf("NOTIFY_MAX_ATTEMPTS"))
    mine = Notification.objects.filter(lease=lease, state=NotificationState.SENDING)
    with transaction.atomic():
        sent = [pk for pk, error in results.items() if error is None]
        if sent:
            done = mine.filter(pk__in=sent).update(
                state=NotificationState.SENT,
                sent_at=now,
                next_attempt_at=None,
                lease="",
                last_error="",
            )
            report.sent += done
            report.lost += len(sent) - done
        for pk, error in results.items():
            if error is None:
                continue
            n = attempts[pk]
            if isinstance(error, channels.Permanent) or n >= max_attempts:
                changes: dict[str, Any] = {
                    "state": NotificationState.FAILED,
                    "next_attempt_at": None,
                }
                counter = "failed"
            else:
                changes = {
                    "state": NotificationState.PENDING,
                    "next_attempt_at": now + retry_delay(n, keys[pk]),
                }
                counter = "retried"
            done = mine.filter(pk=pk).update(**changes, lease="", last_error=_error_text(error))
            setattr(report, counter, getattr(report, counter) + done)
            report.lost += 1 - done


def _release(ids: Sequence[int], lease: str) -> int:
    """Give back claimed rows that were not tried: pending, due at once, the attempt undone."""
    if not ids:
        return 0
    return Notification.objects.filter(
        pk__in=ids, lease=lease, state=NotificationState.SENDING
    ).update(
        state=NotificationState.PENDING,
        next_attempt_at=None,
        lease="",
        attempts=F("attempts") - 1,
    )


def notifications_deliver(
    *,
    now: datetime,
    batch_size: int | None = None,
    max_batches: int | None = None,
    budget_seconds: float | None = None,
) -> DeliveryReport:
    """Deliver what is due at ``now`` (aware): first the pending in-app rows (marked sent and
    brought to the other channels), then e-mail and webhook rows, batch by batch, each batch
    claimed, sent outside the transaction, then recorded. Stops when nothing is due, after
    ``max_batches``, or once ``budget_seconds`` of real time have gone (then claimed rows not yet
    tried go back to pending). Safe with any number of workers at once."""
    report = DeliveryReport()
    batch_size = batch_size or int(conf("NOTIFY_BATCH_SIZE"))
    budget = float(
        budget_seconds if budget_seconds is not None else conf("NOTIFY_TICK_BUDGET_SECONDS")
    )
    lease_seconds = float(conf("NOTIFY_LEASE_SECONDS"))
    started = time.monotonic()
    expand_batch = int(conf("NOTIFY_EXPAND_BATCH_SIZE"))
    # Each loop starts with a plain read: a tick with nothing to do takes no transaction (on
    # SQLite no write lock, which the web's creates wait for).
    pending = Notification.objects.filter(
        state=NotificationState.PENDING, channel=NotificationChannel.IN_APP
    ).exists()
    while pending and time.monotonic() - started < budget:
        taken = _expand_due(now, expand_batch)
        report.expanded += taken
        if taken < expand_batch:
            break
    due = _due_outgoing(now).exists()
    while due and (max_batches is None or report.batches < max_batches):
        if time.monotonic() - started >= budget:
            break
        lease = uuid.uuid4().hex
        claimed_at = time.monotonic()
        outs = _claim(now, batch_size, lease)
        if not outs:
            break
        report.batches += 1
        report.claimed += len(outs)
        results: dict[int, Exception | None] = {}
        emails = [o for o in outs if o.channel == NotificationChannel.EMAIL]
        if emails:
            with translation.override(settings.LANGUAGE_CODE):
                results.update(channels.send_emails(emails))
        untried: list[int] = []
        for out in outs:
            if out.channel != NotificationChannel.WEBHOOK:
                continue
            # Never send on a lease about to run out (another worker may take the row then), nor
            # past the tick's budget (the other jobs wait for this one).
            now_mono = time.monotonic()
            if now_mono - claimed_at > lease_seconds / 2 or now_mono - started > budget:
                untried.append(out.id)
                continue
            try:
                with translation.override(settings.LANGUAGE_CODE):
                    channels.send_webhook(out, now)
                results[out.id] = None
            except Exception as exc:
                log.info("webhook %s failed: %s", out.dedupe_key, exc)
                results[out.id] = exc
        attempts = {o.id: o.attempt for o in outs}
        with translation.override(settings.LANGUAGE_CODE):
            _record(
                results,
                attempts,
                {o.id: o.dedupe_key for o in outs},
                now=now,
                lease=lease,
                report=report,
            )
        report.released += _release(untried, lease)
    return report


# --- the staff's side ----------------------------------------------------------------------------


@transaction.atomic
def notification_read(*, notification: Notification, now: datetime) -> Notification:
    """Mark an in-app notification read at ``now`` (once: a second call keeps the first time).
    The caller has checked it is the user's own (``selectors.access_notification``)."""
    if notification.read_at is None:
        notification.read_at = now
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_read_all(*, user: User, now: datetime, community_id: int | None = None) -> int:
    """Mark every unread in-app notification of ``user`` read (of one community if given)."""
    return inbox(user, community_id=community_id, unread_only=True).order_by().update(read_at=now)


@transaction.atomic
def notification_retry(*, notification: Notification, now: datetime) -> Notification:
    """Give a failed delivery a new run of attempts, due at once. The caller has checked the
    user heads the office (``selectors.access_failed_delivery``)."""
    notification.state = NotificationState.PENDING
    notification.attempts = 0
    notification.next_attempt_at = None
    notification.lease = ""
    notification.save(update_fields=["state", "attempts", "next_attempt_at", "lease"])
    return notification


@transaction.atomic
def notification_preference_set(
    *, user: User, email: bool | None = None, sms: bool | None = None
) -> NotificationPreference:
    """Turn the user's e-mail or SMS channel on or off (``None``: leave as is). In the app is
    always on."""
    pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    changed = []
    if email is not None and pref.email != email:
        pref.email = email
        changed.append("email")
    if sms is not None and pref.sms != sms:
        pref.sms = sms
        changed.append("sms")
    if changed:
        pref.full_clean()
        pref.save(update_fields=changed)
    return pref


# --- retention -----------------------------------------------------------------------------------

# A notification is a wide row under eight indexes, and a summary's items cascade with it: on
# SQLite 200 of them held the write lock ~17 ms (bench/notify_purge.py), 50 a few ms.
NOTIFICATION_PURGE_BATCH_SQLITE = 50


def notifications_purge(
    *,
    now: datetime,
    batch_size: int | None = None,
    budget_seconds: float = PURGE_TICK_BUDGET_SECONDS,
) -> int:
    """Delete the staff's in-app notifications read longer ago than
    settings.NOTIFICATION_RETENTION_DAYS before ``now`` (aware; the injected clock they are
    stamped with) and created that long ago too: one read exactly that long ago stays. Never an
    unread one, and only those sent (the worker has brought them to the other channels: a row
    still pending or sending is its work; a failed one is the head's to see and retry). A
    summary (kind ``digest``) goes with its DigestItems, which are read only through it. The
    e-mail, SMS and webhook rows of the same cause are their own records, with their own
    retention (``delivery_records_purge``). Oldest read
    first, in short batches (core.housekeeping.purge_in_batches, the ``notif_read`` index).
    Returns how many notifications were deleted."""
    cutoff = now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    # Sent, said as "none of the others": an equality on state would draw SQLite's planner to the
    # notif_due index (state, …) and a sort, where notif_read is a probe in read_at order.
    rule = Q(
        channel=NotificationChannel.IN_APP,
        read_at__isnull=False,
        read_at__lt=cutoff,
        created_at__lt=cutoff,
    ) & ~Q(
        state__in=[NotificationState.PENDING, NotificationState.SENDING, NotificationState.FAILED]
    )
    old = Notification.objects.filter(rule)

    def pick(size: int) -> list[int]:
        return list(old.order_by("read_at", "id").values_list("id", flat=True)[:size])

    size = batch_size or (
        NOTIFICATION_PURGE_BATCH_SQLITE if connection.vendor == "sqlite" else None
    )
    return purge_in_batches(
        Notification, pick, rule, batch_size=size, budget_seconds=budget_seconds
    )


def _delivery_rules(now: datetime) -> list[tuple[type[Notification | ResidentMessage], Q]]:
    """delivery_records_purge's rule for each table, at ``now``."""
    cutoff = now - timedelta(days=settings.NOTIFICATION_DELIVERY_RETENTION_DAYS)
    # Done, said as "neither pending nor sending" (an equality on state draws SQLite's planner
    # to the *_due indexes); sent_at is empty on a failed row, set with "sent".
    done = ~Q(state__in=[NotificationState.PENDING, NotificationState.SENDING]) & (
        Q(sent_at__isnull=True) | Q(sent_at__lt=cutoff)
    )
    # The channel as a literal: the query then implies notif_outgoing's condition as written,
    # whatever the driver binds (SQLite 3.40 also matches a bound value, re-preparing the
    # statement when it changes; a server-side prepared plan would not).
    outgoing = ~Q(channel=Constant(NotificationChannel.IN_APP.value))
    rule = outgoing & Q(created_at__lt=cutoff) & done
    return [(Notification, rule), (ResidentMessage, Q(created_at__lt=cutoff) & done)]


def _oldest(model: type[Notification | ResidentMessage], rule: Q) -> Any:
    """The ids of the rows under ``rule``, oldest written first (the pick's read)."""
    return (
        model._default_manager.filter(rule)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )


def delivery_records_purge(
    *,
    now: datetime,
    batch_size: int | None = None,
    budget_seconds: float = PURGE_TICK_BUDGET_SECONDS,
) -> dict[str, int]:
    """Delete the delivery records older than settings.NOTIFICATION_DELIVERY_RETENTION_DAYS
    before ``now`` (aware; the injected clock they are stamped with): the staff's e-mail, SMS
    and webhook rows (Notification, every channel but in the app) and the residents' text
    messages (ResidentMessage). A row goes once it was written that long ago and is done with:
    sent that long ago too (a failed delivery the head retried late counts from its sending),
    or failed for good. One exactly that old stays. Never one pending or sending (the worker's
    work, a retry included). Nothing else reads them once done: a dedupe key is consulted only
    when its cause's in-app row is expanded, once, at its first delivery; the cap, the bell,
    the live screens and the summaries read in-app rows; the timelines and the KPIs read the
    orders' events. Oldest written first, in short batches (core.housekeeping.purge_in_batches;
    the ``notif_outgoing`` and ``resmsg_created`` indexes). Returns the rows deleted per
    table."""
    size = batch_size or (
        NOTIFICATION_PURGE_BATCH_SQLITE if connection.vendor == "sqlite" else None
    )
    out: dict[str, int] = {}
    for model, still in _delivery_rules(now):
        old = _oldest(model, still)

        def pick(n: int, old: Any = old) -> list[int]:
            return list(old[:n])

        out[model._meta.model_name or ""] = purge_in_batches(
            model, pick, still, batch_size=size, budget_seconds=budget_seconds, lock=True
        )
    return out
