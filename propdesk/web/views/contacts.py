"""One contact of the front desk (a call, a visit, a letter): who, what was said, how it ended,
the orders it opened. Where the bell's FD-4 alert leads the office head."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from propdesk.community.access import phone_as_seen
from propdesk.community.models import User
from propdesk.community.selectors import user_roles
from propdesk.core.errors import NotFound
from propdesk.desk.selectors import access_contact
from propdesk.web.views._common import Desk, not_found, now


@login_required
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        contact = access_contact(user, contact_id)
    except NotFound:
        return not_found(request)
    desk = Desk(
        user=user, community=contact.community, roles=user_roles(user, contact.community_id)
    )
    request.desk = desk  # type: ignore[attr-defined]
    return render(
        request,
        "web/contact.html",
        {
            "desk": desk,
            "title": _("Contact"),
            "contact": contact,
            "caller_phone": phone_as_seen(user, contact.community_id, contact.caller_phone),
            "orders": list(contact.work_orders.order_by("id")),
            "now": now(),
        },
    )
