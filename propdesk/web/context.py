"""The navigation on every staff page: a console page has its community's desk; a page outside
one community (leadership's comparison, incident reports, notifications, an emergency) shows the
navigation of the user's first community, so nobody is left without a way on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from propdesk.community.models import User
from propdesk.community.selectors import communities_visible, user_roles
from propdesk.policy.workflow import Role
from propdesk.web.views._common import Desk


def home_desk(user: User) -> Desk | None:
    """The user's desk in their first community (by name) where they have a role."""
    for community in communities_visible(user).order_by("name"):
        roles = set(user_roles(user, community.pk))
        if user.is_leadership:
            roles.add(Role.LEADERSHIP)
        if roles:
            return Desk(user=user, community=community, roles=frozenset(roles))
    return None


def navigation(request: HttpRequest) -> dict[str, Callable[[], Any]]:
    """``home_desk`` for base.html, read only when a page has no desk of its own (lazy: the
    template calls it)."""

    def lazy() -> Desk | None:
        desk: Desk | None = getattr(request, "desk", None)
        if desk is not None:
            return desk
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return home_desk(user)

    return {"home_desk": lazy}
