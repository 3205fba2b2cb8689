"""Rating a finished order and reopening it (没修好, 部分解决), by the owner in the portal.

Both pages open for a signed-in resident of the order's household, or from the one-tap link of
the 完工 SMS (``?t=``, propdesk.desk.rating_links) before sign-in: that link opens these two pages
of its order only. The writes are the services': the rating is a return visit through
followup's ``return_visit_by_owner`` (RV-6, RV-2, recovery as after a phone visit), the reopen
the desk's ``work_order_reopen_by_owner`` (the declared ``reopen`` action)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from propdesk.clocks.services import policy_for
from propdesk.core.clock import get_clock
from propdesk.core.errors import Conflict, Forbidden
from propdesk.desk.models import OwnerReopen, WorkOrder
from propdesk.desk.rating_links import rating_token_phone
from propdesk.desk.services import work_order_reopen_by_owner
from propdesk.followup.models import Level
from propdesk.followup.selectors import order_rating_status
from propdesk.followup.services import RatingDraft, return_visit_by_owner
from propdesk.policy.workflow import State, owner_may_reopen
from propdesk.portal.access import resident, resident_order

# The three scores the owner gives, each 1 to 5 stars (field, label).
SCORES = (
    ("speed", gettext_lazy("Speed of coming")),
    ("attitude", gettext_lazy("Attitude of the staff")),
    ("result", gettext_lazy("Result of the work")),
)
STARS = (1, 2, 3, 4, 5)


def _door(request: HttpRequest, order_id: int) -> tuple[WorkOrder, str, str] | HttpResponse:
    """(order, the owner's phone, the link's token or "") or the answer to give instead: the
    sign-in page for a visitor without a link, the invalid-link page for a bad one, 404 for an
    order that is not the resident's."""
    token = request.POST.get("t") or request.GET.get("t") or ""
    if token:
        order = WorkOrder.objects.select_related("community").filter(pk=order_id).first()
        phone = rating_token_phone(order, token, get_clock().now()) if order else ""
        if order is None or not phone:
            login = reverse("portal:login")
            nxt = reverse("portal:order-rate", args=[order_id])
            return render(
                request,
                "portal/rate/link_invalid.html",
                {"login_url": f"{login}?{urlencode({'next': nxt})}"},
                status=404,
            )
        return order, phone, token
    who = resident(request)
    if who is None:
        login = reverse("portal:login")
        return HttpResponseRedirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
    return resident_order(who, order_id), who.phone, ""


def _with_token(url: str, token: str, **more: str) -> str:
    query = {"t": token} if token else {}
    query.update(more)
    return f"{url}?{urlencode(query)}" if query else url


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 3 else None


def order_rate(request: HttpRequest, order_id: int) -> HttpResponse:
    """GET: the rating page of a finished order (or what stands instead: already rated, the
    office's visit made, not finished). POST: the three scores, the level and the owner's words;
    a refusal keeps what was chosen and says why."""
    door = _door(request, order_id)
    if isinstance(door, HttpResponse):
        return door
    order, phone, token = door
    here = reverse("portal:order-rate", args=[order.pk])
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        posted = {k: request.POST.get(k, "") for k in ("speed", "attitude", "result", "level")}
        posted["opinion"] = request.POST.get("opinion", "")
        draft = RatingDraft(
            level=posted["level"],
            speed=_int_or_none(posted["speed"]),
            attitude=_int_or_none(posted["attitude"]),
            result=_int_or_none(posted["result"]),
            opinion=posted["opinion"],
        )
        try:
            return_visit_by_owner(order=order, phone=phone, now=get_clock().now(), draft=draft)
        except ValidationError as exc:
            if getattr(exc, "code", None) != "already":
                errors = exc.message_dict
                status = 400
        else:
            return HttpResponseRedirect(_with_token(here, token, thanks="1"))
    state, rating = order_rating_status(order)
    return render(
        request,
        "portal/rate/rate.html",
        {
            "order": order,
            "state": state,
            "rating": rating,
            "thanks": request.GET.get("thanks") == "1" and state == "rated",
            "token": token,
            "scores": [(name, str(label), posted.get(name, "")) for name, label in SCORES],
            "stars": STARS,
            "levels": Level.choices,
            "posted": posted,
            "errors": errors,
            "reopen_url": _with_token(reverse("portal:order-reopen", args=[order.pk]), token),
            "rating_scores": (
                [(str(label), getattr(rating, name)) for name, label in SCORES] if rating else []
            ),
        },
        status=status,
    )


def order_reopen(request: HttpRequest, order_id: int) -> HttpResponse:
    """GET: 没修好 or 部分解决 with a reason, while the policy's days after 完工 last. POST:
    reopens the order through the desk (the office is told); a refusal keeps what was typed."""
    door = _door(request, order_id)
    if isinstance(door, HttpResponse):
        return door
    order, phone, token = door
    now = get_clock().now()
    days = policy_for(order.community)[0].satisfaction.reopen_within_days
    errors: dict[str, list[str]] = {}
    posted = {"outcome": "", "note": ""}
    status = 200
    if request.method == "POST":
        posted = {"outcome": request.POST.get("outcome", ""), "note": request.POST.get("note", "")}
        try:
            work_order_reopen_by_owner(
                order_id=order.pk,
                phone=phone,
                outcome=posted["outcome"],
                reason=posted["note"],
                now=now,
            )
        except Forbidden as exc:
            raise Http404 from exc
        except ValidationError as exc:
            errors, status = exc.message_dict, 400
        except Conflict as exc:
            errors, status = {"__all__": [exc.message]}, 409
        else:
            here = reverse("portal:order-reopen", args=[order.pk])
            return HttpResponseRedirect(_with_token(here, token, done="1"))
        order.refresh_from_db()
    refused = owner_may_reopen(
        state=State(order.state),
        kind=order.kind,
        resolved_at=order.resolved_at,
        now=now,
        within_days=days,
    )
    context: dict[str, Any] = {
        "order": order,
        "token": token,
        "done": request.GET.get("done") == "1",
        "refused": refused,
        "days": days,
        "until": order.resolved_at + timedelta(days=days) if order.resolved_at else None,
        "outcomes": OwnerReopen.choices,
        "posted": posted,
        "errors": errors,
        "rate_url": _with_token(reverse("portal:order-rate", args=[order.pk]), token),
    }
    return render(request, "portal/rate/reopen.html", context, status=status)
