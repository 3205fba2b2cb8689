"""The front desk (FD-2 … FD-6): a receptionist with a phone on the shoulder logs a call or a
visit without touching the mouse; the caller's number or room finds the household."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.community.lookup import HouseholdLookup, LookupField, household_lookup
from propdesk.community.models import Building
from propdesk.community.selectors import access_household, scope
from propdesk.core.errors import NotFound, ServiceError
from propdesk.desk.models import Attachment, Contact, OrderKind, Outcome
from propdesk.desk.selectors import (
    OrderFilters,
    contacts_visible,
    service_items_visible,
    work_order_list,
)
from propdesk.desk.services import ContactInput, WorkOrderDraft, contact_log, work_order_attach
from propdesk.policy.workflow import OFFICE_ROLES
from propdesk.web.forms import INTENT_KEYS, OUTCOME_KEYS, IntakeForm
from propdesk.web.views._common import Desk, console, errors_of, now

# Where a service's field error lands on the form.
FIELD_OF = {
    "room_text": "room",
    "household": "room",
    "received_at": "__all__",
    "work_orders": "outcome",
    "description": "content",
    "kind": "intent",
    "reporter_phone": "caller_phone",
}


def _field(form: IntakeForm, key: str) -> str | None:
    key = key.split(".", 1)[1] if key.startswith("work_orders[") else key
    key = FIELD_OF.get(key, key)
    return key if key in form.fields else None


@console(*OFFICE_ROLES)
def intake(request: HttpRequest, desk: Desk) -> HttpResponse:
    community = desk.community
    items = list(service_items_visible(desk.user).filter(company_id=community.company_id))
    form = IntakeForm(request.POST or None, request.FILES or None, community=community, items=items)
    status = 200
    if request.method == "POST":
        contact = _log(request, desk, form, items)
        if contact is not None:
            orders = list(contact.work_orders.all())
            if orders:
                text = _("Logged. Work order %(numbers)s opened.") % {
                    "numbers": ", ".join(o.number for o in orders)
                }
            else:
                text = _("Logged: %(outcome)s.") % {"outcome": contact.get_outcome_display()}
            messages.success(request, text)
            return redirect("desk-intake", community.pk)
        status = 400
    lookup = _lookup_context(desk, request.POST)
    return render(
        request,
        "web/intake.html",
        {
            "desk": desk,
            "nav_active": "intake",
            "title": _("Front desk"),
            "form": form,
            "contact_fields": [form["caller_phone"], form["room"], form["caller_name"]],
            "intent_keys": {str(k.value): v for k, v in INTENT_KEYS.items()},
            "outcome_keys": {str(k.value): v for k, v in OUTCOME_KEYS.items()},
            "items": items,
            "buildings": buildings_of(desk),
            **lookup,
        },
        status=status,
    )


def _log(request: HttpRequest, desk: Desk, form: IntakeForm, items: list) -> Contact | None:  # type: ignore[type-arg]
    if not form.is_valid():
        return None
    d = form.cleaned_data
    item = next((i for i in items if i.pk == d["service_item"]), None)
    drafts = []
    if d["outcome"] == Outcome.WORK_ORDER:
        drafts.append(
            WorkOrderDraft(
                kind=d["intent"],
                description=d["content"],
                complaint_type=d["complaint_type"] if d["intent"] == OrderKind.COMPLAINT else "",
                is_important=d["is_important"],
                is_long_running=d["is_long_running"],
                is_construction_legacy=d["is_construction_legacy"],
                location=d["location"],
                service_item=item,
            )
        )
    # The room as the lookup reads it (4-901 where building 4 has one unit), else the number
    # alone, finds the household when exactly one matches; the room is then stored as its code.
    household = None
    room_text = d["room"]
    if room_text.strip():
        household = _lookup(desk, LookupField.ROOM, room_text).named
        room_text = household.code if household is not None else room_text
    elif d["caller_phone"].strip():
        household = _lookup(desk, LookupField.PHONE, d["caller_phone"]).named
    data = ContactInput(
        household=household,
        channel=d["channel"],
        intent=d["intent"],
        content=d["content"],
        outcome=d["outcome"],
        caller_name=d["caller_name"],
        caller_phone=d["caller_phone"],
        room_text=room_text,
        resolution=d["resolution"],
        promised_at=d["promised_at"],
        promise_reason=d["promise_reason"],
        owner_agitated=d["owner_agitated"],
        work_orders=drafts,
    )
    at = now()
    try:
        # One transaction: a scanned letter that cannot be attached leaves nothing logged.
        with transaction.atomic():
            contact = contact_log(community=desk.community, by=desk.user, now=at, data=data)
            letter = d.get("letter")
            if letter is not None:
                for order in contact.work_orders.all():
                    work_order_attach(
                        order_id=order.pk,
                        by=desk.user,
                        now=at,
                        upload=letter,
                        kind=Attachment.Kind.LETTER,
                    )
    except ValidationError as exc:
        for key, errs in errors_of(exc).items():
            form.add_error(_field(form, key), errs)
        return None
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return None
    return contact


def _lookup(
    desk: Desk, field: LookupField, text: str, building_id: int | None = None
) -> HouseholdLookup:
    return household_lookup(
        desk.user, text, field=field, community=desk.community, building_id=building_id
    )


# The form's fields the lookup reads, and how.
LOOKUP_FIELDS = {
    "room": LookupField.ROOM,
    "caller_phone": LookupField.PHONE,
    "caller_name": LookupField.NAME,
}


def _lookup_context(desk: Desk, params: QueryDict) -> dict[str, object]:
    """The household panel: ``field`` names the input typed in (room, caller_phone,
    caller_name); without it the room, then the number, then the name is tried. ``building``
    is the building chosen for a room typed alone (901); ``household`` a match chosen."""
    try:
        building_id: int | None = int(params.get("building") or 0) or None
    except ValueError:
        building_id = None
    found = HouseholdLookup()
    chosen = params.get("household")
    typed = params.get("field", "")
    if chosen:
        try:
            one = access_household(desk.user, chosen)
        except NotFound:
            one = None
        if one is not None and one.community_id == desk.community.pk:
            found = HouseholdLookup(how="room", households=[one])
    else:
        names = [typed] if typed in LOOKUP_FIELDS else list(LOOKUP_FIELDS)
        for name in names:
            text = params.get(name, "")
            if text.strip():
                found = _lookup(desk, LOOKUP_FIELDS[name], text, building_id)
                if found.households:
                    break
    household = found.household
    orders: list[object] = []
    contacts: list[object] = []
    if household is not None:
        orders = list(
            work_order_list(
                desk.user,
                OrderFilters(
                    community_id=desk.community.pk, household_id=household.pk, open_only=True
                ),
            )[:10]
        )
        contacts = list(
            contacts_visible(desk.user).filter(household=household).order_by("-received_at")[:5]
        )
    return {
        "lookup": found,
        "matches": found.matches,
        "households": found.households,
        "household": household,
        "open_orders": orders,
        "recent_contacts": contacts,
        "looked_up": any(params.get(n, "").strip() for n in LOOKUP_FIELDS) or bool(chosen),
    }


def buildings_of(desk: Desk) -> list[Building]:
    """The community's buildings, for a room typed alone (901)."""
    rows = scope(Building.objects.all(), desk.user).filter(community=desk.community)
    return sorted(rows, key=lambda b: (len(b.number), b.number))  # 2 before 10


@console(*OFFICE_ROLES)
def intake_lookup(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The household panel beside the form, refreshed as the number, the room or the name is
    typed, or when a match is chosen (``household``)."""
    ctx = _lookup_context(desk, request.GET)
    return render(request, "web/partials/household_panel.html", {"desk": desk, **ctx})
