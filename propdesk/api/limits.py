"""A request too large for the API answers the API's JSON error, never Django's HTML 400.

Django refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, a form (or query string) of more
than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields and an upload of more than
``DATA_UPLOAD_MAX_NUMBER_FILES`` files by raising while the request is read; outside a DRF
response that becomes the site's HTML "Bad Request" page. Under /api/:

- ``ApiBodyLimitMiddleware`` refuses, before any view runs and whether or not the endpoint
  would read them (a DELETE with an oversize body deletes nothing either): a query string of too
  many fields, a body whose declared length is over the limit (nothing of it read), a form body
  of too many fields (counted as Django counts them). All 413: ``too_many_fields``,
  ``too_large``. Multipart bodies are left to Django's own count, which leaves the files out
  (each file has the upload's own limit, ATTACHMENT_MAX_BYTES).
- ``bad_request_page`` (handler400) answers what Django refused while reading a body the
  middleware let through (a multipart one): 413 ``too_large`` / ``too_many_fields`` /
  ``too_many_files``; any other bad request 400 ``bad_request``. Pages elsewhere keep Django's.

Both answer before a service is called: nothing is changed."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request

from propdesk.api.errors import error_body

API_PREFIX = "/api/"


def _json(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(
        error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False}
    )


def too_large() -> JsonResponse:
    return _json("too_large", _("The body is too large."), 413)


def declared_length(request: HttpRequest) -> int:
    """The body's length as the client declared it (0 when missing or not a number)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def too_many_fields() -> JsonResponse:
    return _json("too_many_fields", _("The request has too many fields."), 413)


def field_count(data: str | bytes) -> int:
    """How many fields Django would parse out of a query string or form body (as
    urllib.parse.parse_qsl counts them for its max_num_fields)."""
    if not data:
        return 0
    return 1 + (data.count(b"&") if isinstance(data, bytes) else data.count("&"))


class ApiBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            refused = self.refusal(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    @staticmethod
    def refusal(request: HttpRequest) -> HttpResponse | None:
        max_size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        max_fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        query = request.META.get("QUERY_STRING", "")
        if max_fields is not None and field_count(query) > max_fields:
            return too_many_fields()
        content_type = request.content_type or ""
        if content_type.startswith("multipart/"):
            return None
        if max_size is not None and declared_length(request) > max_size:
            return too_large()
        # A form within the size limit: read (Django keeps it for the view) and its fields counted.
        if (
            content_type == "application/x-www-form-urlencoded"
            and max_fields is not None
            and field_count(request.body) > max_fields
        ):
            return too_many_fields()
        return None


def bad_request_page(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: under /api/, the API's JSON error (see the module's docstring)."""
    if not request.path_info.startswith(API_PREFIX):
        return bad_request(request, exception)  # type: ignore[arg-type]
    if isinstance(exception, RequestDataTooBig):
        return too_large()
    if isinstance(exception, TooManyFieldsSent):
        return too_many_fields()
    if isinstance(exception, TooManyFilesSent):
        return _json("too_many_files", _("The request has too many files."), 413)
    return _json("bad_request", _("The request could not be read."), 400)
