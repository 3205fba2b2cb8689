"""Issue 12: notifications per person are capped (policy ``notify_cap``). Of the capped kinds,
at most ``per_person`` in-app notifications reach one person in any ``window_minutes`` (counted
back from ``now``, the window's start excluded); each one over the cap is folded into that
person's one summary notification of the window (kind ``digest``): its title counts them and
its payload lists each (cause, kind, title, payload), so nothing is dropped silently. The kinds
in ``uncapped`` (emergency calls) are never capped and not counted, and neither is the summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from propdesk.community.models import Community
from propdesk.notify.models import Notification, NotificationChannel, NotificationState
from propdesk.policy.rules import NotifyCapPolicy, load_policy

DIGEST_KIND = "digest"
MAX_ITEMS = 200  # the summary lists this many; its count goes on


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
    made sure of the latter."""
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
        .first()
    )
    item = {"cause": cause, "kind": kind, "title": title, "payload": dict(payload)}
    if digest is None:
        stamp = int(now.timestamp() * 1000)
        Notification.objects.create(
            community_id=community_id,
            recipient_id=recipient_id,
            channel=NotificationChannel.IN_APP,
            cause=f"digest:{recipient_id}:{stamp}"[:100],
            kind=DIGEST_KIND,
            title=_title(1, cap.window_minutes)[:200],
            payload={"count": 1, "items": [item]},
            dedupe_key=f"digest:{recipient_id}:{stamp}:{community_id}:in_app",
            state=NotificationState.PENDING,
            created_at=now,
        )
        return True
    body = dict(digest.payload)
    items = list(body.get("items", []))
    if any(i.get("cause") == cause for i in items) or (
        not told_checked
        and Notification.objects.filter(
            recipient_id=recipient_id, cause=cause, channel=NotificationChannel.IN_APP
        ).exists()
    ):
        return False
    if len(items) < MAX_ITEMS:
        items.append(item)
    body["items"] = items
    body["count"] = int(body.get("count", len(items) - 1)) + 1
    digest.payload = body
    digest.title = _title(body["count"], cap.window_minutes)[:200]
    digest.save(update_fields=["payload", "title"])
    return True
