"""The resident's report (报修, 家政服务, 投诉, 建议) and the follow of their orders (issue 13).

Every query is scoped to the signed-in resident's households (portal.access); another household's
order or household is "not found". The report calls the desk's own service (the front desk's
checks, numbering, routing, clocks and notifications); the views only read the form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.community.models import Household
from propdesk.community.places import resident_place
from propdesk.core.clock import get_clock
from propdesk.core.errors import Conflict, NotFound
from propdesk.core.once import ONCE_FIELD, Answer, submit_once
from propdesk.core.uploads import PHOTO_TYPES
from propdesk.desk.models import OrderKind, WorkOrder
from propdesk.desk.selectors import access_resident_order, resident_orders, staff_roles
from propdesk.desk.services import (
    RESIDENT_KINDS,
    ResidentReport,
    TooManyReports,
    UrgeTooSoon,
    resident_report,
    urge_again_at,
    work_order_urge,
)
from propdesk.policy.workflow import State, owner_may_look_back
from propdesk.portal.access import ResidentPrincipal, resident_required
from propdesk.portal.timeline import is_open, resident_timeline, state_words, who_is_coming

MAX_DESCRIPTION = 2000
MAX_LOCATION = 200
ORDERS_PER_PAGE = 50


def _resident(request: HttpRequest) -> ResidentPrincipal:
    who: ResidentPrincipal = request.resident  # type: ignore[attr-defined]
    return who


def once_owner(who: ResidentPrincipal) -> str:
    """Whose one-time form tokens these are (core.once): the signed-in resident's phone."""
    return f"resident:{who.phone}"


def _household_ids(request: HttpRequest) -> list[int]:
    return list(_resident(request).households().values_list("pk", flat=True))


def _kind_choices() -> list[tuple[str, str]]:
    labels = {
        OrderKind.REPAIR: _("Repair request"),
        OrderKind.HOUSEKEEPING: _("Housekeeping"),
        OrderKind.COMPLAINT: _("Complaint"),
        OrderKind.SUGGESTION: _("Suggestion"),
    }
    return [(str(k.value), str(labels[k])) for k in RESIDENT_KINDS]


def _upload_attrs() -> dict[str, str]:
    """What the photo input carries for the browser's checks before upload (web/uploads.js):
    the server's size limit and types, and the words that say what to do instead."""
    limit = settings.ATTACHMENT_MAX_BYTES
    return {
        "max_bytes": str(limit),
        "too_large": _(
            "The photo is larger than %(mb)s MB: choose a smaller one, or take it again at a "
            "lower resolution."
        )
        % {"mb": limit // (1024 * 1024)},
        "types": ",".join(sorted(PHOTO_TYPES)),
        "wrong_type": _("Only photos (JPEG, PNG, WebP) can be added."),
        "max_files": str(settings.PORTAL_MAX_PHOTOS),
        "too_many": _("At most %(n)s photos.") % {"n": settings.PORTAL_MAX_PHOTOS},
    }


def read_local_time(text: str, time_zone: str) -> datetime | None:
    """A <input type=datetime-local> value in the community's time zone; ValueError if bad."""
    value = datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M")  # noqa: DTZ007 - zone set below
    return value.replace(tzinfo=ZoneInfo(time_zone))


@resident_required
def report(request: HttpRequest) -> HttpResponse:
    """报修 / 家政服务 / 投诉 / 建议 for one of the resident's households: GET shows the form (a
    QR sticker's ``?where=`` fills in the place), POST reports it and opens the new order's page;
    a refused POST shows every problem beside its field and keeps everything typed."""
    who = _resident(request)
    households = list(who.households())
    if not households:
        raise Http404("No household")
    errors: dict[str, list[str]] = {}
    retry_after = 0  # past PORTAL_REPORT_LIMITS: a 429 that says how long to wait
    source = request.POST if request.method == "POST" else request.GET
    values: dict[str, Any] = {
        "household": str(source.get("household", households[0].pk)),
        "kind": source.get("kind", ""),
        "description": source.get("description", ""),
        "location": source.get("location", source.get("where", "")),
        "place": source.get("place", "")[:20],
        "appointment_at": source.get("appointment_at", "")[:20],
    }
    if request.method == "POST":
        household = _chosen_household(households, values["household"])
        appointment: datetime | None = None
        if values["appointment_at"].strip():
            try:
                appointment = read_local_time(
                    values["appointment_at"], household.community.time_zone
                )
            except ValueError:
                errors["appointment_at"] = [_("Choose a date and a time, e.g. 2026-12-01 09:30.")]
        if len(request.POST.get("description", "")) > MAX_DESCRIPTION:
            errors["description"] = [
                _("At most %(n)s characters: shorten it.") % {"n": MAX_DESCRIPTION}
            ]
        if len(values["location"]) > MAX_LOCATION:
            errors["location"] = [_("At most %(n)s characters: shorten it.") % {"n": MAX_LOCATION}]
        if not errors:
            data = ResidentReport(
                kind=values["kind"],
                description=values["description"],
                location=values["location"],
                appointment_at=appointment,
                photos=request.FILES.getlist("photos"),
                # A QR sticker's place of the chosen household's community (else none).
                place=resident_place([household.community_id], values["place"]),
            )

            def write() -> Answer | None:
                nonlocal errors, retry_after
                try:
                    order = resident_report(
                        household=household, phone=who.phone, now=get_clock().now(), data=data
                    )
                except ValidationError as exc:
                    errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
                    return None
                except TooManyReports as exc:
                    errors, retry_after = {"limit": [exc.message]}, exc.retry_after
                    return None
                return Answer(
                    reverse("portal:order", kwargs={"order_id": order.pk}),
                    _("Reported. Your order number is %(number)s.") % {"number": order.number},
                )

            # One order per form (core.once): a second tap, or the form sent again on a bad
            # network, writes nothing and is shown the first one's order.
            try:
                done = submit_once(
                    request.POST.get(ONCE_FIELD),
                    owner=once_owner(who),
                    now=get_clock().now(),
                    write=write,
                )
            except NotFound as exc:
                raise Http404(str(exc)) from exc
            if done.replayed:
                said = _("This form was already sent: it was recorded once, not twice.")
                first = done.answer.message if done.answer is not None else ""
                messages.info(request, f"{said} {first}".strip())
                return redirect(done.answer.url if done.answer is not None else "portal:orders")
            if done.answer is not None:
                messages.success(request, done.answer.message)
                return redirect(done.answer.url)
    other_errors = [
        m
        for key, ms in errors.items()
        if key not in ("kind", "description", "location", "appointment_at", "photos", "household")
        for m in ms
    ]
    response = render(
        request,
        "portal/orders/report.html",
        {
            "households": households,
            "values": values,
            "errors": errors,
            "other_errors": other_errors,
            "kinds": _kind_choices(),
            "upload": _upload_attrs(),
        },
        status=429 if retry_after else 400 if errors else 200,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _chosen_household(households: list[Household], posted: str) -> Household:
    """One of the resident's own households by the posted id; anything else is "not found"."""
    for household in households:
        if posted.isascii() and posted.isdigit() and household.pk == int(posted):
            return household
    raise Http404("Household not found")


def _order_row(order: WorkOrder, roles: dict[int, frozenset[str]] | None = None) -> dict[str, Any]:
    return {
        "order": order,
        "state": state_words(order),
        "open": is_open(order),
        "who": who_is_coming(order, roles),
    }


@resident_required
def orders(request: HttpRequest) -> HttpResponse:
    """Every order of the resident's households: open ones on top, newest first."""
    ids = _household_ids(request)
    found = list(resident_orders(ids)[:ORDERS_PER_PAGE])
    # The staff's titles in one query per community, not one per row.
    staff: dict[int, set[int]] = {}
    for o in found:
        staff.setdefault(o.community_id, set())
        if o.assignee_id:
            staff[o.community_id].add(o.assignee_id)
    roles = {cid: staff_roles(ids, cid) for cid, ids in staff.items()}
    rows = [_order_row(o, roles[o.community_id]) for o in found]
    return render(request, "portal/orders/list.html", {"rows": rows})


@resident_required
def order(request: HttpRequest, order_id: int) -> HttpResponse:
    """One order: its state, who is coming and when, and its timeline in plain words."""
    try:
        found = access_resident_order(_household_ids(request), order_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    now = get_clock().now()
    again_at = urge_again_at(found) if is_open(found) else None
    contact = found.contact
    return render(
        request,
        "portal/orders/order.html",
        {
            **_order_row(found),
            "timeline": resident_timeline(found),
            "photos": sum(1 for a in found.attachments.all() if a.kind == "photo"),
            "promised_at": contact.promised_at if contact is not None else None,
            "may_urge": is_open(found) and (again_at is None or now >= again_at),
            "urge_again_at": again_at if again_at is not None and now < again_at else None,
            "time_zone": found.community.time_zone,
            "may_look_back": owner_may_look_back(state=State(found.state), kind=found.kind),
        },
    )


@require_POST
@resident_required
def urge(request: HttpRequest, order_id: int) -> HttpResponse:
    """催单 on an open order of the resident's household (once per the policy's period)."""
    try:
        found = access_resident_order(_household_ids(request), order_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    try:
        work_order_urge(order_id=found.pk, phone=_resident(request).phone, now=get_clock().now())
    except UrgeTooSoon as exc:
        local = timezone.localtime(exc.again_at, ZoneInfo(found.community.time_zone))
        messages.error(
            request,
            _("You urged this order already: you can urge it again after %(time)s.")
            % {"time": local.strftime("%Y-%m-%d %H:%M")},
        )
    except Conflict as exc:
        messages.error(request, exc.message)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    else:
        messages.success(request, _("The office has been told that you are waiting."))
    return redirect("portal:order", order_id=found.pk)
