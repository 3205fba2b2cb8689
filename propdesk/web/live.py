"""What keeps the console's screens live: "what changed since cursor N", answered cheaply.

Every open staff page polls ``GET /desk/live/?c=<cursor>&n=<notification id>`` every 2 s
(static/web/live.js). The cursor is the newest work-order event id over the communities the user
may see (events are append-only and every change of an order writes one, an emergency's taps
included); ``n`` is the id of the user's newest in-app notification. When neither moved, the
answer is one SQL statement (three index seeks) beyond the session and user lookups; only when
something moved does it read more: the open emergencies for the banner and the new alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse

from propdesk.community.models import User
from propdesk.desk.selectors import newest_event_id
from propdesk.incidents.selectors import emergencies_visible
from propdesk.incidents.services import EMERGENCY_KIND
from propdesk.notify.selectors import (
    newest_notification_id,
    unread_alerts,
    unread_count_expression,
)


def live_alert_kinds() -> list[str]:
    """Notification kinds a screen shows as a banner with a sound, like an emergency: always
    ``emergency``, and the kinds of the setting LIVE_ALERT_KINDS (e.g. FD-4's agitated visitor)."""
    extra = [k for k in getattr(settings, "LIVE_ALERT_KINDS", []) if k != EMERGENCY_KIND]
    return [EMERGENCY_KIND, *extra]


@dataclass(frozen=True)
class LiveState:
    cursor: int  # newest work-order event id over the user's communities; 0 when none
    newest_notification: int  # id of the user's newest in-app notification; 0 when none
    unread: int  # the user's unread in-app notifications (as the bell counts them)


def live_state(user: User) -> LiveState:
    """The three numbers of the live answer, in one SQL statement (no query for the user's
    communities: they are a subquery). Indexes: ``event_comm_id``, ``notif_in_app``,
    ``notif_unread``."""
    c, n, unread = (
        User.objects.filter(pk=user.pk)
        .annotate(
            live_c=newest_event_id(user),
            live_n=newest_notification_id(user),
            live_unread=unread_count_expression(user),
        )
        .values_list("live_c", "live_n", "live_unread")
        .get()
    )
    return LiveState(cursor=c or 0, newest_notification=n or 0, unread=unread or 0)


def live_cursor(user: User) -> int:
    """The cursor alone, for a page to embed (``data-live-c``) before it reads its rows: a
    change after this read moves the cursor past it, so the page's first poll cannot miss it."""
    return live_state(user).cursor


def _alert_url(payload: dict[str, Any]) -> str:
    url = payload.get("url")
    if isinstance(url, str) and url.startswith("/"):
        return url
    order = payload.get("order")
    if isinstance(order, int):
        return reverse("desk-order", args=[order])
    return reverse("desk-notifications")


def live_answer(
    user: User, *, seen_cursor: int | None, seen_notification: int | None
) -> dict[str, Any]:
    """The poll's answer: ``c``, ``n``, ``unread`` and ``changed`` (``c`` or ``n`` differ from
    what the page sent; a missing one counts as different). Only when changed: ``emergencies``,
    the open emergencies of the user's communities (the banner), and ``alerts``, the user's unread
    notifications of ``live_alert_kinds()`` newer than ``seen_notification`` (newest first, at
    most 10), each with the link it opens (``payload.url``, else its work order)."""
    state = live_state(user)
    changed = seen_cursor != state.cursor or seen_notification != state.newest_notification
    answer: dict[str, Any] = {
        "c": state.cursor,
        "n": state.newest_notification,
        "unread": state.unread,
        "changed": changed,
    }
    if not changed:
        return answer
    emergencies = list(
        emergencies_visible(user)
        .filter(state="open")
        .order_by("-reported_at", "-id")
        .values("id", "kind", "kind_title", "location", "order__number", "reported_at")[:20]
    )
    answer["emergencies"] = [
        {
            "id": e["id"],
            "kind": e["kind"],
            "kind_title": e["kind_title"],
            "location": e["location"],
            "order_number": e["order__number"],
            "reported_at": e["reported_at"].isoformat(),
            "url": f"/desk/emergencies/{e['id']}/",
        }
        for e in emergencies
    ]
    after = seen_notification if seen_notification is not None else 0
    if after < state.newest_notification:
        alerts = unread_alerts(user, live_alert_kinds(), after_id=after)
    else:
        alerts = []
    answer["alerts"] = [
        {
            "id": a.pk,
            "kind": a.kind,
            "title": a.title,
            "url": _alert_url(a.payload or {}),
            "emergency": (a.payload or {}).get("emergency"),
            "created_at": a.created_at.isoformat(),
        }
        for a in alerts
    ]
    return answer
