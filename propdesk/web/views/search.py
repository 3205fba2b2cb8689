"""查找工单: find an order by its number, its day, the household, the name its caller gave, or
the words of it (``desk.search``), closed ones too. A whole number that names one order opens
it."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from propdesk.core.errors import log_answer
from propdesk.desk.search import (
    MAX_LENGTH,
    MAX_WORDS,
    TIMEOUT_MS,
    FoundBy,
    OrderSearch,
    SearchBy,
    SearchTimedOut,
    as_typed,
    search_orders,
)
from propdesk.policy.workflow import OFFICE_ROLES, TEAM_ROLES, Role
from propdesk.web.views._common import Desk, console, now, page_number

# Who finds orders: whoever works them (a team member, the team's only); not the concierge,
# who sees no orders.
SEARCH_ROLES = (*OFFICE_ROLES, *TEAM_ROLES, Role.LEADERSHIP)


@require_safe  # a search changes nothing: a POST is 405, not a page
@console(*SEARCH_ROLES)
def search(request: HttpRequest, desk: Desk) -> HttpResponse:
    text = request.GET.get("q", "")
    by = request.GET.get("by", "")
    stopped: SearchTimedOut | None = None
    try:
        found = search_orders(
            desk.user,
            desk.community,
            text,
            by=by,
            page=page_number(request.GET),
            timeout_ms=TIMEOUT_MS,
        )
    except SearchTimedOut as exc:
        # A word few orders have, looked for among very many (PostgreSQL): said, the text kept
        # in the box to add words to; the office's other screens never wait behind it.
        found = OrderSearch(text=as_typed(text), error="timed_out")
        stopped = exc
    if found.exact is not None and found.page == 1:
        return HttpResponseRedirect(reverse("desk-order", args=[found.exact]))
    response = render(
        request,
        "web/search.html",
        {
            "desk": desk,
            "nav_active": "search",
            "title": _("Find an order"),
            "found": found,
            "typed": text,  # as typed: a refused search keeps it in the box
            "max_length": MAX_LENGTH,
            "max_words": MAX_WORDS,
            "by_choices": [
                (SearchBy.ANY.value, _("Number, day, room, phone, name or words")),
                (SearchBy.HOUSEHOLD.value, _("Room, phone or name")),
                (SearchBy.WORDS.value, _("Words of the description or location")),
            ],
            "FoundBy": {f.name: f.value for f in FoundBy},
            # Digits that are neither a whole number nor a day (0009, 20261304): how to say one.
            "digits_only": bool(re.fullmatch(r"[\d\s-]+", found.text)),
            "query": request.GET,
            "now": now(),
            "stopped": stopped.message if stopped is not None else "",
        },
        status=503 if stopped is not None else 200,
    )
    if stopped is not None:
        log_answer(stopped, request=request, response=response)
    return response
