"""The community's activities in the resident portal (CS-3): the announced ones of the
resident's communities that have not begun, and sign-up for one of their households."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.community.models import Household
from propdesk.concierge.models import Activity, ActivitySignup
from propdesk.concierge.selectors_activities import announced_activities
from propdesk.concierge.services.activities import activity_signup_resident
from propdesk.core.clock import get_clock
from propdesk.core.errors import Conflict
from propdesk.portal.access import resident_required


def _households(request: HttpRequest) -> list[Household]:
    return list(request.resident.households())  # type: ignore[attr-defined]


def upcoming_activities(households: list[Household]) -> list[dict[str, Any]]:
    """Each announced activity of the households' communities not yet begun, with its places
    left and which of the households are signed up (one query for the activities, one for the
    sign-ups)."""
    now = get_clock().now()
    rows: list[dict[str, Any]] = []
    by_community: dict[int, list[Household]] = {}
    for h in households:
        by_community.setdefault(h.community_id, []).append(h)
    activities = [
        a
        for community in {h.community for h in households}
        for a in announced_activities(community, now)
    ]
    signups = list(
        ActivitySignup.objects.filter(activity__in=activities).values_list(
            "activity_id", "household_id"
        )
    )
    for a in sorted(activities, key=lambda a: (a.starts_at, a.pk)):
        taken = [hid for aid, hid in signups if aid == a.pk]
        mine = by_community.get(a.community_id, [])
        rows.append(
            {
                "activity": a,
                "left": max(a.capacity - len(taken), 0),
                "households": [{"household": h, "signed_up": h.pk in taken} for h in mine],
            }
        )
    return rows


@resident_required
def activities(request: HttpRequest) -> HttpResponse:
    households = _households(request)
    return render(
        request,
        "portal/activities/list.html",
        {"rows": upcoming_activities(households), "several": len(households) > 1},
    )


@require_POST
@resident_required
def activity_signup(request: HttpRequest, activity_id: int) -> HttpResponse:
    """报名: one of the resident's own households (another's id: not found)."""
    posted = request.POST.get("household", "")
    household = next(
        (h for h in _households(request) if posted.isascii() and posted == str(h.pk)), None
    )
    if household is None:
        raise Http404("Household not found")
    if not Activity.objects.filter(pk=activity_id, community_id=household.community_id).exists():
        raise Http404("Activity not found")  # another community's is no activity of theirs
    try:
        activity_signup_resident(
            activity_id=activity_id, household=household, now=get_clock().now()
        )
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, _("Signed up. See you there!"))
    return redirect("portal:activities")
