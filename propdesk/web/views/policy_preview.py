"""The back office's preview (预览) of a change to a community's rules, before it is saved: last
month replayed under the rules as typed (issue 16, item 5), beside what happened.

The community's change page (admin/community/community/change_form.html) posts its whole form
here with the 预览 button. Only who may change the community in the back office may preview it
(the admin's own change permission on a community they can see); nothing is saved here: the page
carries the form on, to be saved as it was typed or edited further."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from propdesk.clocks.models import ClockState
from propdesk.clocks.services import policy_overrides
from propdesk.community.models import Community
from propdesk.core.clock import get_clock
from propdesk.policy.replay import RuleCompliance
from propdesk.policy.rules import PolicyError, load_policy
from propdesk.reports.whatif import what_if


def last_month(now: datetime, zone: str) -> tuple[int, int]:
    local = now.astimezone(ZoneInfo(zone))
    return (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)


def _outcome(state: str) -> str:
    return str(ClockState(state).label) if state else _("none")


def _cells(r: RuleCompliance | None) -> dict[str, Any]:
    if r is None:
        return {"pct": "–", "met": 0, "breached": 0, "running": 0, "started": 0}
    pct = "–" if r.compliance is None else f"{r.compliance}%"
    return {
        "pct": pct,
        "met": r.met,
        "breached": r.breached,
        "running": r.running,
        "started": r.started,
    }


def policy_preview(request: HttpRequest, community_id: int) -> HttpResponse:
    site = admin.site
    if not site.has_permission(request):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    model_admin = site.get_model_admin(Community)
    community = model_admin.get_queryset(request).filter(pk=community_id).first()
    if community is None:
        raise Http404
    if not model_admin.has_change_permission(request, community):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    raw = request.POST.get("policy", "").strip() or "{}"
    error = ""
    result = None
    try:
        overrides = json.loads(raw)
        if not isinstance(overrides, dict):
            raise ValueError(raw)
    except (ValueError, RecursionError):  # RecursionError: [[[[… nested past the limit
        error = _("The rule changes are not valid JSON.")
    else:
        try:
            policy = load_policy(policy_overrides(community, overrides))
        except PolicyError as exc:
            error = _("The rule changes are not valid: %(error)s") % {"error": exc}
        else:
            now = get_clock().now()
            year, month = last_month(now, community.time_zone)
            result = what_if(community, year, month, policy=policy, now=now)
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "_preview")
        for value in values
    ]
    context = {
        **site.each_context(request),
        "opts": Community._meta,
        "title": _("Preview of the rule changes: %(community)s") % {"community": community.name},
        "community": community,
        "error": error,
        "result": result,
        "rules": [
            {"line": line, "now": _cells(line.now), "then": _cells(line.then)}
            for line in (result.rules if result else [])
        ],
        "changed": [
            {"c": c, "now": _outcome(c.now), "then": _outcome(c.then)}
            for c in (result.changed if result else [])
        ],
        "carried": carried,
        "change_url": reverse("admin:community_community_change", args=[community.pk]),
    }
    return TemplateResponse(request, "admin/community/community/preview.html", context)
