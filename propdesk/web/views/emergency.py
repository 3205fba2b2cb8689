"""Emergencies in the console: the front desk's one-screen form (EM-1), and the emergency's page
on every phone: who was called and where each one is, with the taps 收到 (acknowledge), 已到场
(check in on site, EM-2) and, for the office head, 处置完毕 (resolve)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from propdesk.community.access import may_call_owners, phone_as_seen
from propdesk.community.lookup import household_lookup
from propdesk.community.models import Community, Household, User
from propdesk.community.selectors import communities_visible, user_roles
from propdesk.core.clock import get_clock
from propdesk.core.errors import NotFound, ServiceError
from propdesk.core.once import ONCE_FIELD, Answer, submit_once
from propdesk.incidents.models import Emergency, EmergencyState
from propdesk.incidents.selectors import (
    ACKNOWLEDGED,
    ARRIVED,
    CALLED,
    LATE,
    access_emergency,
    may_open_emergency,
    may_resolve_emergency,
    readable_report,
    responder_lines,
)
from propdesk.incidents.services import (
    DuplicateEmergency,
    emergency_acknowledge,
    emergency_check_in,
    emergency_log,
    emergency_resolve,
)
from propdesk.policy.rules import load_policy
from propdesk.policy.workflow import OFFICE_ROLES, Role
from propdesk.web.forms import EmergencyForm
from propdesk.web.views._common import (
    Desk,
    answered,
    errors_of,
    forbidden,
    not_found,
    now,
    once_owner,
)


def _office_communities(user: User) -> list[int]:
    return [c.pk for c in communities_visible(user) if user_roles(user, c.pk) & OFFICE_ROLES]


@login_required
def emergency_new(request: HttpRequest) -> HttpResponse:
    """EM-1 at the front desk: pick the kind, say where, press Enter; everyone is called, and the
    desk lands on the emergency's page to see who was."""
    user: User = request.user  # type: ignore[assignment]
    allowed = Community.objects.filter(pk__in=_office_communities(user)).order_by("name")
    if not allowed.exists():
        return render(request, "web/forbidden.html", status=403)
    kinds: dict[str, str] = {}
    for community in allowed:
        for key, kind in load_policy(community.policy).emergencies.kinds.items():
            kinds.setdefault(key, kind.title)
    posted = request.method == "POST"  # bound on every POST, an empty one too (its errors shown)
    form = EmergencyForm(
        request.POST if posted else None, communities=allowed, kinds=list(kinds.items())
    )
    duplicate: DuplicateEmergency | None = None

    def write() -> Answer | None:
        nonlocal duplicate
        community = form.cleaned_data["community"]
        household: Household | None = None
        room = form.cleaned_data["room"].strip()
        if room:
            # Read as a room (never the start of a phone), taken when it names one household.
            household = household_lookup(user, room, field="room", community=community).named
            if household is None:
                form.add_error(
                    "room", _("There is no room %(code)s in this community.") % {"code": room}
                )
                return None
        try:
            emergency = emergency_log(
                community=community,
                by=user,
                now=get_clock().now(),
                kind=form.cleaned_data["kind"],
                location=form.cleaned_data["location"],
                description=form.cleaned_data["description"],
                household=household,
                duplicate=request.POST.get("duplicate", ""),
            )
        except DuplicateEmergency as exc:
            duplicate = exc  # asked on the page: merge, or log a separate one
            return None
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
            return None
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return None
        where = reverse("desk-emergency", args=[emergency.pk])
        if emergency.merged:
            said = _("Merged into emergency %(number)s: nobody was called again.") % {
                "number": emergency.order.number
            }
        else:
            said = _("Emergency %(number)s logged: %(n)s people called.") % {
                "number": emergency.order.number,
                "n": emergency.responders.count(),
            }
        return Answer(where, escape(said))

    if posted and form.is_valid():
        done = submit_once(
            request.POST.get(ONCE_FIELD), owner=once_owner(request), now=now(), write=write
        )
        if answered(request, done):
            assert done.answer is not None
            return redirect(done.answer.url)
    return render(
        request,
        "web/emergency_new.html",
        {"form": form, "title": _("Emergency"), "nav_active": "emergency", "duplicate": duplicate},
        status=400 if form.errors else 409 if duplicate else 200,
    )


# --- the emergency's page ------------------------------------------------------------------------

STATUS_LABELS = {
    CALLED: pgettext_lazy("responder", "Called"),
    ACKNOWLEDGED: pgettext_lazy("responder", "Acknowledged"),
    ARRIVED: pgettext_lazy("responder", "On site"),
    LATE: pgettext_lazy("responder", "Late"),
}


def _open(request: HttpRequest, emergency_id: int) -> Emergency | HttpResponse:
    """The emergency if this user may open its page; else the 404 (another community's, or
    missing) or the 403 page (a team member who was not called)."""
    user: User = request.user  # type: ignore[assignment]
    try:
        emergency = access_emergency(user, emergency_id)
    except NotFound:
        return not_found(request)
    if not may_open_emergency(user, emergency):
        return forbidden(
            request,
            _(
                "Only the people called to this emergency, the office and company leadership "
                "open its page."
            ),
        )
    return emergency


def _responders_context(emergency: Emergency) -> dict[str, Any]:
    at = now()
    lines = responder_lines(emergency, at)
    return {
        "emergency": emergency,
        "now": at,
        "tz": emergency.community.time_zone,
        "lines": [(line, STATUS_LABELS[line.status]) for line in lines],
        "on_site": sum(1 for line in lines if line.status == ARRIVED),
        "is_open": emergency.state == EmergencyState.OPEN,
    }


@login_required
def emergency_page(request: HttpRequest, emergency_id: int) -> HttpResponse:
    """One emergency on a phone: what and where, my taps, and who was called with their state
    (refreshed by the fragment below). Each tap posts here and comes back with a message."""
    found = _open(request, emergency_id)
    if isinstance(found, HttpResponse):
        return found
    emergency = found
    user: User = request.user  # type: ignore[assignment]
    errors: dict[str, list[str]] | None = None
    if request.method == "POST":
        errors = _tap(request, user, emergency)
        if errors is None:
            return redirect("desk-emergency", emergency.pk)
        emergency = access_emergency(user, emergency.pk)  # as it is now
    ctx = _responders_context(emergency)
    mine = next((line for line, _label in ctx["lines"] if line.responder.user_id == user.pk), None)
    roles = user_roles(user, emergency.community_id)
    if user.is_leadership:
        roles = roles | {Role.LEADERSHIP}
    is_open = ctx["is_open"]
    ctx |= {
        "desk": Desk(user=user, community=emergency.community, roles=roles) if roles else None,
        "title": f"{emergency.kind_title} · {emergency.location}",
        # The caller's phone as the user may read it (a team called, leadership: masked).
        "caller_phone": phone_as_seen(user, emergency.community_id, emergency.caller_phone),
        "caller_phone_whole": may_call_owners(user, emergency.community_id),
        "mine": mine,
        "can_acknowledge": is_open and mine is not None and mine.responder.acknowledged_at is None,
        "can_check_in": is_open and mine is not None and mine.responder.arrived_at is None,
        "can_resolve": may_resolve_emergency(user, emergency),
        "report_url": _report_url(user, emergency),
        "general_errors": (errors or {}).get("__all__"),
        "errors": {k: v for k, v in (errors or {}).items() if k != "__all__"},
        "posted": request.POST if errors else {},
    }
    return render(request, "web/emergency.html", ctx, status=400 if errors else 200)


def _report_url(user: User, emergency: Emergency) -> str:
    """The incident report's page, once there is one and if this user reads it."""
    if readable_report(user, emergency) is None:
        return ""
    return reverse("desk-incident", args=[emergency.pk])


@login_required
def emergency_responders(request: HttpRequest, emergency_id: int) -> HttpResponse:
    """The responders' list alone, for the page to refresh itself (htmx)."""
    found = _open(request, emergency_id)
    if isinstance(found, HttpResponse):
        return found
    return render(request, "web/emergency.html#responders", _responders_context(found))


def _tap(request: HttpRequest, user: User, emergency: Emergency) -> dict[str, list[str]] | None:
    """Run the posted tap through its service (the one door); the errors, or None."""
    action, at = request.POST.get("action", ""), now()
    try:
        if action == "acknowledge":
            emergency_acknowledge(emergency_id=emergency.pk, by=user, now=at)
            messages.success(
                request, _("Acknowledged: get to the scene now and check in when you arrive.")
            )
        elif action == "check_in":
            emergency_check_in(emergency_id=emergency.pk, by=user, now=at)
            messages.success(request, _("Checked in: you are on site."))
        elif action == "resolve":
            emergency_resolve(
                emergency_id=emergency.pk, by=user, now=at, note=request.POST.get("note", "")
            )
            messages.success(
                request, _("The emergency is resolved: its incident report is ready to fill in.")
            )
        else:
            return {"__all__": [_("Unknown form.")]}
    except ValidationError as exc:
        return errors_of(exc)
    except ServiceError as exc:
        return {"__all__": [exc.message]}
    return None
