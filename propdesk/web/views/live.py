"""The live screens' poll: ``GET /desk/live/?c=<cursor>&n=<notification id>`` (see
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
    )
    response = JsonResponse(answer)
    patch_cache_control(response, no_store=True)
    return response
