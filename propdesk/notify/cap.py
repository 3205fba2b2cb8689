"""Issue 12: notifications per person are capped (policy ``notify_cap``). Of the capped kinds,
at most ``per_person`` in-app notifications reach one person in any ``window_minutes`` (counted
back from ``now``, the window's start excluded); each one over the cap is folded into that
person's one summary notification of the window (kind ``digest``): its title and its payload's
``count`` count them, and each is kept as a DigestItem row (cause, kind, title, payload), so
nothing is dropped silently. The kinds in ``uncapped`` (emergency calls) are never capped and not
counted, and neither is the summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from propdesk.community.models import Community
from propdesk.core.bulk import insert_many
from propdesk.notify.models import DigestItem, Notification, NotificationChannel, NotificationState
from propdesk.policy.rules import NotifyCapPolicy, load_policy

DIGEST_KIND = "digest"
MAX_ITEMS = 200  # the summary shows this many (its first); its count goes on


def cap_policy(community_id: int) -> NotifyCapPolicy:
    overrides = Community.objects.filter(pk=community_id).values_list("policy", flat=True).first()
    return load_policy(overrides or {}).notify_cap


def over_cap(
    *,
    community_id: int,
    recipient_ids: Sequence[int],
    kind: str,
    now: datetime,
    cap: NotifyCapPolicy | None = None,
) -> tuple[NotifyCapPolicy, set[int]]:
    """The policy, and those of ``recipient_ids`` who had ``per_person`` capped notifications
    in the window ending at ``now``. ``cap``: the community's policy when the caller has it."""
    cap = cap or cap_policy(community_id)
    if kind in cap.uncapped or kind == DIGEST_KIND or not recipient_ids:
        return cap, set()
    since = now - timedelta(minutes=cap.window_minutes)
    counts = (
        Notification.objects.filter(
            recipient_id__in=recipient_ids,
            channel=NotificationChannel.IN_APP,
            created_at__gt=since,
            created_at__lte=now,
        )
        .exclude(kind__in=[*cap.uncapped, DIGEST_KIND])
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    return cap, {uid for uid, n in counts if n >= cap.per_person}


def _title(count: int, minutes: int) -> str:
    return _("%(n)s more notifications in the last %(minutes)s minutes, gathered here") % {
        "n": count,
        "minutes": minutes,
    }


def fold_into_digest(
    *,
    cap: NotifyCapPolicy,
    community_id: int,
    recipient_id: int,
    cause: str,
    kind: str,
    title: str,
    payload: Mapping[str, Any],
    now: datetime,
    told_checked: bool = False,
) -> bool:
    """Add one notification to the person's summary of this window (made on the first one).
    Returns False when that cause was already folded there, or the person already has it as a
    notification of its own (a repeat writes nothing); ``told_checked``: the caller has just
    made sure of the latter. Call it inside a transaction: the summary stays locked until its
    end, so its count and its items agree.

    A fold is one INSERT of a DigestItem (a repeat cause is skipped by the unique (summary,
    cause)) and one UPDATE of the summary's count and title: its items are never read back."""
    since = now - timedelta(minutes=cap.window_minutes)
    digest = (
        Notification.objects.select_for_update()
        .filter(
            community_id=community_id,
            recipient_id=recipient_id,
            channel=NotificationChannel.IN_APP,
            kind=DIGEST_KIND,
            created_at__gt=since,
        )
        .order_by("-created_at", "-pk")
        .only("pk", "payload")
        .first()
    )
    if digest is None:
        stamp = int(now.timestamp() * 1000)
        digest = Notification.objects.create(
            community_id=community_id,
            recipient_id=recipient_id,
            channel=NotificationChannel.IN_APP,
            cause=f"digest:{recipient_id}:{stamp}"[:100],
            kind=DIGEST_KIND,
            title=_title(1, cap.window_minutes)[:200],
            payload={"count": 1},
            dedupe_key=f"digest:{recipient_id}:{stamp}:{community_id}:in_app",
            state=NotificationState.PENDING,
            created_at=now,
        )
        _add_item(digest.pk, cause=cause, kind=kind, title=title, payload=payload, now=now)
        return True
    if not told_checked and (
        Notification.objects.filter(
            recipient_id=recipient_id, cause=cause, channel=NotificationChannel.IN_APP
        ).exists()
    ):
        return False
    if not _add_item(digest.pk, cause=cause, kind=kind, title=title, payload=payload, now=now):
        return False  # already folded into this summary
    count = int((digest.payload or {}).get("count", 0)) + 1
    Notification.objects.filter(pk=digest.pk).update(
        payload={"count": count}, title=_title(count, cap.window_minutes)[:200]
    )
    return True


_ITEM_FIELDS = ("digest", "cause", "kind", "title", "payload", "created_at")


def _add_item(
    digest_id: int,
    *,
    cause: str,
    kind: str,
    title: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> bool:
    """One row in the summary; False (nothing written) when its cause is there already. Every
    fold is kept (beyond MAX_ITEMS too, so a repeat is always known); lists show MAX_ITEMS."""
    row = (digest_id, cause[:100], kind[:20], title[:200], dict(payload), now)
    return insert_many(DigestItem, _ITEM_FIELDS, [row], ignore_conflicts=True) == 1
