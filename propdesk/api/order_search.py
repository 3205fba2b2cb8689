"""``GET /api/work-orders/?q=``: the console's 查找工单 (``desk.search``) behind the API's list.

``q`` is read as the console reads it: a whole order number (GD-20261120-0003, 20261120-0003),
a day (20261120, 2026-11-20), a household (a room, and for the office a resident's phone or
name, or a whole phone a caller rang from or an order's reporter gave), the beginning of a
reporter's name (王先生, 王: for those who read residents' names, with the households of the
residents so named), else words of the description or location, closed orders too. Every way
reads through an index; the list's other filters narrow it. One community is searched: the
``community`` asked for, or the only one the user sees.

The answer has the list's shape. ``count`` is the number found for a number, a day, a
household or a name, and ``null`` for words, whose orders are not counted (a word one order in
ten has is on 60,000 of a community's; ``next`` says whether another page follows); words reach
their newest ``desk.search.WORD_ROWS`` orders. On PostgreSQL each statement of the search is
cancelled after ``SEARCH_TIMEOUT_MS``: a 503 ``search_timeout``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from propdesk.api.pagination import WorkOrderPagination, last_page, page_number
from propdesk.community.access import community_ids_visible
from propdesk.community.models import Community, User
from propdesk.desk import search
from propdesk.desk.models import WorkOrder
from propdesk.desk.selectors import OrderFilters, order_conditions

# A statement of a search longer than this is cancelled (PostgreSQL): the console's bound.
SEARCH_TIMEOUT_MS = search.TIMEOUT_MS

# ``q`` in the OpenAPI schema.
Q_HELP = (
    "查找工单, as the console finds an order (closed ones too), by the shape of what is typed: "
    "a whole order number (GD-20261120-0003, 20261120-0003, 202611200003) or a day (20261120, "
    "2026-11-20) of the community; a household (a room 4-1-901, 4栋1单元901; for the front desk, "
    "administrators and the office head also a resident's phone or name, and a whole phone "
    "a caller rang from or an order's reporter gave); text with no digit also as the "
    "beginning of the reporter's name (王先生, 王; for the office and company leadership, as "
    "residents' names), the orders so found listed once with the households'; else words, "
    "each in the description or the location. At most "
    f"{search.MAX_LENGTH} characters and {search.MAX_WORDS} words (else a 400 naming q). "
    "The other filters narrow what q finds; a day (or a household) reaches orders older than "
    "the list's pages do. `count` is null for words: their orders are not counted, `next` "
    "says whether another page follows, and they reach the newest "
    f"{search.WORD_ROWS:,} orders (a 400 naming page past them). On PostgreSQL a search "
    f"taking over {SEARCH_TIMEOUT_MS:,} ms is cancelled: a 503 with the code search_timeout."
)


def _community(user: User, community_id: int | None) -> Community | None:
    """The community to search: the one asked for if the user sees it (None: nothing found, as
    the list answers for a community not theirs), else the only one they see."""
    visible = community_ids_visible(user)
    if community_id is None:
        if visible is not None and len(visible) <= 1:
            community_id = visible[0] if visible else None
        else:
            raise ValidationError(
                {"community": [_("Name the community to search: you see several.")]}
            )
    elif visible is not None and community_id not in visible:
        return None
    return Community.objects.filter(pk=community_id).first() if community_id else None


def _orders(qs: QuerySet[WorkOrder]) -> list[WorkOrder]:
    """A page of found orders as the list serializes them (``work_order_list``'s joins)."""
    return list(qs.select_related("household", "team", "assignee"))


def search_page(
    request: Request,
    paginator: WorkOrderPagination,
    filters: OrderFilters,
    text: str,
    by: str,
) -> tuple[list[WorkOrder], dict[str, Any]]:
    """The page of orders ``text`` finds, and the answer's other keys (count, next, previous)."""
    user: User = request.user  # type: ignore[assignment]
    size = paginator.get_page_size(request) or paginator.page_size or search.PAGE
    page = page_number(request.query_params.get(paginator.page_query_param), size)
    if by not in ("", search.SearchBy.HOUSEHOLD, search.SearchBy.WORDS):
        raise ValidationError({"q_by": [_("Use household or words, or leave it out.")]})
    community = _community(user, filters.community_id)
    if community is None:
        found = search.OrderSearch(text=text)
        found.total = 0
    else:
        found = search.search_orders(
            user,
            community,
            text,
            by=by,
            page=page,
            limit=size,
            narrow=order_conditions(filters),
            read=_orders,
            timeout_ms=SEARCH_TIMEOUT_MS,
        )
    if found.error == "too_long":
        message = _("That is too long to search for: at most %(n)s characters.")
        raise ValidationError({"q": [message % {"n": search.MAX_LENGTH}]})
    if found.error == "too_many_words":
        message = _("Too many words to search for: at most %(n)s.")
        raise ValidationError({"q": [message % {"n": search.MAX_WORDS}]})
    if found.found_by == search.FoundBy.WORDS and page > search.word_pages(size):
        raise ValidationError(
            {
                "page": [
                    _(
                        "A search of words lists its newest %(rows)s orders (page %(last)s at "
                        "this page size): add words to find older ones."
                    )
                    % {"rows": search.WORD_ROWS, "last": last_page(size, search.WORD_ROWS)}
                ]
            }
        )
    if page > 1 and (found.page != page or not found.rows):  # past the last page, as the list
        raise NotFound(paginator.invalid_page_message.format(page_number=page, message=""))
    following, previous = paginator.page_links(request, page, found.more)
    # Words are not counted; every other way is (a household search that found no household: 0).
    count = None if found.found_by == search.FoundBy.WORDS else found.total or 0
    return found.rows, {"count": count, "next": following, "previous": previous}
