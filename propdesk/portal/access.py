"""Who a resident is in the portal, and what they may see: the one door for residents.

Residents are not staff. A resident signs in with the phone number on the register (a one-time
SMS code); their session holds that number under its own key, never a staff user. What they may
see is every household on whose register the number stands (an owner, a tenant, or a family member
the owner or the office added); everything else is "not found".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from propdesk.community.models import Household
from propdesk.desk.models import WorkOrder

SESSION_KEY = "portal_phone"


@dataclass(frozen=True)
class ResidentPrincipal:
    """A signed-in resident: the phone number they proved (normalised, e.g. 13812345678)."""

    phone: str

    def households(self) -> QuerySet[Household]:
        return households_of(self.phone)


def households_of(phone: str) -> QuerySet[Household]:
    """The households whose register holds ``phone``: what its resident may see."""
    if not phone:
        return Household.objects.none()
    return (
        Household.objects.filter(residents__phone=phone)
        .select_related("community", "unit__building")
        .distinct()
    )


def sign_in(request: HttpRequest, phone: str) -> None:
    """Start the resident's session (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = phone


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def resident(request: HttpRequest) -> ResidentPrincipal | None:
    phone = request.session.get(SESSION_KEY)
    return ResidentPrincipal(phone) if isinstance(phone, str) and phone else None


def resident_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A portal page: a resident signs in first (and comes back here); sets request.resident."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        who = resident(request)
        if who is None:
            login = reverse("portal:login")
            return HttpResponseRedirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        request.resident = who  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def resident_order(who: ResidentPrincipal, order_id: int) -> WorkOrder:
    """Order ``order_id`` if it belongs to one of the resident's households; Http404 otherwise
    (another household's, another community's, or none: the same answer)."""
    order = (
        WorkOrder.objects.filter(pk=order_id, household__in=who.households().values("pk"))
        .select_related("community", "household__unit__building")
        .first()
    )
    if order is None:
        raise Http404
    return order
