"""What every console page shares: the community from the URL, checked against the user's roles;
a forbidden page that says why and offers a way back; the navigation of the user's roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from propdesk.community.models import Community, User
from propdesk.community.selectors import access_community, communities_visible, user_roles
from propdesk.core.auth import signed_in_user
from propdesk.core.clock import get_clock
from propdesk.core.errors import NotFound
from propdesk.core.once import Submitted
from propdesk.policy.workflow import OFFICE_ROLES, TEAM_ROLES, Role


@dataclass
class Desk:
    """The signed-in user at one community's desk."""

    user: User
    community: Community
    roles: frozenset[Role]

    @property
    def is_office(self) -> bool:
        return bool(self.roles & OFFICE_ROLES)

    @property
    def is_head(self) -> bool:
        return Role.OFFICE_HEAD in self.roles

    @property
    def is_team(self) -> bool:
        return bool(self.roles & TEAM_ROLES)

    @property
    def is_team_leader(self) -> bool:
        return Role.TEAM_LEADER in self.roles

    @property
    def search_url(self) -> str:
        """查找工单 for those who work orders (the office, the teams, leadership; not the
        concierge, who sees none): the magnifier in the top bar, beside the bell. Not a menu
        item: the office head's menu fills a 1280 px bar's row already."""
        if self.is_office or self.is_team or Role.LEADERSHIP in self.roles:
            return reverse("desk-search", args=[self.community.pk])
        return ""

    def nav(self) -> list[tuple[str, str, str]]:
        """(key, label, url) of the screens this user's roles use, in the order they use them."""
        cid = self.community.pk
        items: list[tuple[str, str, str]] = []
        if Role.RECEPTIONIST in self.roles or self.is_office:
            items.append(("intake", _("Front desk"), reverse("desk-intake", args=[cid])))
        if self.is_office or Role.LEADERSHIP in self.roles or self.is_team_leader:
            items.append(("board", _("Live board"), reverse("desk-board", args=[cid])))
        if self.roles - {Role.LEADERSHIP, Role.CONCIERGE}:
            items.append(("queue", _("My queue"), reverse("desk-queue", args=[cid])))
        if self.is_team:
            items.append(("jobs", _("My jobs"), reverse("desk-jobs", args=[cid])))
        if Role.CONCIERGE in self.roles or self.is_office:
            items += [
                ("concierge", _("Concierge"), reverse("desk-concierge", args=[cid])),
                ("cart", _("Service cart"), reverse("desk-cart", args=[cid])),
            ]
        if self.is_office:
            items += [
                ("calls", _("Calls"), reverse("desk-calls", args=[cid])),
                ("visits", _("Return visits"), reverse("desk-visits", args=[cid])),
                ("suggestions", _("Suggestions"), reverse("desk-suggestions", args=[cid])),
                ("issues", _("Common issues"), reverse("desk-issues", args=[cid])),
                ("activities", _("Activities"), reverse("desk-activities", args=[cid])),
                ("places", _("QR codes"), reverse("desk-places", args=[cid])),
            ]
        if self.is_office:
            items.append(("emergency", _("Emergency"), reverse("emergency-new")))
        if self.roles & {Role.OFFICE_HEAD, Role.ADMINISTRATOR, Role.LEADERSHIP}:
            items.append(("report", _("Monthly report"), reverse("desk-report", args=[cid])))
        if self.roles & {Role.OFFICE_HEAD, Role.LEADERSHIP}:
            items.append(("incidents", _("Incident reports"), reverse("desk-incident-list")))
        if Role.LEADERSHIP in self.roles:
            items.append(("compare", _("Communities compared"), reverse("desk-report-compare")))
        return items


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(
        request,
        "web/forbidden.html",
        {"message": message or _("This page is not for your role in this community.")},
        status=403,
    )


def not_found(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/forbidden.html",
        {"message": _("There is no such page, or it is not in your communities."), "missing": True},
        status=404,
    )


def console(
    *roles: Role,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A console view at ``/desk/<community_id>/…``: signed in, with one of ``roles`` (any role
    when none is named) in that community. Passes a ``Desk`` as the view's second argument."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def inner(request: HttpRequest, community_id: int, *args: Any, **kw: Any) -> HttpResponse:
            user: User = signed_in_user(request)  # the user itself, not the lazy proxy
            try:
                community = access_community(user, community_id)
            except NotFound:
                return not_found(request)
            have = user_roles(user, community.pk)
            if user.is_leadership:
                have = have | {Role.LEADERSHIP}
            if not have or (roles and not have & set(roles)):
                return forbidden(request)
            desk = Desk(user=user, community=community, roles=have)
            request.desk = desk  # type: ignore[attr-defined]
            try:
                return view(request, desk, *args, **kw)
            except NotFound:
                return not_found(request)

        return inner

    return wrap


def now() -> Any:
    return get_clock().now()


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def home_url(user: User) -> str | None:
    """Where a user starts: the first community's screen of their main role; company
    leadership starts at the communities side by side."""
    if user.is_leadership:
        return reverse("desk-report-compare")
    for community in communities_visible(user).order_by("name"):
        roles = user_roles(user, community.pk)
        if roles & {Role.ADMINISTRATOR, Role.OFFICE_HEAD}:
            return reverse("desk-queue", args=[community.pk])
        if Role.RECEPTIONIST in roles:
            return reverse("desk-intake", args=[community.pk])
        if Role.TEAM_LEADER in roles:
            return reverse("desk-queue", args=[community.pk])
        if Role.TEAM_MEMBER in roles:
            return reverse("desk-jobs", args=[community.pk])
        if Role.CONCIERGE in roles:
            return reverse("desk-concierge", args=[community.pk])
        if roles or user.is_leadership:
            return reverse("desk-board", args=[community.pk])
    return None


def posted_id(value: str | None) -> int:
    """An id from a form: the number, or 0 (matches nothing) for anything else — text, unicode
    digits, null bytes, numbers past the database's range (issue 12: these were 500s)."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return 0
    return int(text)


def page_number(query: Any) -> int:
    """A list's ``?page=N``: the number, 1 for anything else (missing, text, 0, too large); a
    page past the last is the selector's to clamp."""
    text = str(query.get("page") or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return 1
    return max(1, int(text))


def back_to(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """A redirect to the posted ``next`` when it is a path on this site, else to ``default``.
    Never through ``redirect()``, which would read a bare word ("-93568") as a view's name."""
    target = request.POST.get("next") or ""
    if not (
        target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        target = default
    return HttpResponseRedirect(target)


def once_owner(request: HttpRequest) -> str:
    """Whose one-time form tokens these are (core.once): the signed-in staff member."""
    return f"user:{request.user.pk}"


def answered(request: HttpRequest, done: Submitted) -> bool:
    """Say what a submit did (core.once): the first one's message, or, for the same form sent
    again, that it was already recorded (and what the first one said). True when the view
    should redirect to ``done.answer.url``; False when the form is to be drawn with its errors."""
    if done.answer is None:
        return False
    if done.replayed:
        first = done.answer.message
        said = _("This form was already sent: it was recorded once, not twice.")
        text = format_html("{} {}", said, mark_safe(first)) if first else said  # noqa: S308 - our own
        messages.info(request, text)
    else:
        messages.success(request, done.answer.message)
    return True
