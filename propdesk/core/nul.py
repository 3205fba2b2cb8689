"""A page's form (the console, the portal, a sticker's report) is read without NUL characters.

No one types a NUL; PostgreSQL refuses it in text, so a form that carried one into a service that
writes it as typed (an activity's place, a loan's borrower, a notice's title, a return visit's
opinion, an incident report, a resident's rating …) was a 500 on PostgreSQL and stored as sent on
SQLite (found by the deep fuzz run, on ten routes of the console and the portal). The rule of the
lookups (community.lookup, desk.search: control characters are never typed) is applied once, at
the door, to every page's POST: the form then reads, checks and keeps what was typed, less the NUL.

The API (/api/) is left to DRF, whose fields refuse a NUL with a structured 400; the back office
(/admin/) to Django's forms, which refuse it with the field's error."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

NUL = "\x00"
LEFT_TO_THEIR_FORMS = ("/api/", "/admin/")


class PageNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and not request.path_info.startswith(LEFT_TO_THEIR_FORMS):
            without_nul(request)
        return self.get_response(request)


def without_nul(request: HttpRequest) -> None:
    """``request.POST`` with every NUL taken out of its names and values (unchanged, the same
    object, when it has none). An urlencoded form (every submit of the console's script) is
    first looked at as the bytes it came as, one scan in C: a NUL is ``%00`` there (or sent
    raw); the fields are walked only when one may be in them (some 0.2 M instructions on every
    front-desk submit, bench/create_instructions.py)."""
    if request.content_type == "application/x-www-form-urlencoded":
        body = request.body  # read once; the form is parsed from it
        if b"%00" not in body and NUL.encode() not in body:
            return
    posted = request.POST
    if not any(NUL in k or any(NUL in v for v in vs) for k, vs in posted.lists()):
        return
    clean = QueryDict(mutable=True, encoding=posted.encoding)
    for name, values in posted.lists():
        clean.setlist(name.replace(NUL, ""), [v.replace(NUL, "") for v in values])
    clean._mutable = False
    request.POST = clean  # type: ignore[assignment]  # made immutable just above
