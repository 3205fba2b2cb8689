"""The front desk (FD-2 … FD-6): a receptionist with a phone on the shoulder logs a call or a
visit without touching the mouse; the caller's number or room finds the household."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from propdesk.calls.selectors import call_cursor
from propdesk.community.lookup import HouseholdLookup, LookupField, household_lookup
from propdesk.community.models import Building, Place, Relation
from propdesk.community.places import places_visible
from propdesk.community.selectors import access_household, scope
from propdesk.core.errors import NotFound, ServiceError
from propdesk.core.once import ONCE_FIELD, Answer, submit_once
from propdesk.desk.models import Contact, OrderKind, Outcome
from propdesk.desk.search import OrderSearch, reported_from
from propdesk.desk.selectors import (
    OrderFilters,
    contacts_visible,
    service_items_visible,
    work_order_list,
)
from propdesk.desk.services import ContactInput, WorkOrderDraft, contact_errors, contact_log
from propdesk.policy.workflow import OFFICE_ROLES
from propdesk.web.forms import INTENT_KEYS, OUTCOME_KEYS, IntakeForm
from propdesk.web.views._common import (
    Desk,
    answered,
    console,
    errors_of,
    now,
    once_owner,
    posted_id,
)

# Where a service's field error lands on the form.
FIELD_OF = {
    "room_text": "room",
    "household": "room",
    "received_at": "__all__",
    "work_orders": "outcome",
    "description": "content",
    "kind": "intent",
    "reporter_phone": "caller_phone",
    "letter": "letter",
    "location": "room",  # no household and no location: the room is what is usually missing
    "place": "location",
}


def _field(form: IntakeForm, key: str) -> str | None:
    key = key.split(".", 1)[1] if key.startswith("work_orders[") else key
    key = FIELD_OF.get(key, key)
    return key if key in form.fields else None


@console(*OFFICE_ROLES)
def intake(request: HttpRequest, desk: Desk) -> HttpResponse:
    community = desk.community
    posted = request.method == "POST"
    # A submit is checked against the catalogue's item and the place it names (the choices it
    # may take); the whole lists are read only for a page to draw (a failed submit's too).
    items, places = _catalogue(desk, request.POST if posted else None)
    initial = _place_initial(request, places)
    # Opened from a ringing call or a call-back (?caller_phone=…): the number filled in, the
    # channel a call, the household panel looked up.
    if request.method != "POST" and request.GET.get("caller_phone"):
        initial = {**initial, "caller_phone": request.GET["caller_phone"][:40], "channel": "phone"}
    lookup: dict[str, object] = {}
    if not posted:
        lookup = _lookup_context(desk, request.GET)
        if lookup["fill"]:
            # The number names one household: its room and the caller filled in (FD-2), as
            # the panel's answer fills them while the number is typed.
            initial = {**initial, **lookup["fill"]}  # type: ignore[dict-item]
    form = IntakeForm(
        # Bound on every POST, an empty one too (its fields are then missing: errors, not a 500).
        request.POST if posted else None,
        request.FILES if posted else None,
        community=community,
        items=items,
        places=places,
        initial=initial,
    )
    status = 200
    if posted:

        def write() -> Answer | None:
            contact = _log(request, desk, form, items, places)
            if contact is None:
                return None
            return Answer(reverse("desk-intake", args=[community.pk]), logged_message(contact))

        done = submit_once(
            request.POST.get(ONCE_FIELD), owner=once_owner(request), now=now(), write=write
        )
        if answered(request, done):
            assert done.answer is not None
            return redirect(done.answer.url)
        status = 400
        items, places = _catalogue(desk)
        form.set_choices(items, places)
        lookup = _lookup_context(desk, request.POST)  # the panel as the failed submit left it
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
            "place": next((p for p in places if p.pk == _chosen(request, initial)), None),
            "buildings": buildings_of(desk),
            "calls_c": call_cursor(desk.user),
            **lookup,
        },
        status=status,
    )


def logged_message(contact: Contact) -> str:
    """What the front desk is told after logging: the orders opened (each a link to its page),
    else the outcome; and that the office head was told of an agitated visitor (FD-4)."""
    orders = list(contact.work_orders.all())
    if orders:
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("desk-order", args=[o.pk]), o.number) for o in orders),
        )
        said = _("Logged. Work order %(numbers)s opened.")
        text = mark_safe(escape(said) % {"numbers": links})  # noqa: S308 - escaped, then links
    else:
        text = escape(_("Logged: %(outcome)s.") % {"outcome": contact.get_outcome_display()})
    if contact.owner_agitated:
        text = format_html("{} {}", text, _("The office head has been told to come."))
    return text


def _catalogue(desk: Desk, posted: QueryDict | None = None) -> tuple[list[Any], list[Place]]:
    """The service items and active places the form offers; for a submit (``posted``) only
    the ones it names, which is all its check needs: a posted id that is not among the
    community's visible items or active places is refused either way."""
    item_id = place_id = None
    if posted is not None:  # 0 (none, or not an id): nothing to read
        item_id, place_id = posted_id(posted.get("service_item")), posted_id(posted.get("place"))
    items: list[Any] = []
    places: list[Place] = []
    if item_id != 0:
        qs = service_items_visible(desk.user).filter(company_id=desk.community.company_id)
        items = list(qs if item_id is None else qs.filter(pk=item_id))
    if place_id != 0:
        where = places_visible(desk.user).filter(community_id=desk.community.pk, active=True)
        places = list(where if place_id is None else where.filter(pk=place_id))
    return items, places


def _chosen(request: HttpRequest, initial: dict[str, Any]) -> int | None:
    """The place on the form: asked for on opening it, or kept through a failed submit."""
    if request.method == "POST":
        return posted_id(request.POST.get("place"))
    return initial.get("place")


def _place_initial(request: HttpRequest, places: list[Place]) -> dict[str, Any]:
    """``?place=ID`` (from a place's page, after its sticker was scanned): the place and its
    label as the location, when it is one of the community's active places."""
    if request.method != "GET":
        return {}
    wanted = posted_id(request.GET.get("place"))
    place = next((p for p in places if p.pk == wanted), None)
    return {"place": place.pk, "location": place.name} if place else {}


def _input(
    desk: Desk,
    d: dict[str, Any],
    items: list[Any],
    places: Sequence[Place] = (),
    building_id: int | None = None,
) -> ContactInput:
    """What the service takes, from what the form read (in part, when some fields failed).
    ``building_id``: the building chosen beside the panel, for a room typed alone (901)."""
    item = next((i for i in items if i.pk == d.get("service_item")), None)
    place = next((p for p in places if p.pk == d.get("place")), None)
    intent, outcome = d.get("intent", ""), d.get("outcome", "")
    drafts = []
    if outcome == Outcome.WORK_ORDER:
        drafts.append(
            WorkOrderDraft(
                kind=intent,
                description=d.get("content", ""),
                complaint_type=d.get("complaint_type", "") if intent == OrderKind.COMPLAINT else "",
                is_important=d.get("is_important", False),
                is_long_running=d.get("is_long_running", False),
                is_construction_legacy=d.get("is_construction_legacy", False),
                is_urgent=d.get("is_urgent", False),
                location=d.get("location", ""),
                service_item=item,
                appointment_at=d.get("appointment_at"),
                place=place,
            )
        )
    room, phone = d.get("room", ""), d.get("caller_phone", "")
    # The room as the lookup reads it (4-901 where building 4 has one unit), else the number
    # alone, finds the household when exactly one matches; the room is then stored as its code.
    household = None
    if room.strip():
        household = _lookup(desk, LookupField.ROOM, room, building_id, residents=False).named
        room = household.code if household is not None else room
    elif phone.strip():
        household = _lookup(desk, LookupField.PHONE, phone, residents=False).named
    return ContactInput(
        household=household,
        channel=d.get("channel", ""),
        intent=intent,
        content=d.get("content", ""),
        outcome=outcome,
        caller_name=d.get("caller_name", ""),
        caller_phone=phone,
        room_text=room,
        resolution=d.get("resolution", ""),
        promised_at=d.get("promised_at"),
        promise_reason=d.get("promise_reason", ""),
        owner_agitated=d.get("owner_agitated", False),
        work_orders=drafts,
        letter=d.get("letter"),
        no_written_material=d.get("no_written_material", False),
    )


def _add_errors(form: IntakeForm, errors: dict[str, list[str]], *, only_new: bool) -> None:
    for key, errs in errors.items():
        field = _field(form, key)
        if only_new and (field is None or field in form.errors):
            continue  # the form's own word on that field stands
        form.add_error(field, errs)


def _log(
    request: HttpRequest,
    desk: Desk,
    form: IntakeForm,
    items: list,  # type: ignore[type-arg]
    places: Sequence[Place] = (),
) -> Contact | None:
    at = now()
    building_id = _building_id(request.POST)
    if not form.is_valid():
        # Every problem at once: the service's checks on what the form could read, beside the
        # form's own (never one stage after the other).
        data = _input(desk, form.cleaned_data, items, places, building_id)
        _add_errors(
            form, contact_errors(community=desk.community, now=at, data=data), only_new=True
        )
        return None
    try:
        return contact_log(
            community=desk.community,
            by=desk.user,
            now=at,
            data=_input(desk, form.cleaned_data, items, places, building_id),
        )
    except ValidationError as exc:
        _add_errors(form, errors_of(exc), only_new=False)
        return None
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return None


def _lookup(
    desk: Desk,
    field: LookupField,
    text: str,
    building_id: int | None = None,
    *,
    residents: bool = True,
) -> HouseholdLookup:
    return household_lookup(
        desk.user,
        text,
        field=field,
        community=desk.community,
        building_id=building_id,
        residents=residents,
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
    building_id = _building_id(params)
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
    fill = _fill_of(found) if not chosen else {}
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
    # A whole number in no household (a tenant, a neighbour, a passer-by) that rang before:
    # what it reported, closed too (the search by a caller's phone, its first page).
    called: OrderSearch | None = None
    phone = params.get("caller_phone", "")
    if household is None and not found.households and phone.strip():
        called = reported_from(desk.user, desk.community, phone, limit=5)
        called = called if called.caller_phone else None
    return {
        "lookup": found,
        "matches": found.matches,
        "called": called,
        "households": found.households,
        "household": household,
        "open_orders": orders,
        "recent_contacts": contacts,
        "fill": fill,
        "looked_up": any(params.get(n, "").strip() for n in LOOKUP_FIELDS) or bool(chosen),
    }


def _building_id(params: QueryDict) -> int | None:
    """The building chosen for a room typed alone (901), if any."""
    try:
        return int(params.get("building") or 0) or None
    except ValueError:
        return None


def _fill_of(found: HouseholdLookup) -> dict[str, str]:
    """What a whole phone number fills into the form (FD-2): the room and the name of the
    resident it belongs to (the owner first, where a household's residents share a landline),
    when it names exactly one household; nothing while it is a prefix or matches several."""
    household = found.named
    if found.how != "phone" or household is None:
        return {}
    people = [m.resident for m in found.matches if m.resident is not None]
    people.sort(key=lambda r: r.relation != Relation.OWNER)
    return {"room": household.code, "caller_name": people[0].name if people else ""}


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
