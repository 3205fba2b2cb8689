"""The office's convenience services in the resident portal (便民服务): reserve an item of the
service cart (CS-1; handed over at the front desk) and ask the concierge for help (CS-2), for one
of the resident's own households, through the same services the front desk uses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.community.models import Household, Resident
from propdesk.concierge.models import (
    ConciergeRequest,
    Loan,
    LoanState,
    RequestKind,
    RequestState,
)
from propdesk.concierge.selectors import cart_items
from propdesk.concierge.services.cart import loan_cancel_reservation_resident, loan_reserve
from propdesk.concierge.services.requests import concierge_request_create
from propdesk.core.clock import get_clock
from propdesk.core.errors import Conflict, NotFound
from propdesk.portal.access import ResidentPrincipal, resident_required
from propdesk.portal.views_orders import read_local_time

FIELDS = ("item", "due_at", "kind", "location", "wanted_at", "note")


def _chosen(households: list[Household], posted: str) -> Household:
    for h in households:
        if posted.isascii() and posted == str(h.pk):
            return h
    raise Http404("Household not found")


def _name(household: Household, phone: str) -> str:
    found = Resident.objects.filter(household=household, phone=phone).order_by("id").first()
    return found.name if found else ""


def _when(text: str, household: Household, field: str, errors: dict[str, list[str]]) -> Any:
    if not text.strip():
        return None
    try:
        return read_local_time(text, household.community.time_zone)
    except ValueError:
        errors[field] = [_("Choose a date and a time, e.g. 2026-12-01 09:30.")]
        return None


def _post(
    request: HttpRequest, who: ResidentPrincipal, household: Household
) -> dict[str, list[str]]:
    """Reserve (form=cart), cancel a reservation not collected (form=cancel_reservation) or
    ask for help (form=concierge); the errors by field, or none."""
    now = get_clock().now()
    errors: dict[str, list[str]] = {}
    p = request.POST
    name = _name(household, who.phone)
    try:
        if p.get("form") == "cart":
            due = _when(p.get("due_at", ""), household, "due_at", errors)
            item = p.get("item", "")
            if not errors:
                loan = loan_reserve(
                    household=household,
                    item_id=int(item) if item.isascii() and item.isdigit() else None,
                    borrower_name=name,
                    borrower_phone=who.phone,
                    due_at=due,
                    now=now,
                )
                messages.success(
                    request,
                    _("Reserved: collect the %(item)s at the front desk.") % {"item": loan.item},
                )
        elif p.get("form") == "concierge":
            wanted = _when(p.get("wanted_at", ""), household, "wanted_at", errors)
            if not errors:
                made = concierge_request_create(
                    community=household.community,
                    kind=p.get("kind", ""),
                    location=p.get("location", ""),
                    note=p.get("note", ""),
                    wanted_at=wanted,
                    household=household,
                    requester_name=name,
                    requester_phone=who.phone,
                    by=None,
                    now=now,
                )
                messages.success(
                    request,
                    _("Sent: the concierge on duty will come.")
                    if made.assignee_id is not None
                    else _(
                        "Sent. No concierge is on duty then: every concierge has been told. If"
                        " you need help at once, call the front desk."
                    ),
                )
        elif p.get("form") == "cancel_reservation":
            loan_id = p.get("loan", "")
            loan = loan_cancel_reservation_resident(
                household=household,
                loan_id=int(loan_id) if loan_id.isascii() and loan_id.isdigit() else None,
                now=now,
            )
            messages.success(
                request,
                _("Reservation cancelled: the %(item)s is back on the shelf.")
                % {"item": loan.item},
            )
        else:
            raise Http404("No such form")
    except ValidationError as exc:
        errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    except NotFound as exc:
        raise Http404("No such loan") from exc
    except Conflict as exc:
        errors = {"loans": [exc.message]}
    return errors


@resident_required
def services(request: HttpRequest) -> HttpResponse:
    who: ResidentPrincipal = request.resident  # type: ignore[attr-defined]
    households = list(who.households())
    if not households:
        raise Http404("No household")
    source = request.POST if request.method == "POST" else request.GET
    household = (
        _chosen(households, source.get("household", "")) if source.get("household") else None
    ) or households[0]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        errors = _post(request, who, household)
        if not errors:
            return redirect(f"{request.path}?household={household.pk}")
    mine = [h.pk for h in households]
    context = {
        "households": households,
        "household": household,
        "items": list(cart_items(household.community_id)),
        "loans": list(
            Loan.objects.filter(
                household_id__in=mine, state__in=(LoanState.RESERVED, LoanState.LENT)
            )
            .select_related("item", "household")
            .order_by("due_at", "id")
        ),
        "requests": list(
            ConciergeRequest.objects.filter(household_id__in=mine)
            .exclude(state__in=(RequestState.DONE, RequestState.CANCELLED))
            .order_by("-created_at")[:10]
        ),
        "kinds": RequestKind.choices,
        "values": {k: request.POST.get(k, "") for k in (*FIELDS, "form")},
        "errors": errors,
    }
    return render(request, "portal/services.html", context, status=400 if errors else 200)
