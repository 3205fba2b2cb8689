"""Reads of the outbox, always scoped: a staff member reads only their own notifications, in the
communities they may see; only an office head reads the failed deliveries of their office."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from propdesk.community.models import User
from propdesk.community.selectors import (
    community_ids_visible,
    community_ids_visible_query,
    scope,
    user_roles,
)
from propdesk.core.errors import Forbidden, NotFound
from propdesk.core.literal import Constant
from propdesk.notify.cap import DIGEST_KIND, MAX_ITEMS
from propdesk.notify.models import (
    DigestItem,
    Notification,
    NotificationChannel,
    NotificationPreference,
    NotificationState,
)
from propdesk.policy.workflow import Role


def inbox(
    user: User, *, community_id: int | None = None, unread_only: bool = False
) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first."""
    qs = scope(
        Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP), user
    )
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.select_related("community").order_by("-created_at", "-id")


_LISTED = "listed_digest_items"  # where fetch_digest_items leaves a summary's items


def fetch_digest_items(rows: Sequence[Notification]) -> None:
    """Fetch the first MAX_ITEMS items of every summary among ``rows`` in one query (none when
    there is no summary among them); read them with ``digest_items``. ``rows`` come from a
    scoped read: the items are only those of the summaries it holds."""
    digests = [r for r in rows if r.kind == DIGEST_KIND]
    if digests:
        prefetch_related_objects(
            digests,
            Prefetch(
                "digest_items",
                queryset=DigestItem.objects.order_by("id")[:MAX_ITEMS],
                to_attr=_LISTED,
            ),
        )


def digest_items(notification: Notification) -> list[DigestItem]:
    """A summary's items, first folded first, at most MAX_ITEMS (its payload's ``count`` says
    how many were folded); [] for any other notification. Fetched with the others by
    ``fetch_digest_items``, else one query. The caller has the notification from a scoped read."""
    if notification.kind != DIGEST_KIND:
        return []
    listed: list[DigestItem] | None = getattr(notification, _LISTED, None)
    if listed is None:
        listed = list(notification.digest_items.order_by("id")[:MAX_ITEMS])
    return listed


def digest_item_list(notification: Notification) -> QuerySet[DigestItem]:
    """Every item of a summary, first folded first (none for another kind). ``notification``
    comes from ``access_notification``: the user's own."""
    if notification.kind != DIGEST_KIND:
        return DigestItem.objects.none()
    return DigestItem.objects.filter(digest_id=notification.pk).order_by("id")


def unread_count(user: User, *, community_id: int | None = None) -> int:
    return inbox(user, community_id=community_id, unread_only=True).order_by().count()


def bell_count(user: User) -> int:
    """The bell's number as every page draws it: the user's unread in-app notifications in the
    communities they may see (``unread_count``, which the live poll's count agrees with), in
    one statement, the communities a subquery. The channel is written into the SQL
    (core.literal) so that SQLite may read the partial index notif_unread, as the poll does."""
    qs = Notification.objects.filter(
        recipient_id=user.pk, channel=Constant(NotificationChannel.IN_APP.value), read_at=None
    )
    ids = community_ids_visible_query(user)
    if ids is not None:
        qs = qs.filter(community_id__in=ids)
    return qs.order_by().count()


def _in_app_mine(user: User) -> QuerySet[Notification]:
    """``inbox`` without a query of its own for the user's communities (a subquery instead)."""
    qs = Notification.objects.filter(recipient_id=user.pk, channel=NotificationChannel.IN_APP)
    ids = community_ids_visible_query(user)
    return qs if ids is None else qs.filter(community_id__in=ids)


def unread_alerts(user: User, kinds: list[str], *, after_id: int) -> list[Notification]:
    """The user's unread in-app notifications of ``kinds`` newer than ``after_id``, newest
    first, at most 10 (what a screen shows as an alert banner)."""
    return list(
        _in_app_mine(user)
        .filter(read_at__isnull=True, kind__in=kinds, id__gt=after_id)
        .order_by("-id")[:10]
    )


def access_notification(user: User, notification_id: int | str) -> Notification:
    """One of the user's own in-app notifications; anyone else's is "not found"."""
    try:
        return inbox(user).get(pk=int(notification_id))
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Notification not found.")) from exc


def _head_of(user: User, community_id: int) -> None:
    visible = community_ids_visible(user)
    if visible is not None and community_id not in visible:
        raise NotFound(_("Community not found."))
    if Role.OFFICE_HEAD not in user_roles(user, community_id):
        raise Forbidden(_("Only the office head sees failed deliveries."))


def failed_deliveries(user: User, community_id: int) -> QuerySet[Notification]:
    """Deliveries of one community that failed for good, newest first. NotFound if the
    community is hidden from ``user``; Forbidden if ``user`` is not its office head."""
    _head_of(user, community_id)
    return (
        Notification.objects.filter(community_id=community_id, state=NotificationState.FAILED)
        .select_related("recipient", "endpoint")
        .order_by("-created_at", "-id")
    )


def access_failed_delivery(user: User, notification_id: int | str) -> Notification:
    try:
        row = Notification.objects.get(pk=int(notification_id), state=NotificationState.FAILED)
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Notification not found.")) from exc
    try:
        _head_of(user, row.community_id)
    except Forbidden as exc:
        raise NotFound(_("Notification not found.")) from exc
    return row


@dataclass(frozen=True)
class Channels:
    """What a staff member gets: in the app always; e-mail and SMS as chosen, if reachable."""

    email: bool
    sms: bool
    email_address: str
    phone: str


def channels_of(user: User) -> Channels:
    pref = NotificationPreference.objects.filter(user=user).first()
    return Channels(
        email=pref.email if pref else True,
        sms=pref.sms if pref else False,
        email_address=user.email,
        phone=user.phone,
    )
