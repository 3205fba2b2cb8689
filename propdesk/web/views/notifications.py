"""The bell's page: my notifications, newest first; open one (it is read) or read them all."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from propdesk.community.models import User
from propdesk.core.errors import NotFound
from propdesk.notify.models import Notification
from propdesk.notify.selectors import access_notification, inbox
from propdesk.notify.services import notification_read, notifications_read_all
from propdesk.web.views._common import not_found, now


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        if request.POST.get("all"):
            notifications_read_all(user=user, now=now())
        else:
            try:
                row = access_notification(user, request.POST.get("id", ""))
            except NotFound:
                return not_found(request)
            notification_read(notification=row, now=now())
            link = notification_link(row)
            if link:
                return redirect(link)
        return redirect("desk-notifications")
    rows = list(inbox(user)[:100])
    for row in rows:
        row.link = notification_link(row)  # type: ignore[attr-defined]
    return render(request, "web/notifications.html", {"title": _("Notifications"), "rows": rows})


# A clock that belongs to the community itself leads to the screen where it is met.
_RULE_PAGES = {"RV-1": "desk-visits", "RV-7": "desk-issues", "RV-8": "desk-issues"}


def notification_link(row: Notification) -> str | None:
    """The page a notification opens: the link written with it (checked against the recipient's
    access when it was written), else the emergency, the work order, the contact, or the screen
    of the community's own clock."""
    payload = row.payload or {}
    url = payload.get("url")
    if isinstance(url, str) and url.startswith("/") and not url.startswith("//"):
        return url
    for key, name in (("order", "desk-order"), ("contact", "desk-contact")):
        if isinstance(payload.get(key), int):
            return reverse(name, args=[payload[key]])
    page = _RULE_PAGES.get(str(payload.get("rule", "")))
    if page:
        return reverse(page, args=[row.community_id])
    return None
