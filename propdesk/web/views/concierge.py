"""The convenience services in the console: the concierge's phone screen (CS-2: their requests,
arriving live, with 接单 and 完成; a form to log one) and the service cart (CS-1: lend to a
household, take back with its condition), for the front desk and the concierge alike. Both fit a
360 px screen. Every change goes through propdesk.concierge.services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.community.access import may_call_owners, phone_as_seen
from propdesk.community.lookup import LookupField, household_lookup
from propdesk.community.models import Household
from propdesk.concierge.models import ConciergeRequest, Loan, RequestKind, ReturnCondition
from propdesk.concierge.selectors import (
    cart_items,
    loans_open,
    requests_open,
    requests_recent_done,
)
from propdesk.concierge.services.cart import (
    loan_cancel_reservation,
    loan_hand_over,
    loan_lend,
    loan_return,
)
from propdesk.concierge.services.requests import (
    concierge_request_accept,
    concierge_request_cancel,
    concierge_request_create,
    concierge_request_done,
)
from propdesk.core.errors import ServiceError, too_long
from propdesk.policy.workflow import OFFICE_ROLES, Role
from propdesk.web.live import live_cursor
from propdesk.web.views._common import Desk, console, errors_of, now, posted_id

DESK_ROLES = (*OFFICE_ROLES, Role.CONCIERGE)
LOCAL_INPUT = "%Y-%m-%dT%H:%M"
# The longest room (or name, or phone) the room field reads, as in the intake's (forms.py).
ROOM_TYPED = 40


def _local(desk: Desk, at: datetime) -> str:
    return at.astimezone(ZoneInfo(desk.community.time_zone)).strftime(LOCAL_INPUT)


def _parse_local(desk: Desk, text: str) -> datetime | None:
    """A ``datetime-local`` input (``2026-11-30T18:00``) in the community's time zone."""
    try:
        naive = datetime.strptime((text or "").strip()[:16], LOCAL_INPUT)  # noqa: DTZ007
    except ValueError:
        return None
    return naive.replace(tzinfo=ZoneInfo(desk.community.time_zone))


def _household(desk: Desk, room: str, errors: dict[str, list[str]]) -> Household | None:
    """The household a room (or phone, or name) typed names, through the front desk's lookup;
    an error that says what to type when it names none or several."""
    text = (room or "").strip()
    if not text:
        errors["room"] = [_("Write the borrower's room number (e.g. 3-2-1502).")]
        return None
    if refused := too_long(text, ROOM_TYPED, _("room number")):
        errors["room"] = refused
        return None
    found = household_lookup(desk.user, text, field=LookupField.ROOM, community=desk.community)
    if found.named is not None:
        return found.named
    if found.households:
        codes = "、".join(h.code for h in found.households)
        errors["room"] = [_("Several households match: %(codes)s. Write the whole room number.")]
        errors["room"][0] = errors["room"][0] % {"codes": codes}
    else:
        errors["room"] = [_("No household of this community has that room number.")]
    return None


def _phones_as_seen(desk: Desk, rows: list[Any], field: str) -> list[Any]:
    """Each row's owner phone (``field``) as the user may read it, as ``phone_seen`` (whole for
    the front desk and the office; masked for a concierge: community.access.phone_as_seen), and
    ``phone_whole`` whether it is whole (a tel: link then)."""
    whole = may_call_owners(desk.user, desk.community.pk)
    for row in rows:
        row.phone_seen = phone_as_seen(desk.user, desk.community.pk, getattr(row, field))
        row.phone_whole = whole
    return rows


def _act(fn: Any, **kw: Any) -> dict[str, list[str]] | None:
    try:
        fn(**kw)
    except ValidationError as exc:
        return errors_of(exc)
    except ServiceError as exc:
        return {"__all__": [exc.message]}
    return None


# --- the concierge's screen (CS-2) ----------------------------------------------------------------


@console(*DESK_ROLES)
def concierge(request: HttpRequest, desk: Desk) -> HttpResponse:
    """GET: the open requests (a concierge's own and those waiting for anyone; the office's
    all), done today, the form to log one. POST ``form``: new, accept, done, cancel."""
    at = now()
    errors: dict[str, list[str]] | None = None
    posted: Any = {}
    if request.method == "POST":
        form = request.POST.get("form", "")
        rid = posted_id(request.POST.get("request"))
        common = {"community": desk.community, "by": desk.user, "now": at}
        if form == "accept":
            errors = _act(concierge_request_accept, request_id=rid, **common)
            ok = _("Accepted. The owner is waiting for you.")
        elif form == "done":
            errors = _act(
                concierge_request_done, request_id=rid, note=request.POST.get("note", ""), **common
            )
            ok = _("Marked done.")
        elif form == "cancel":
            errors = _act(
                concierge_request_cancel,
                request_id=rid,
                reason=request.POST.get("cancel_reason", ""),
                **common,
            )
            ok = _("Cancelled.")
        else:
            errors, made = _new_request(request, desk, at)
            ok = _logged(made)
        if errors is None:
            messages.success(request, ok)
            return redirect("desk-concierge", desk.community.pk)
        posted = request.POST
    fragment = bool(request.htmx) and request.method == "GET"  # type: ignore[attr-defined]
    live_c = None if fragment else live_cursor(desk.user)
    local_now = at.astimezone(ZoneInfo(desk.community.time_zone))
    day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    ctx = {
        "desk": desk,
        "nav_active": "concierge",
        "title": _("Concierge"),
        "is_concierge": Role.CONCIERGE in desk.roles,
        "open": _phones_as_seen(
            desk, list(requests_open(desk.user, desk.community.pk)), "requester_phone"
        ),
        "done": _phones_as_seen(
            desk,
            list(requests_recent_done(desk.user, desk.community.pk, day_start)[:20]),
            "requester_phone",
        ),
        "kinds": RequestKind.choices,
        "errors": {k: v for k, v in (errors or {}).items() if k != "__all__"},
        "general_errors": (errors or {}).get("__all__"),
        "posted": posted,
        "failed_form": request.POST.get("form", "") if errors else "",
        "failed_request": posted_id(request.POST.get("request")) if errors else 0,
        "now": at,
        "live_c": live_c,
    }
    template = "web/concierge.html#live" if fragment else "web/concierge.html"
    return render(request, template, ctx, status=400 if errors else 200)


def _logged(made: ConciergeRequest | None) -> str:
    """What the desk is told of a request logged: whom it went to, or that nobody is on duty
    then (every concierge was told; the first to accept has it), never "given" to nobody."""
    if made is not None and made.assignee is not None:
        return _("Logged and given to %(name)s, the concierge on duty.") % {"name": made.assignee}
    return _(
        "Logged. No concierge is on duty then: every concierge has been told, and the first"
        " to accept has it."
    )


def _new_request(
    request: HttpRequest, desk: Desk, at: datetime
) -> tuple[dict[str, list[str]] | None, ConciergeRequest | None]:
    p = request.POST
    errors: dict[str, list[str]] = {}
    household = None
    if p.get("room", "").strip():
        household = _household(desk, p.get("room", ""), errors)
    wanted = None
    if p.get("wanted_at", "").strip():
        wanted = _parse_local(desk, p["wanted_at"])
        if wanted is None:
            errors["wanted_at"] = [_("Write the time as date and hour (e.g. 2026-11-30 21:30).")]
    if errors:
        return errors, None
    try:
        made = concierge_request_create(
            community=desk.community,
            kind=p.get("kind", ""),
            location=p.get("location", ""),
            note=p.get("note", ""),
            wanted_at=wanted,
            household=household,
            requester_name=p.get("requester_name", ""),
            requester_phone=p.get("requester_phone", ""),
            by=desk.user,
            now=at,
        )
    except ValidationError as exc:
        return errors_of(exc), None
    except ServiceError as exc:
        return {"__all__": [exc.message]}, None
    return None, made


# --- the service cart (CS-1) ----------------------------------------------------------------------


@console(*DESK_ROLES)
def cart(request: HttpRequest, desk: Desk) -> HttpResponse:
    """GET: the items with what is on the shelf, the lend form, the loans not back (overdue
    first marked). POST ``form``: lend, return, hand_over (a portal reservation collected),
    cancel_reservation (one not collected)."""
    at = now()
    errors: dict[str, list[str]] | None = None
    posted: Any = {}
    if request.method == "POST":
        form = request.POST.get("form", "")
        loan_id = posted_id(request.POST.get("loan"))
        common = {"community": desk.community, "by": desk.user, "now": at}
        if form == "return":
            errors = _act(
                loan_return,
                loan_id=loan_id,
                condition=request.POST.get("condition", ""),
                note=request.POST.get("return_note", ""),
                **common,
            )
            ok = _("Returned.")
        elif form == "hand_over":
            errors, ok = _hand_over(desk, loan_id, at)
        elif form == "cancel_reservation":
            errors = _act(loan_cancel_reservation, loan_id=loan_id, **common)
            ok = _("Reservation cancelled: the item is back on the shelf.")
        else:
            errors = _lend(request, desk, at)
            ok = _("Lent.")
        if errors is None:
            messages.success(request, ok)
            return redirect("desk-cart", desk.community.pk)
        posted = request.POST
    items: list[Any] = list(cart_items(desk.community.pk))
    for item in items:  # each item proposes its usual loan (back office: hours), not one for all
        item.due = _local(desk, at + timedelta(hours=item.loan_hours))
    chosen = next(
        (i for i in items if str(i.pk) == str(posted.get("item", ""))),
        next((i for i in items if i.available > 0), items[0] if items else None),
    )
    loans = _phones_as_seen(desk, list(loans_open(desk.community.pk)), "borrower_phone")
    for loan in loans:
        loan.overdue = loan.is_overdue(at)
    return render(
        request,
        "web/cart.html",
        {
            "desk": desk,
            "nav_active": "cart",
            "title": _("Service cart"),
            "items": items,
            "loans": loans,
            "conditions": ReturnCondition.choices,
            "default_due": chosen.due if chosen is not None else _local(desk, at),
            "errors": {k: v for k, v in (errors or {}).items() if k != "__all__"},
            "general_errors": (errors or {}).get("__all__"),
            "posted": posted,
            "failed_form": request.POST.get("form", "") if errors else "",
            "failed_loan": posted_id(request.POST.get("loan")) if errors else 0,
            "now": at,
        },
        status=400 if errors else 200,
    )


def _hand_over(desk: Desk, loan_id: int, at: datetime) -> tuple[dict[str, list[str]] | None, str]:
    """A reservation collected; the desk is told when a due time already past was renewed."""
    due = Loan.objects.filter(pk=loan_id, community=desk.community).values_list("due_at", flat=True)
    before = next(iter(due), None)
    try:
        loan = loan_hand_over(community=desk.community, loan_id=loan_id, by=desk.user, now=at)
    except ServiceError as exc:
        return {"__all__": [exc.message]}, ""
    if before is not None and loan.due_at != before:
        return None, _(
            "Handed over. The due time chosen had passed: it is due back at %(due)s."
        ) % {"due": _local(desk, loan.due_at).replace("T", " ")}
    return None, _("Handed over.")


def _lend(request: HttpRequest, desk: Desk, at: datetime) -> dict[str, list[str]] | None:
    p = request.POST
    errors: dict[str, list[str]] = {}
    household = _household(desk, p.get("room", ""), errors)
    due = _parse_local(desk, p.get("due_at", ""))
    name, phone = p.get("borrower_name", ""), p.get("borrower_phone", "")
    if household is not None and not name.strip() and not phone.strip():
        # The front desk reads the register: the household's first resident borrows.
        first = next(iter(household.residents.all()), None)
        if first is not None:
            name, phone = first.name, first.phone
    try:
        loan_lend(
            community=desk.community,
            item_id=posted_id(p.get("item")),
            household_id=household.pk if household is not None else 0,
            borrower_name=name,
            borrower_phone=phone,
            due_at=due,
            by=desk.user,
            now=at,
        )
    except ValidationError as exc:
        found = errors_of(exc)
        if household is None:
            found.pop("room", None)
        for key, msgs in found.items():
            errors.setdefault(key, []).extend(msgs)
    except ServiceError as exc:
        errors.setdefault("__all__", []).append(exc.message)
    return errors or None
