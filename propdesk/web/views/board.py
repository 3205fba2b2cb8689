"""The live board of a community's open work orders, and each role's queue."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from propdesk.community.models import Building, Team
from propdesk.desk.models import OrderKind, OrderState
from propdesk.desk.queues import BoardFilters, board
from propdesk.policy.workflow import OFFICE_ROLES, OPEN_STATES, Role
from propdesk.web.live import live_cursor
from propdesk.web.views._common import Desk, console, now, page_number, posted_id

BOARD_ROLES = (*OFFICE_ROLES, Role.LEADERSHIP, Role.TEAM_LEADER)


def _int(value: str | None) -> int | None:
    """A filter's id, or None (no filter) when it is empty; anything not a number in the
    database's range filters to nothing (0) rather than failing."""
    if not value:
        return None
    return posted_id(value)


@console(*BOARD_ROLES)
def board_view(request: HttpRequest, desk: Desk) -> HttpResponse:
    """One page of 100 rows (``?page=N``, the filters kept); filters by kind, team, state,
    building and overdue; the rows refresh when something
    changed (live.js) and once a minute (what time alone changes: overdue counts), and each
    clock counts down between refreshes."""
    q = request.GET
    filters = BoardFilters(
        kind=q.get("kind", "") if q.get("kind", "") in OrderKind.values else "",
        team_id=_int(q.get("team")),
        state=q.get("state", "") if q.get("state", "") in {s.value for s in OPEN_STATES} else "",
        building_id=_int(q.get("building")),
        overdue=q.get("overdue") == "1",
    )
    at = now()
    fragment = bool(request.htmx)  # type: ignore[attr-defined]
    # The cursor is read before the rows: a change after this moves it past the page's.
    live_c = None if fragment else live_cursor(desk.user)
    result = board(desk.user, desk.community.pk, now=at, filters=filters, page=page_number(q))
    # The pager's links keep the filters (``query``: this request's GET).
    ctx = {"desk": desk, "board": result, "now": at, "filters": filters, "query": q}
    if fragment:  # live.js (on a change), the filters, or the minute's refresh
        return render(request, "web/partials/board_rows.html", ctx)
    ctx.update(
        live_c=live_c,
        nav_active="board",
        title=_("Live board"),
        kinds=OrderKind.choices,
        states=[(s, label) for s, label in OrderState.choices if s in OPEN_STATES],
        # (id, what the option says) pairs for filter_options: no model instances.
        teams=Team.objects.filter(community=desk.community)
        .order_by("name")
        .values_list("pk", "name"),
        buildings=[
            (pk, name or number)  # the name, else the number (as ``name|default:number``)
            for pk, name, number in Building.objects.filter(community=desk.community)
            .order_by("number")
            .values_list("pk", "name", "number")
        ],
    )
    return render(request, "web/board.html", ctx)
