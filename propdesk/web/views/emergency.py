"""Staff pages outside the back office: the front desk's one-screen emergency form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.community.models import Community, Household, User
from propdesk.community.selectors import communities_visible, household_search, user_roles
from propdesk.core.clock import get_clock
from propdesk.core.errors import ServiceError
from propdesk.incidents.services import emergency_log
from propdesk.policy.rules import load_policy
from propdesk.policy.workflow import OFFICE_ROLES
from propdesk.web.forms import EmergencyForm


def _office_communities(user: User) -> list[int]:
    return [c.pk for c in communities_visible(user) if user_roles(user, c.pk) & OFFICE_ROLES]


@login_required
def emergency_new(request: HttpRequest) -> HttpResponse:
    """EM-1 at the front desk: pick the kind, say where, press Enter; everyone is called."""
    user: User = request.user  # type: ignore[assignment]
    allowed = Community.objects.filter(pk__in=_office_communities(user)).order_by("name")
    if not allowed.exists():
        return render(request, "web/forbidden.html", status=403)
    kinds: dict[str, str] = {}
    for community in allowed:
        for key, kind in load_policy(community.policy).emergencies.kinds.items():
            kinds.setdefault(key, kind.title)
    form = EmergencyForm(request.POST or None, communities=allowed, kinds=list(kinds.items()))
    if request.method == "POST" and form.is_valid():
        community = form.cleaned_data["community"]
        household: Household | None = None
        room = form.cleaned_data["room"].strip()
        if room:
            household = household_search(user, room, community_id=community.pk).first()
            if household is None:
                form.add_error(
                    "room", _("There is no room %(code)s in this community.") % {"code": room}
                )
        if not form.errors:
            try:
                emergency = emergency_log(
                    community=community,
                    by=user,
                    now=get_clock().now(),
                    kind=form.cleaned_data["kind"],
                    location=form.cleaned_data["location"],
                    description=form.cleaned_data["description"],
                    household=household,
                )
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                called = emergency.responders.count()
                messages.success(
                    request,
                    _("Emergency %(number)s logged: %(n)s people called.")
                    % {"number": emergency.order.number, "n": called},
                )
                return redirect("emergency-new")
    return render(request, "web/emergency_new.html", {"form": form, "title": _("Emergency")})
