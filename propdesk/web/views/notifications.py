"""The bell's page: my notifications, newest first; open one (it is read) or read them all."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.community.models import User
from propdesk.core.errors import NotFound
from propdesk.notify.models import Notification
from propdesk.notify.selectors import access_notification, inbox
from propdesk.notify.services import notification_read, notifications_read_all
from propdesk.web.links import notification_link
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
    for row in rows:
        row.link = notification_link_of(row)  # type: ignore[attr-defined]
    return render(request, "web/notifications.html", {"title": _("Notifications"), "rows": rows})


def notification_link_of(row: Notification) -> str | None:
    return notification_link(row.payload or {}, row.community_id)
