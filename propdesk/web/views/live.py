"""The live screens' poll: ``GET /desk/live/?c=<cursor>&n=<notification id>&e=<ids>`` (see
propdesk/web/live.py for the contract and static/web/live.js for the poller)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from propdesk.community.models import User
from propdesk.web.live import live_answer


def _seen(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


MAX_ASKED = 10  # a banner holds at most 10 alerts


def _ids(value: str | None) -> list[int]:
    """``e=3,17``: the emergencies the page's alerts are about; anything else is left out."""
    out: list[int] = []
    for part in (value or "").split(",")[:MAX_ASKED]:
        part = part.strip()
        if part.isascii() and part.isdigit() and len(part) <= 9:  # within any id column
            out.append(int(part))
    return out


@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """JSON for the poller; 401 (not a redirect to the login page) when signed out."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Sign in again.")}, status=401)
    user: User = request.user
    answer = live_answer(
        user,
        seen_cursor=_seen(request.GET.get("c")),
        seen_notification=_seen(request.GET.get("n")),
        with_calls="r" in request.GET,
        alert_emergencies=_ids(request.GET.get("e")),
    )
    response = JsonResponse(answer)
    patch_cache_control(response, no_store=True)
    return response
