"""Community activities in the console (CS-3): a quarter's plan with the owners' wishes behind
it, and one page per activity: announce it by a posted notice, sign households up at the front
desk, mark who came on the day, take each household's satisfaction answer, close it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.community.lookup import LookupField, household_lookup
from propdesk.community.models import Household
from propdesk.concierge import selectors_activities as sa
from propdesk.concierge.models import ActivitySignup, ActivityState
from propdesk.concierge.services import activities as svc
from propdesk.core.errors import NotFound, ServiceError, too_long
from propdesk.followup.models import Level
from propdesk.policy.workflow import OFFICE_ROLES, Role
from propdesk.web.forms import LocalDateTimeField
from propdesk.web.views._common import Desk, console, errors_of, now, posted_id

PLAN_ROLES = (Role.ADMINISTRATOR, Role.OFFICE_HEAD)
# The longest room the sign-up's field reads, as the cart's and the intake's.
ROOM_TYPED = 40


def _try(call: Any) -> dict[str, list[str]] | None:
    try:
        call()
    except ValidationError as exc:
        return errors_of(exc)
    except ServiceError as exc:
        return {"__all__": [exc.message]}
    return None


def _failure(request: HttpRequest, form: str, errors: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "failed": form,
        "failed_id": request.POST.get("id", ""),
        "general_errors": errors.get("__all__"),
        "errors": {k: v for k, v in errors.items() if k != "__all__"},
        "posted": request.POST,
    }


def _capacity(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 else None


@console(*OFFICE_ROLES)
def activities(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The quarter's activities and the wishes to plan from; administrators and the office head
    plan one here (from a wish: its text comes into the form)."""
    at = now()
    community = desk.community
    q = sa.parse_quarter(community, request.GET.get("q", ""), at)
    failure: dict[str, Any] = {}
    can_plan = bool(desk.roles & set(PLAN_ROLES))
    if request.method == "POST":
        if not can_plan:
            failure = _failure(
                request, "plan", {"__all__": [_("Your role in this community may not do this.")]}
            )
        else:
            p = request.POST
            field = LocalDateTimeField(required=False)
            field.time_zone = community.time_zone
            errors: dict[str, list[str]] | None = None
            try:
                starts_at = field.clean(p.get("starts_at", ""))
            except ValidationError:
                starts_at = None
                errors = {"starts_at": [_("Give the date and time as on the calendar.")]}
            created: list[Any] = []
            if errors is None:
                errors = _try(
                    lambda: created.append(
                        svc.activity_plan(
                            community=community,
                            by=desk.user,
                            now=at,
                            title=p.get("title", ""),
                            starts_at=starts_at,
                            place=p.get("place", ""),
                            capacity=_capacity(p.get("capacity", "")),
                            description=p.get("description", ""),
                            wish_item_ids=[n for n in map(posted_id, p.getlist("item")) if n],
                            wish_visit_ids=[n for n in map(posted_id, p.getlist("visit")) if n],
                        )
                    )
                )
            if errors is None:
                messages.success(request, _("Activity planned."))
                return redirect("desk-activity", community.pk, created[0].pk)
            failure = _failure(request, "plan", errors)
    wish_from = request.GET.get("wish", "")
    wishes = sa.wishes_for(community, q)
    chosen = next((w for w in wishes if f"{w.source}-{w.pk}" == wish_from), None)
    py, pn = q.previous()
    ny, nn = q.next()
    return render(
        request,
        "web/activities.html",
        {
            "desk": desk,
            "nav_active": "activities",
            "title": _("Community activities"),
            "now": at,
            "quarter": q,
            "prev_q": f"{py}-{pn}",
            "next_q": f"{ny}-{nn}",
            "figures": sa.quarter_figures(community, q),
            "activities": list(sa.activities_of_quarter(community, q)),
            "wishes": wishes,
            "chosen": chosen,
            "can_plan": can_plan,
            **failure,
        },
        status=400 if failure else 200,
    )


def _household_typed(desk: Desk, typed: str) -> tuple[Household | None, dict[str, list[str]]]:
    """The household a room typed at the counter names, read as the front desk's lookup reads
    it (3-2-1502, 3栋2单元1502, 3号楼2单元1502 …), or the refusal that says what to type."""
    text = (typed or "").strip()
    if refused := too_long(text, ROOM_TYPED, _("room number")):
        return None, {"household": refused}
    found = household_lookup(
        desk.user, text, field=LookupField.ROOM, community=desk.community, residents=False
    )
    if found.named is not None:
        return found.named, {}
    if found.households:
        codes = "、".join(h.code for h in found.households)
        message = _("Several households match: %(codes)s. Write the whole room number.")
        return None, {"household": [message % {"codes": codes}]}
    return None, {"household": [_("No such room: %(codes)s") % {"codes": text or "—"}]}


def _post_activity(
    request: HttpRequest, desk: Desk, activity: Any, form: str
) -> dict[str, list[str]] | None:
    p, at, aid = request.POST, now(), activity.pk
    if form == "signup":
        household, refused = _household_typed(desk, p.get("household", ""))
        if household is None:
            return refused
        return _try(
            lambda: svc.activity_signup(activity_id=aid, household=household, by=desk.user, now=at)
        )
    signup = None
    if form in {"withdraw", "feedback"}:
        signup = ActivitySignup.objects.filter(
            activity=activity, pk=posted_id(p.get("signup"))
        ).first()
        if signup is None:
            return {"__all__": [_("There is no such sign-up.")]}
    if form == "withdraw":
        assert signup is not None
        return _try(lambda: svc.activity_signup_withdraw(signup_id=signup.pk, by=desk.user, now=at))
    if form == "feedback":
        assert signup is not None
        return _try(
            lambda: svc.activity_feedback(
                signup_id=signup.pk,
                by=desk.user,
                now=at,
                level=p.get("level", ""),
                feedback=p.get("feedback", ""),
            )
        )
    if form == "announce":
        photo = request.FILES.get("photo")
        if photo is None:
            return {"photo": [_("Take a photo of the notice on the board.")]}
        return _try(
            lambda: svc.activity_announce(activity_id=aid, by=desk.user, now=at, photo=photo)
        )
    if form == "attendance":
        ids = [n for n in map(posted_id, p.getlist("attended")) if n]
        return _try(
            lambda: svc.activity_attendance(
                activity_id=aid, by=desk.user, now=at, attended_household_ids=ids
            )
        )
    if form == "close":
        return _try(lambda: svc.activity_close(activity_id=aid, by=desk.user, now=at))
    if form == "cancel":
        return _try(
            lambda: svc.activity_cancel(
                activity_id=aid, by=desk.user, now=at, reason=p.get("reason", "")
            )
        )
    return {"__all__": [_("Unknown form.")]}


@console(*OFFICE_ROLES)
def activity(request: HttpRequest, desk: Desk, activity_id: int) -> HttpResponse:
    """One activity: its notice, sign-ups (places left), attendance and feedback."""
    found = sa.access_activity(desk.user, activity_id)
    if found.community_id != desk.community.pk:
        raise NotFound("Not found")
    failure: dict[str, Any] = {}
    if request.method == "POST":
        form = request.POST.get("form", "")
        errors = _post_activity(request, desk, found, form)
        if errors is None:
            messages.success(request, _("Saved."))
            return redirect("desk-activity", desk.community.pk, found.pk)
        failure = _failure(request, form, errors)
        found = sa.access_activity(desk.user, activity_id)
    at = now()
    signups = sa.signups_of(found)
    return render(
        request,
        "web/activity.html",
        {
            "desk": desk,
            "nav_active": "activities",
            "title": found.title,
            "now": at,
            "activity": found,
            "signups": signups,
            "places_left": max(found.capacity - len(signups), 0),
            "satisfaction": sa.activity_satisfaction(found),
            "levels": Level.choices,
            "can_plan": bool(desk.roles & set(PLAN_ROLES)),
            "is_open": found.state == ActivityState.ANNOUNCED and found.starts_at > at,
            "quarter": sa.quarter_at(desk.community, found.starts_at),
            **failure,
        },
        status=400 if failure else 200,
    )
