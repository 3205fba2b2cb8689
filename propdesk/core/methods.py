"""The pages (the console, the portal, a sticker's link, the back office, /health/) answer GET,
HEAD and POST only; any other method (PUT, DELETE, PATCH, TRACE, OPTIONS …) is 405 with an
``Allow`` header, before a view runs. Django's function views branch on ``method == "POST"`` and
treat every other method as a GET: without this, ``PUT /desk/…`` answered 200 with the page.

The API (/api/) is left to DRF, whose views answer 405 with the methods each one has. A page
that takes fewer (``require_GET``, ``require_POST``) still answers its own 405 for the others."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

PAGE_METHODS = ("GET", "HEAD", "POST")
API_PREFIX = "/api/"


class PageMethodsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in PAGE_METHODS and not request.path_info.startswith(API_PREFIX):
            return HttpResponseNotAllowed(PAGE_METHODS)
        return self.get_response(request)
