"""The bell's page: my notifications, newest first; open one (it is read) or read them all."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.community.models import User
from propdesk.core.errors import NotFound
from propdesk.notify.models import Notification
from propdesk.notify.selectors import access_notification, digest_items, fetch_digest_items, inbox
from propdesk.notify.services import notification_read, notifications_read_all
from propdesk.web.links import local_url, notification_link
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
            link = notification_link_of(row)
            if link:
                return redirect(link)
        return redirect("desk-notifications")
    rows = list(inbox(user)[:100])
    fetch_digest_items(rows)
    for row in rows:
        row.link = notification_link_of(row)  # type: ignore[attr-defined]
        # A summary lists what was folded into it, each leading where it would have (issue 12).
        row.items = [  # type: ignore[attr-defined]
            (item.title, local_url(item.payload or {})) for item in digest_items(row)
        ]
        count = (row.payload or {}).get("count") if row.items else None  # type: ignore[attr-defined]
        row.unlisted = isinstance(count, int) and count > len(row.items)  # type: ignore[attr-defined]
    return render(request, "web/notifications.html", {"title": _("Notifications"), "rows": rows})


def notification_link_of(row: Notification) -> str | None:
    return notification_link(row.payload or {}, row.community_id)
