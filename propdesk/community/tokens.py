"""API tokens (DRF authtoken, ``Authorization: Token …``): they expire, a password change
retires them, their owner revokes theirs and the office head revokes a staff member's.

A token's age is counted from ``Token.created``, set from the injected clock when it is issued
here. ``settings.API_TOKEN_TTL_HOURS`` is its lifetime in hours.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from propdesk.community.models import Membership, User
from propdesk.community.selectors import community_ids_visible, user_roles
from propdesk.core.errors import Forbidden, NotFound
from propdesk.policy.workflow import Role

log = logging.getLogger(__name__)

EXPIRED, PASSWORD_CHANGED = "token_expired", "password_changed"


def token_ttl() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def token_refusal(token: Token, now: datetime) -> str | None:
    """Why ``token`` no longer opens the API at ``now``: EXPIRED once its lifetime has passed
    (at exactly ``created + TTL`` it is expired), PASSWORD_CHANGED when the user's password
    changed after it was issued; ``None`` while it is good."""
    if now >= token.created + token_ttl():
        return EXPIRED
    changed = token.user.password_changed_at
    if changed is not None and token.created < changed:
        return PASSWORD_CHANGED
    return None


@transaction.atomic
def api_token_issue(*, user: User, now: datetime) -> Token:
    """The user's token after a successful login: the current one while it is good, else a
    new one (expired, or from before the last password change: replaced)."""
    token = Token.objects.select_for_update().select_related("user").filter(user=user).first()
    if token is not None and token_refusal(token, now) is None:
        return token
    if token is not None:
        token.delete()
    token = Token.objects.create(user=user)
    # created is auto_now_add (the wall clock); the product's time is the injected clock.
    Token.objects.filter(pk=token.pk).update(created=now)
    token.created = now
    return token


@transaction.atomic
def api_token_revoke(*, user: User, now: datetime, by: User | None = None) -> int:
    """Revoke every API token of ``user`` (their own logout, or ``by`` the office head); the
    number revoked. Their next call with it is a 401."""
    count, _rows = Token.objects.filter(user=user).delete()
    log.info(
        "api tokens revoked",
        extra={"user": user.pk, "by": (by or user).pk, "count": count, "at": now.isoformat()},
    )
    return count


def access_staff_for_revoke(user: User, staff_id: int | str) -> User:
    """A staff member whose tokens ``user`` may revoke: one with a role in a community where
    ``user`` is the office head. NotFound for staff of no community ``user`` sees (another
    community's, or missing); Forbidden for one of theirs when ``user`` is not its head."""
    try:
        sid = int(staff_id)
    except (TypeError, ValueError) as exc:
        raise NotFound(_("Staff member not found")) from exc
    if not 0 < sid < 2**63:
        raise NotFound(_("Staff member not found"))
    memberships = Membership.objects.filter(user_id=sid, user__is_active=True)
    visible = community_ids_visible(user)
    if visible is not None:
        memberships = memberships.filter(community_id__in=visible)
    shared = set(memberships.values_list("community_id", flat=True))
    if not shared:
        raise NotFound(_("Staff member not found"))
    if not any(Role.OFFICE_HEAD in user_roles(user, cid) for cid in shared):
        raise Forbidden(_("Only the office head revokes a staff member's API tokens."))
    return User.objects.get(pk=sid)
