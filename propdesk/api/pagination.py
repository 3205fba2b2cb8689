"""Pages of a list: ``?page=`` (1 on) and ``?page_size=`` (50, at most 200), the answer
``{"count", "next", "previous", "results"}``.

A page is read by an OFFSET, which reads every row before it and throws them away: 380 ms for
page 2000 of a community's 600,000 orders (bench/RESULTS.md, "The API's order list"). So only the
first ``MAX_ROWS`` rows of a list are served by page; past them, or for a page that is not a
whole number from 1 (``last`` too), the answer is a 400 naming ``page``. A list goes further
back by its filters (the orders of a day: ``q=20261120``; of a household, of a state). A page
past the last is a 404, as DRF answers it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

# The rows of a list a page may reach, whatever the page's size.
MAX_ROWS = 10_000
# ``page`` in the OpenAPI schema.
PAGE_HELP = (
    f"from 1; only the first {MAX_ROWS:,} rows of a list are served by page (a 400 naming page "
    "past them: narrow the list by its filters to go further back); a page past the last is a "
    "404"
)


def page_number(raw: str | None, page_size: int) -> int:
    """``raw`` (a ``?page=``) as a page number from 1, absent = 1; a 400 naming ``page`` for
    anything else or for a page past ``MAX_ROWS``."""
    if raw is None or raw == "":
        return 1
    number = int(raw) if raw.isascii() and raw.isdigit() else 0
    if number < 1:
        raise ValidationError({"page": [_("Use a whole page number from 1.")]})
    last = last_page(page_size)
    if number > last:
        raise ValidationError(
            {
                "page": [
                    _(
                        "Only the first %(rows)s rows of a list are served by page (page "
                        "%(last)s at this page size): narrow the list to go further back."
                    )
                    % {"rows": MAX_ROWS, "last": last}
                ]
            }
        )
    return number


def last_page(page_size: int, rows: int = MAX_ROWS) -> int:
    """The last page of ``page_size`` rows within the first ``rows`` of a list."""
    return max(1, rows // max(1, page_size))


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_description = PAGE_HELP
    # ?page=last would OFFSET to the end of a list: not served.
    last_page_strings = ()

    def get_page_number(self, request: Request, paginator: Paginator[Any]) -> int:
        return page_number(request.query_params.get(self.page_query_param), paginator.per_page)

    def page_links(self, request: Request, page: int, more: bool) -> tuple[str | None, str | None]:
        """The ``next`` and ``previous`` of page ``page`` (more: another page follows), as
        ``get_next_link`` and ``get_previous_link`` give them."""
        url = request.build_absolute_uri()
        following = replace_query_param(url, self.page_query_param, page + 1) if more else None
        if page <= 1:
            return following, None
        if page == 2:
            return following, remove_query_param(url, self.page_query_param)
        return following, replace_query_param(url, self.page_query_param, page - 1)


class WorkOrderPagination(Pagination):
    """The orders' list, whose ``count`` is null for a search of words (``api.order_search``)."""

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": "the orders found; null for a search of words (q), not counted",
        }
        return out
