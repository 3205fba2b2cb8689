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
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.urls import reverse

from propdesk.calls.selectors import call_cursor
from propdesk.community.models import Community, Membership, User
from propdesk.desk.models import WorkOrderEvent
from propdesk.incidents.models import EmergencyState
from propdesk.incidents.selectors import emergencies_openable, emergencies_visible
from propdesk.incidents.services import EMERGENCY_KIND
from propdesk.notify.models import Notification, NotificationChannel
from propdesk.notify.selectors import unread_alerts
from propdesk.web.links import notification_link


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


def _visible(user: User, column: str) -> tuple[str, list[Any]]:
    """SQL saying that ``column`` is a community the user may see, as
    community_ids_visible decides it (memberships; leadership: the whole company; superuser:
    all), as a subquery rather than a query of its own."""
    if not user.is_active:
        return "1 = 0", []
    if user.is_superuser:
        return "1 = 1", []
    membership = Membership._meta.db_table
    # Table names from the models, values bound: nothing a user typed is in the SQL text.
    sql = f"{column} IN (SELECT m.community_id FROM {membership} m WHERE m.user_id = %s)"  # noqa: S608
    params: list[Any] = [user.pk]
    if user.is_leadership and user.company_id:
        community = Community._meta.db_table
        sql = f"({sql} OR {column} IN (SELECT k.id FROM {community} k WHERE k.company_id = %s))"  # noqa: S608
        params.append(user.company_id)
    return sql, params


def live_sql(user: User) -> tuple[str, list[Any]]:
    """The statement of ``live_state`` and its parameters (for it, and for EXPLAIN in tests)."""
    communities, c_params = _visible(user, "v.id")
    mine, n_params = _visible(user, "n.community_id")
    event = WorkOrderEvent._meta.db_table
    notification = Notification._meta.db_table
    in_app = NotificationChannel.IN_APP.value
    # Per community, its newest event. The range on community_id (not "=") and the ORDER BY on
    # both columns leave PostgreSQL one way: a backward seek of event_comm_id. With "=" it
    # chose the primary key backwards, filtering on the community: fast while every community is
    # busy, a scan of the whole table for one without events (a new community).
    newest_event = (
        f"SELECT e.id FROM {event} e WHERE e.community_id >= v.id AND e.community_id <= v.id"  # noqa: S608
        " ORDER BY e.community_id DESC, e.id DESC LIMIT 1"
    )
    # Table names from the models, values bound.
    sql = (
        "SELECT"  # noqa: S608
        f" (SELECT MAX(({newest_event}))"
        f"  FROM {Community._meta.db_table} v WHERE {communities}),"
        f" (SELECT n.id FROM {notification} n"
        f"  WHERE n.recipient_id = %s AND n.channel = '{in_app}' AND {mine}"
        "  ORDER BY n.id DESC LIMIT 1),"
        f" (SELECT COUNT(*) FROM {notification} n"
        f"  WHERE n.recipient_id = %s AND n.channel = '{in_app}' AND n.read_at IS NULL"
        f"  AND {mine})"
    )
    return sql, [*c_params, user.pk, *n_params, user.pk, *n_params]


def live_state(user: User) -> LiveState:
    """The three numbers of the live answer in one SQL statement, three index seeks:
    per community of the user, its newest event (``event_comm_id``: community, id); the user's
    newest in-app notification (``notif_in_app``); the count of their unread in-app ones
    (``notif_unread``, which holds only those rows). Scoped like ``community_ids_visible`` and
    ``notify.selectors.unread_count``, which the tests compare it with.

    Written as SQL, not built with the ORM: building and compiling the same nested subqueries
    took about 20 times as long as running them (bench/RESULTS.md, live screens), and every open
    page runs this every 2 seconds."""
    sql, params = live_sql(user)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        c, n, unread = cursor.fetchone()
    return LiveState(cursor=c or 0, newest_notification=n or 0, unread=unread or 0)


def live_cursor(user: User) -> int:
    """The cursor alone, for a page to embed (``data-live-c``) before it reads its rows: a
    change after this read moves the cursor past it, so the page's first poll cannot miss it."""
    return live_state(user).cursor


def live_answer(
    user: User,
    *,
    seen_cursor: int | None,
    seen_notification: int | None,
    with_calls: bool = False,
    alert_emergencies: list[int] | None = None,
) -> dict[str, Any]:
    """The poll's answer: ``c``, ``n``, ``unread`` and ``changed`` (``c`` or ``n`` differ from
    what the page sent; a missing one counts as different). Only when changed: ``emergencies``,
    the open emergencies of the user's communities (the banner), ``alerts``, the user's unread
    notifications of ``live_alert_kinds()`` newer than ``seen_notification`` (newest first, at
    most 10), each with the link it opens (``payload.url``, else its work order), and ``over``.

    ``over``: which of ``alert_emergencies`` (the emergencies the page's banner still holds an
    alert of, ``e=``) are no longer open: 处置完毕 stops the alarm on every screen, not only for
    whoever dismisses it; the alert stays in the notifications. An emergency's alert whose
    emergency is over is not sent either. Handling an emergency writes an event on its order,
    so the cursor moves and every open page gets this answer at its next poll.

    ``with_calls`` (the pages that show calls: the intake screen's ringing banner, the queue's
    call-backs) adds ``r``, the newest call event of the user's communities (calls.selectors.
    call_cursor: one more statement, asked only by those pages); the page fetches its call
    regions when it moved."""
    state = live_state(user)
    changed = seen_cursor != state.cursor or seen_notification != state.newest_notification
    answer: dict[str, Any] = {
        "c": state.cursor,
        "n": state.newest_notification,
        "unread": state.unread,
        "changed": changed,
    }
    if with_calls:
        answer["r"] = call_cursor(user)
    if not changed:
        return answer
    emergencies = list(
        emergencies_visible(user)
        .filter(state=EmergencyState.OPEN)
        .order_by("-reported_at", "-id")
        .values(
            "id",
            "kind",
            "kind_title",
            "location",
            "order__number",
            "reported_at",
            "community__time_zone",
        )[:20]
    )
    openable = emergencies_openable(user, [e["id"] for e in emergencies])
    answer["emergencies"] = [
        {
            "id": e["id"],
            "kind": e["kind"],
            "kind_title": e["kind_title"],
            "location": e["location"],
            "order_number": e["order__number"],
            # In the community's time zone (the ISO time says its offset), and the zone's name:
            # the banner shows the community's time, not the device's (a PC set to UTC).
            "reported_at": e["reported_at"]
            .astimezone(ZoneInfo(e["community__time_zone"]))
            .isoformat(),
            "time_zone": e["community__time_zone"],
            "url": reverse("desk-emergency", args=[e["id"]]) if e["id"] in openable else None,
        }
        for e in emergencies
    ]
    after = seen_notification if seen_notification is not None else 0
    if after < state.newest_notification:
        alerts = unread_alerts(user, live_alert_kinds(), after_id=after)
    else:
        alerts = []
    asked = set(alert_emergencies or ())
    named = asked | {e for e in (_emergency_of(a) for a in alerts) if e is not None}
    still_open = {e["id"] for e in emergencies} & named
    if named - still_open:
        # Beyond the banner's first 20 open ones: asked apart.
        still_open |= set(
            emergencies_visible(user)
            .filter(pk__in=named - still_open, state=EmergencyState.OPEN)
            .values_list("id", flat=True)
        )
    answer["over"] = sorted(asked - still_open)
    alerts = [a for a in alerts if _emergency_of(a) is None or _emergency_of(a) in still_open]
    answer["alerts"] = [
        {
            "id": a.pk,
            "kind": a.kind,
            "title": a.title,
            "url": notification_link(a.payload or {}, a.community_id)
            or reverse("desk-notifications"),
            "emergency": _emergency_of(a),
            "created_at": a.created_at.isoformat(),
        }
        for a in alerts
    ]
    return answer


def _emergency_of(alert: Notification) -> int | None:
    """The emergency an alert calls to (its payload's ``emergency``), None for any other alert."""
    if alert.kind != EMERGENCY_KIND:
        return None
    value = (alert.payload or {}).get("emergency")
    return value if isinstance(value, int) else None
